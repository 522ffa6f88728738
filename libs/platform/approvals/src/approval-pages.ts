import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  ClientSecretBasic,
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  calculatePKCECodeChallenge,
  discovery,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
} from 'openid-client';
import type { Configuration } from 'openid-client';
import { inTransaction, newId, sql } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { keyedDigest } from '@mcpfed/mcp-runtime';
import { readRequestBody } from '@mcpfed/mcp-runtime';
import type { HttpPages } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import { renderApprovalPage, renderDecidedPage, renderRefusalPage } from './approval-page-html.ts';
import { statusOf } from './approval-record.ts';
import type { ApprovalRow, ApprovalTables } from './approval-record.ts';
import { SignedCookie, readCookies } from './signed-cookie.ts';

/** Settings of {@link createApprovalPages}. */
export interface ApprovalPagesOptions<DB extends ApprovalTables> {
  /** The server's database (its `approvals` table and `mcp_audit_log`). */
  db: Kysely<DB>;
  /** Short name of the server, part of its cookie names (servers on one host share cookies), e.g. `order`. */
  name: string;
  /** The issuer where the person logs in (`APPROVAL_ISSUER`, default `AUTH_ISSUER`). */
  issuer: string;
  /** Confidential client of the approval pages (`APPROVAL_CLIENT_ID`), with `<PUBLIC_URL>/approvals/callback` as its redirect URI. */
  clientId: string;
  /** Its secret (`APPROVAL_CLIENT_SECRET`); also the key the page's cookies and CSRF tokens are signed with. */
  clientSecret: string;
  /** The public base URL; default the listener's own URL. */
  publicUrl?: string | undefined;
  /** How long a login lasts on the pages, in milliseconds. */
  sessionTtlMs: number;
  /** How long an approved operation may wait for its caller's next call, in milliseconds. */
  approvedTtlMs: number;
  /** Key of the audit rows' argument digests (`AUDIT_DIGEST_KEY`). */
  auditDigestKey: string;
  logger: Logger;
}

/** The decision form is a CSRF token and a word: anything larger, or slower, is not it. */
const FORM_LIMIT_BYTES = 4096;
const FORM_TIMEOUT_MS = 10_000;

const APPROVAL_PATH = /^\/approvals\/(apr_[0-9A-Za-z]{1,64})$/;
const CALLBACK_PATH = '/approvals/callback';
const LOGIN_TTL_MS = 10 * 60_000;

/**
 * The approval pages (docs/security.md, "A person approves money"):
 * - `GET /approvals/<id>`: without a session, logs the person in at the issuer (authorization code + PKCE, openid-client,
 *   a confidential client); with one, shows the operation to its own person (the caller's `sub`) with Approve and
 *   Decline, and refuses everyone else (403, nothing changes).
 * - `GET /approvals/callback`: finishes the login; the session is a signed, httpOnly, SameSite=Lax cookie.
 * - `POST /approvals/<id>`: the decision, with the form's CSRF token (bound to the session and the approval), in one
 *   transaction with its audit row; a decided, used or expired approval never changes.
 * A request carrying an `Authorization` header is refused: bearer tokens (a model's, a service's) cannot decide.
 */
