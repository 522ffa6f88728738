import type { ServerIcon } from './server-icon.ts';

/** Who a server says it is at initialize: the identity fields an app gives once and the runtime sends as they are. */
export interface ServerIdentity {
  /** Server name reported at initialize, e.g. `customer-server`. */
  name: string;
  version: string;
  title?: string;
  /** What this server does, for people choosing servers (initialize `serverInfo.description`). */
  description?: string;
  /** Icons of this server (initialize `serverInfo.icons`): data: URIs or this server's own URLs, never other hosts. */
  icons?: readonly ServerIcon[];
  /** Guidance for the model on how to use this server's tools, sent at initialize. */
  instructions?: string;
}
