import * as oauth from 'openid-client';
import { StackError } from './stack-error.ts';

/** Where to get a token from and for which resource. */
interface GrantTarget {
  /** The provider's issuer URL; every endpoint comes from its metadata (discovery). */
  readonly issuerUrl: string;
  /** The resource indicator (RFC 8707): the token's audience, e.g. the router's `http://127.0.0.1:8080/mcp`. */
  readonly resource: string;
  /** Scopes asked for; the token carries those the user (or client) may have. */
  readonly scopes: readonly string[];
}

/** Options of {@link loginToken}. */
export interface LoginTokenOptions extends GrantTarget {
  /** The public client (no secret) and its registered redirect URI. */
  readonly clientId: string;
  readonly redirectUri: string;
  /** The person logging in on the provider's login page. */
  readonly login: string;
  readonly password: string;
}

/** Options of {@link clientCredentialsToken}. */
export interface ClientCredentialsTokenOptions extends GrantTarget {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * A user's access token through the authorization code grant with PKCE (S256), run with `openid-client` against
 * the provider, playing the browser's part with fetch: open the authorization URL, post the login form as
 * `login`, follow the provider's redirects until the one to `redirectUri` (never fetched: nothing listens there),
 * and redeem its code. The same steps a person takes in a browser, so the token is what an MCP client gets.
 * @throws StackError when the provider cannot be reached, refuses the login, or grants nothing.
 */
export async function loginToken(options: LoginTokenOptions): Promise<string> {
  const config = await discover(options.issuerUrl, options.clientId, undefined, oauth.None());
  const verifier = oauth.randomPKCECodeVerifier();
  const state = oauth.randomState();
  const authorize = oauth.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: options.scopes.join(' '),
    resource: options.resource,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = cookieJar();
  const toLogin = await browser.go(authorize.href);
  const loginUrl = locationOf(toLogin, authorize.href);
  if (loginUrl === undefined) throw new StackError(`the provider did not send the login page (HTTP ${toLogin.status}): ${await errorText(toLogin)}`);
  // A request the provider refuses at once (an unknown resource, say) comes straight back to the client with an error.
  if (loginUrl.startsWith(options.redirectUri)) throw refusedAuthorization(new URL(loginUrl));
  const page = await browser.go(loginUrl);
  if (page.status !== 200) throw new StackError(`the provider's login page answered HTTP ${page.status}`);
  await page.body?.cancel();
  const submitted = await browser.go(loginUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: options.login, password: options.password }).toString(),
  });
  if (submitted.status === 401) throw new StackError(`the provider refused the login of "${options.login}": unknown user or wrong password`);
  let next = locationOf(submitted, loginUrl);
  // Login, then implied consent: a few redirects inside the provider before the one back to the client.
  for (let hop = 0; hop < 8 && next !== undefined && !next.startsWith(options.redirectUri); hop++) {
    const response = await browser.go(next);
    next = locationOf(response, next);
  }
  if (next === undefined || !next.startsWith(options.redirectUri)) throw new StackError('the provider did not redirect back with an authorization code');
  if (new URL(next).searchParams.has('error')) throw refusedAuthorization(new URL(next));
  try {
    const tokens = await oauth.authorizationCodeGrant(
      config,
      new URL(next),
      { pkceCodeVerifier: verifier, expectedState: state },
      { resource: options.resource },
    );
    return tokens.access_token;
  } catch (error) {
    throw grantError(error);
  }
}

/**
 * A service's access token through the client credentials grant (RFC 6749 §4.4) with a resource indicator.
 * @throws StackError when the provider cannot be reached or refuses the client, scopes or resource.
 */
export async function clientCredentialsToken(options: ClientCredentialsTokenOptions): Promise<string> {
  const config = await discover(options.issuerUrl, options.clientId, options.clientSecret, oauth.ClientSecretBasic(options.clientSecret));
  try {
    const tokens = await oauth.clientCredentialsGrant(config, { scope: options.scopes.join(' '), resource: options.resource });
    return tokens.access_token;
  } catch (error) {
    throw grantError(error);
  }
}

async function discover(issuerUrl: string, clientId: string, secret: string | undefined, auth: oauth.ClientAuth): Promise<oauth.Configuration> {
  try {
    return await oauth.discovery(new URL(issuerUrl), clientId, secret, auth, { execute: [oauth.allowInsecureRequests], timeout: 10 });
  } catch (error) {
    throw new StackError(`no OpenID provider answers at ${issuerUrl} (is \`npm start\` running, on the same MCPFED_PORT_BASE?): ${messageOf(error)}`);
  }
}

function refusedAuthorization(callback: URL): StackError {
  const error = callback.searchParams.get('error') ?? 'no code';
  const description = callback.searchParams.get('error_description');
  return new StackError(`the provider refused the authorization request: ${error}${description === null ? '' : ` (${description})`}`);
}

function grantError(error: unknown): StackError {
  if (error instanceof oauth.ResponseBodyError)
    return new StackError(`the provider refused the token request: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`);
  return new StackError(`the token request failed: ${messageOf(error)}`);
}

/** Just enough of a browser: cookies kept between requests (the provider's interaction session), redirects not followed. */
function cookieJar(): { go(url: string, init?: RequestInit): Promise<Response> } {
  const cookies = new Map<string, string>();
  return {
    async go(url, init = {}) {
      const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string> | undefined), ...(cookie === '' ? {} : { cookie }) },
      });
      for (const header of response.headers.getSetCookie()) {
        const [pair = ''] = header.split(';');
        const at = pair.indexOf('=');
        if (at > 0) cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
      }
      return response;
    },
  };
}

function locationOf(response: Response, base: string): string | undefined {
  const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
  return location === null ? undefined : new URL(location, base).href;
}

async function errorText(response: Response): Promise<string> {
  const text = (await response.text()).slice(0, 300);
  return text.replace(/\s+/g, ' ').trim() || `HTTP ${response.status}`;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return message + cause;
}