export function createApprovalPages<DB extends ApprovalTables>(options: ApprovalPagesOptions<DB>): HttpPages {
  const cookies = new SignedCookie(options.clientSecret);
  const loginCookie = `mcpfed_${options.name}_approval_login`;
  const sessionCookie = `mcpfed_${options.name}_approval_session`;
  // Plain http only for an http issuer (development), as the servers' own discovery does: an https issuer's
  // metadata cannot move the login or the code exchange onto http.
  const issuerUrl = new URL(options.issuer);
  let discovered: Promise<Configuration> | undefined;
  const issuer = (): Promise<Configuration> => {
    discovered ??= discovery(
      issuerUrl,
      options.clientId,
      undefined,
      ClientSecretBasic(options.clientSecret),
      issuerUrl.protocol === 'http:' ? { execute: [allowInsecureRequests] } : undefined,
    ).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
  const db = options.db as unknown as Kysely<ApprovalTables>;

  return (req, res, path, baseUrl) => {
    const base = (options.publicUrl ?? baseUrl).replace(/\/+$/, '');
    const secure = base.startsWith('https:');
    const match = APPROVAL_PATH.exec(path);
    if (path !== CALLBACK_PATH && match === null) return false;
    const answer = async (): Promise<void> => {
      if (req.headers.authorization !== undefined) {
        req.resume();
        // Logged, not audited: the header names no verified person, and a row per request would let anyone fill the log.
        options.logger.warn({ path }, 'approval page refused a request with an Authorization header');
        send(res, 403, renderRefusalPage('Not allowed', 'Approvals are decided by a person in a browser, never with a bearer token.'));
        return;
      }
      const jar = readCookies(req.headers.cookie);
      if (path === CALLBACK_PATH) {
        if (req.method !== 'GET') return void send(res, 405, renderRefusalPage('Method not allowed', 'GET only.'));
        const login = cookies.open(jar.get(loginCookie));
        if (login === undefined) return void send(res, 400, renderRefusalPage('Login expired', 'Open the approval link again.'));
        const tokens = await authorizationCodeGrant(await issuer(), new URL(req.url ?? '/', base), {
          pkceCodeVerifier: String(login['verifier']),
          expectedState: String(login['state']),
          expectedNonce: String(login['nonce']),
          idTokenExpected: true,
        });
        const sub = tokens.claims()?.sub;
        if (sub === undefined) return void send(res, 400, renderRefusalPage('Login failed', 'The issuer named no user.'));
        const session = cookies.seal({ sub, sid: randomBytes(16).toString('base64url'), exp: Date.now() + options.sessionTtlMs });
        res.setHeader('set-cookie', [cookieHeader(sessionCookie, session, options.sessionTtlMs, secure), cookieHeader(loginCookie, '', 0, secure)]);
        res.writeHead(303, { location: `${base}/approvals/${String(login['approval'])}`, 'cache-control': 'no-store' }).end();
        return;
      }
      const id = match?.[1] as string;
      const session = cookies.open(jar.get(sessionCookie));
      if (session === undefined) {
        req.resume();
        if (req.method !== 'GET') return void send(res, 401, renderRefusalPage('Not logged in', 'Open the approval link again and log in.'));
        const verifier = randomPKCECodeVerifier();
        const state = randomState();
        const nonce = randomNonce();
        const url = buildAuthorizationUrl(await issuer(), {
          redirect_uri: `${base}${CALLBACK_PATH}`,
          scope: 'openid',
          code_challenge: await calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        });
        res.setHeader(
          'set-cookie',
          cookieHeader(loginCookie, cookies.seal({ verifier, state, nonce, approval: id, exp: Date.now() + LOGIN_TTL_MS }), LOGIN_TTL_MS, secure),
        );
        res.writeHead(303, { location: url.href, 'cache-control': 'no-store' }).end();
        return;
      }
      const subject = String(session['sub']);
      const csrf = cookies.mac(`${String(session['sid'])}:${id}`);
      const { rows } = await sql<ApprovalRow>`SELECT * FROM approvals WHERE id = ${id}`.execute(db);
      const row = rows[0];
      if (row === undefined || row.caller_subject !== subject) {
        req.resume();
        // Someone else's approval looks like a missing one: the page confirms nothing about it.
        await audit(options, db, { principal: subject, approvalId: id, outcome: 'FORBIDDEN', reason: row === undefined ? 'unknown' : 'not_the_caller' });
        return void send(res, 403, renderRefusalPage('Not your approval', 'This approval does not exist or belongs to another person. Nothing was changed.'));
      }
      if (req.method === 'GET') return void send(res, 200, renderApprovalPage(row, statusOf(row), csrf, subject));
      if (req.method !== 'POST') return void send(res, 405, renderRefusalPage('Method not allowed', 'GET or POST only.'));
      const body = await readRequestBody(req, FORM_LIMIT_BYTES, FORM_TIMEOUT_MS);
      if (body === 'too_large' || body === 'timeout')
        return void send(res, body === 'too_large' ? 413 : 408, renderRefusalPage('Not allowed', 'The form could not be read. Open the approval link again.'));
      const form = new URLSearchParams(body.toString('utf8'));
      const decision = form.get('decision');
      if (!cookies.verify(`${String(session['sid'])}:${id}`, form.get('csrf') ?? '') || (decision !== 'approve' && decision !== 'decline')) {
        await audit(options, db, { principal: subject, approvalId: id, outcome: 'FORBIDDEN', reason: 'bad_form' });
        return void send(res, 403, renderRefusalPage('Not allowed', 'The form was not sent from this page. Open the approval link again.'));
      }
      const status = await decide(options, db, id, subject, decision);
      send(res, status === (decision === 'approve' ? 'approved' : 'declined') ? 200 : 409, renderDecidedPage(status));
    };
    answer().catch((error: unknown) => {
      options.logger.warn({ err: error, path }, 'approval page failed');
      if (!res.headersSent) send(res, 500, renderRefusalPage('Something went wrong', 'Try the approval link again.'));
      else res.destroy();
    });
    return true;
  };
}

/** Records a decision on a pending, unexpired approval with its audit row, in one transaction; answers the status it ends in. */
async function decide(
  options: Pick<ApprovalPagesOptions<ApprovalTables>, 'approvedTtlMs' | 'auditDigestKey'>,
  db: Kysely<ApprovalTables>,
  id: string,
  subject: string,
  decision: 'approve' | 'decline',
) {
  return inTransaction(db, async (trx) => {
    const { rows } = await sql<ApprovalRow>`SELECT * FROM approvals WHERE id = ${id} FOR UPDATE`.execute(trx);
    const row = rows[0] as ApprovalRow;
    const current = statusOf(row);
    if (current !== 'pending') {
      await audit(options, trx, { principal: subject, approvalId: id, outcome: 'CONFLICT', reason: current });
      return current;
    }
    const status = decision === 'approve' ? 'approved' : 'declined';
    await sql`
      UPDATE approvals SET status = ${status}, decided_at = now(), decided_by = ${subject},
             expires_at = CASE WHEN ${status} = 'approved' THEN now() + ${`${options.approvedTtlMs} milliseconds`}::interval ELSE expires_at END
       WHERE id = ${id}`.execute(trx);
    await audit(options, trx, { principal: subject, approvalId: id, outcome: status, reason: null, operation: row.operation });
    return status;
  });
}

/** One row in the server's audit log for a decision or a refused attempt (tool `approval_decide`). */
async function audit(
  options: Pick<ApprovalPagesOptions<ApprovalTables>, 'auditDigestKey'>,
  db: Kysely<ApprovalTables>,
  entry: { principal: string; approvalId: string | null; outcome: string; reason: string | null; operation?: string },
): Promise<void> {
  const args = { approval_id: entry.approvalId, reason: entry.reason, ...(entry.operation === undefined ? {} : { operation: entry.operation }) };
  await sql`
    INSERT INTO mcp_audit_log (request_id, principal_id, tool, outcome, duration_ms, args_digest, args)
    VALUES (${newId('req')}, ${entry.principal}, 'approval_decide', ${entry.outcome}, 0, ${keyedDigest(args, options.auditDigestKey)}, ${JSON.stringify(args)}::jsonb)`.execute(
    db,
  );
}

function cookieHeader(name: string, value: string, maxAgeMs: number, secure: boolean): string {
  return `${name}=${value}; Path=/approvals; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** HTML with a strict policy: no scripts at all, forms post only here, never framed. */
function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    // Not no-referrer: Chromium then sends `Origin: null` with the form, which the Origin guard refuses.
    'referrer-policy': 'same-origin',
  });
  res.end(html);
}
