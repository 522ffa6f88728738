import path from 'node:path';
import { STACK_PORTS } from './services.ts';

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * Local state of the dev stack (git-ignored): PostgreSQL data, the dev issuer key, Redis scratch files.
 * Default `<repo>/.data`; `MCPFED_DATA_DIR` moves it (tests, a second checkout's stack).
 */
export const DATA_DIR = path.resolve(process.env['MCPFED_DATA_DIR'] || path.join(REPO_ROOT, '.data'));

/** Where the dev provider keeps its signing key (the `DevIssuer` key file its keystore uses). */
export const DEV_ISSUER_DIR = path.join(DATA_DIR, 'dev-issuer');

/** Port of the dev provider (the stack's OpenID provider): `MCPFED_PORT_BASE` + 10, default 8090. */
export const DEV_ISSUER_PORT = STACK_PORTS.devIssuer;

/** Issuer URL (`iss` of every dev token and the servers' AUTH_ISSUER); its metadata is at `/.well-known/openid-configuration`. */
export const DEV_ISSUER_URL = `http://127.0.0.1:${DEV_ISSUER_PORT}`;

/** JWKS of the dev provider (its metadata's `jwks_uri`; the servers find it by discovery). */
export const DEV_JWKS_URL = `${DEV_ISSUER_URL}/jwks`;

/**
 * The shared federation audience (docs/architecture.md §5; the servers' AUTH_AUDIENCE default). The dev stack no
 * longer uses it: each server accepts its own resource, `<PUBLIC_URL>/mcp`.
 */
export const FEDERATION_AUDIENCE = 'mcpfed';
