import path from 'node:path';
import { STACK_PORTS } from './services.ts';

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * Local state of the dev stack (git-ignored): PostgreSQL data, the dev issuer key, Redis scratch files.
 * Default `<repo>/.data`; `MCPFED_DATA_DIR` moves it (tests, a second checkout's stack).
 */
export const DATA_DIR = path.resolve(process.env['MCPFED_DATA_DIR'] || path.join(REPO_ROOT, '.data'));

/** Where the dev issuer keeps its signing key, shared by `npm start` and `npm run token`. */
export const DEV_ISSUER_DIR = path.join(DATA_DIR, 'dev-issuer');

/** Port of the dev issuer (JWKS and authorization server metadata): `MCPFED_PORT_BASE` + 10, default 8090. */
export const DEV_ISSUER_PORT = STACK_PORTS.devIssuer;

/** Issuer URL (`iss` of every dev token and the servers' AUTH_ISSUER). */
export const DEV_ISSUER_URL = `http://127.0.0.1:${DEV_ISSUER_PORT}`;

/** JWKS URL the servers verify dev tokens against (AUTH_JWKS_URL). */
export const DEV_JWKS_URL = `${DEV_ISSUER_URL}/.well-known/jwks.json`;

/** The federation audience every server accepts (docs/architecture.md §5; the servers' AUTH_AUDIENCE default). */
export const FEDERATION_AUDIENCE = 'mcpfed';
