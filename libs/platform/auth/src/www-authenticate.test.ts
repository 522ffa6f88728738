import { describe, expect, it } from 'vitest';
import { wwwAuthenticate } from './www-authenticate.ts';

const META = 'http://127.0.0.1:8081/.well-known/oauth-protected-resource';

describe('wwwAuthenticate', () => {
  it('points a request without a token at the metadata only', () => {
    expect(wwwAuthenticate({ resourceMetadataUrl: META })).toBe(`Bearer resource_metadata="${META}"`);
  });

  it('builds the 401 challenge for a bad token', () => {
    expect(wwwAuthenticate({ resourceMetadataUrl: META, error: 'invalid_token', description: 'token expired' })).toBe(
      'Bearer resource_metadata="http://127.0.0.1:8081/.well-known/oauth-protected-resource", error="invalid_token", error_description="token expired"',
    );
  });

  it('builds the 403 scope challenge with the scope before the free text', () => {
    expect(
      wwwAuthenticate({
        resourceMetadataUrl: META,
        error: 'insufficient_scope',
        scope: 'customer:read  customer:pii',
        description: 'missing scope: customer:pii',
      }),
    ).toBe(
      `Bearer resource_metadata="${META}", error="insufficient_scope", scope="customer:read customer:pii", error_description="missing scope: customer:pii"`,
    );
  });

  it('keeps the description inside RFC 6750 characters so the header cannot be split or unquoted', () => {
    expect(wwwAuthenticate({ resourceMetadataUrl: META, description: 'say "hi"\\\r\nSet-Cookie: x=1 é' })).toBe(
      `Bearer resource_metadata="${META}", error_description="say 'hi'/??Set-Cookie: x=1 ?"`,
    );
  });

  it('escapes a quote or backslash in the metadata URL as a quoted-pair', () => {
    expect(wwwAuthenticate({ resourceMetadataUrl: 'https://a.example/x"y\\z' })).toBe('Bearer resource_metadata="https://a.example/x\\"y\\\\z"');
  });

  it('refuses values that would make an invalid header', () => {
    expect(() => wwwAuthenticate({ resourceMetadataUrl: '/.well-known/oauth-protected-resource' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => wwwAuthenticate({ resourceMetadataUrl: `${META}\r\nX: y` })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => wwwAuthenticate({ resourceMetadataUrl: META, scope: 'a "b"' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => wwwAuthenticate({ resourceMetadataUrl: META, scope: ' ' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
