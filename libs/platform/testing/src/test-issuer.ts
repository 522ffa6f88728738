import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import type { DevProviderOptions } from '@mcpfed/auth/dev-provider';
import { freePort } from './spawn-server.ts';

/** Options of {@link startTestIssuer}: those of the dev provider, but for the issuer it makes itself. */
export interface TestIssuerOptions extends Omit<DevProviderOptions, 'issuer'> {
  /** Prefix of the temporary folder holding its signing key (removed on close), e.g. `mcpfed-issuer-`. */
  readonly keyDirPrefix: string;
}

/** A dev provider listening on 127.0.0.1 with a signing key of its own. */
export interface TestIssuer {
  /** Its signing key: mints tokens as the provider would issue them. */
  readonly issuer: DevIssuer;
  /** The issuer URL, `http://127.0.0.1:<port>` (the servers' `AUTH_ISSUER`). */
  readonly url: string;
  /** Stops the provider and removes its key. */
  close(): Promise<void>;
}

/** Starts an oidc-provider dev provider on a free port, with a fresh signing key in a temporary folder. */
export async function startTestIssuer(options: TestIssuerOptions): Promise<TestIssuer> {
  const { keyDirPrefix, ...providerOptions } = options;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const keyDir = mkdtempSync(path.join(tmpdir(), keyDirPrefix));
  const removeKey = (): void => rmSync(keyDir, { recursive: true, force: true });
  try {
    const issuer = await loadOrCreateDevIssuer({ dir: keyDir, issuerUrl: url });
    const { server } = createDevProvider({ ...providerOptions, issuer });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return {
      issuer,
      url,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        removeKey();
      },
    };
  } catch (error) {
    removeKey();
    throw error;
  }
}
