import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { DevProviderUser } from './create-dev-provider.ts';
import { renderLoginPage } from './login-page.ts';

/**
 * The development issuer's interaction page: the login form (GET), the check of a user's name and password (POST), and
 * consent implied for the scopes the user holds.
 */
export async function handleInteraction(
  provider: Provider,
  users: ReadonlyMap<string, DevProviderUser>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') {
    await provider.interactionFinished(req, res, { consent: { grantId: await impliedConsent(provider, users, details) } }, { mergeWithLastSubmission: true });
    return;
  }
  if (details.prompt.name !== 'login') throw new Error(`unexpected prompt ${details.prompt.name}`);
  if (req.method === 'GET') {
    send(res, 200, renderLoginPage({ uid: details.uid, clientId: String(details.params['client_id'] ?? ''), action: req.url ?? '' }));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const user = users.get(form.get('login') ?? '');
  if (user === undefined || !sameSecret(user.password, form.get('password') ?? '')) {
    send(
      res,
      401,
      renderLoginPage({
        uid: details.uid,
        clientId: String(details.params['client_id'] ?? ''),
        action: req.url ?? '',
        error: 'Unknown user or wrong password.',
      }),
    );
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.subject } }, { mergeWithLastSubmission: false });
}

/**
 * Consent is implied for what the user holds (a development issuer has no consent screen): the grant gets the
 * requested OpenID scopes and, per resource, the requested scopes the user holds; the others are refused, so the
 * token carries the rest.
 */
async function impliedConsent(
  provider: Provider,
  users: ReadonlyMap<string, DevProviderUser>,
  details: Awaited<ReturnType<Provider['interactionDetails']>>,
): Promise<string> {
  const accountId = details.session?.accountId;
  const user = accountId === undefined ? undefined : users.get(accountId);
  if (user === undefined) throw new Error('consent without a logged-in user');
  const grant =
    details.grantId === undefined
      ? new provider.Grant({ accountId: user.subject, clientId: String(details.params['client_id']) })
      : await provider.Grant.find(details.grantId);
  if (grant === undefined) throw new Error('grant expired');
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const held = new Set(user.scopes);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    const granted = scopes.filter((s) => held.has(s));
    const refused = scopes.filter((s) => !held.has(s));
    if (granted.length > 0) grant.addResourceScope(indicator, granted.join(' '));
    if (refused.length > 0) grant.rejectResourceScope(indicator, refused.join(' '));
  }
  return grant.save();
}

function sameSecret(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * No `form-action`: browsers apply it to the redirects that follow the login form too, and the last of those goes to
 * the client's own redirect URI (another origin), so it would block every login. The form posts to this page only.
 */
function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

function readBody(req: IncomingMessage, limit = 16 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
