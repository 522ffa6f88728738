import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * What a running `npm start` tells operators' tools about itself (`<data dir>/run/stack.json`, written once every
 * server is ready, removed when the stack stops): where each part listens and which process serves it. Local
 * development state: it holds the dev databases' URLs with their passwords, so it is written readable by the
 * owner only.
 */
export interface StackFile {
  /** Pid of the `npm start` process (the supervisor). */
  readonly pid: number;
  /** `MCPFED_PORT_BASE` of the stack. */
  readonly portBase: number;
  /** The dev issuer (`AUTH_ISSUER`). */
  readonly issuerUrl: string;
  /** Every server and the router: base URL and the file holding the pid of the process serving it now. */
  readonly services: Readonly<Record<string, { readonly url: string; readonly pidFile: string }>>;
  /** Connection URL of each domain's database. */
  readonly databaseUrls: Readonly<Record<string, string>>;
  /** Data directory of the embedded PostgreSQL, when the stack started one. */
  readonly postgresDataDir?: string;
  /** The stack's Redis (`REDIS_URL`). */
  readonly redisUrl: string;
}

/** Folder of the stack's run files (pid files, stack.json) under a data directory. */
export function runDirOf(dataDir: string): string {
  return path.join(dataDir, 'run');
}

/** The pid file of one service of the stack in `dataDir`. */
export function pidFileOf(dataDir: string, service: string): string {
  return path.join(runDirOf(dataDir), `${service}.pid`);
}

/** Path of the stack file in `dataDir`. */
export function stackFileOf(dataDir: string): string {
  return path.join(runDirOf(dataDir), 'stack.json');
}

/** Writes the stack file (mode 0600). */
export function writeStackFile(dataDir: string, stack: StackFile): void {
  mkdirSync(runDirOf(dataDir), { recursive: true });
  writeFileSync(stackFileOf(dataDir), `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the stack file (the stack stopped). */
export function removeStackFile(dataDir: string): void {
  rmSync(stackFileOf(dataDir), { force: true });
}

/** Reads the stack file of `dataDir`, or undefined when no stack wrote one. */
export function readStackFile(dataDir: string): StackFile | undefined {
  let text: string;
  try {
    text = readFileSync(stackFileOf(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as StackFile;
}

/** The pid in a pid file, or undefined when there is none (the process is down). */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
