import type { LogLevel } from './log-level.ts';

/** What the SDK passes a request handler besides the request: the parts the host reads. */
export interface HandlerExtra {
  signal: AbortSignal;
  requestInfo?: { headers?: Record<string, string | string[] | undefined> } | undefined;
  authInfo?: { extra?: Record<string, unknown> } | undefined;
  _meta?: Record<string, unknown> | undefined;
  sendNotification: (
    notification:
      | { method: 'notifications/progress'; params: { progressToken: string | number; progress: number; total?: number; message?: string } }
      | { method: 'notifications/message'; params: { level: LogLevel; logger: string; data: Record<string, unknown> } },
  ) => Promise<void>;
}
