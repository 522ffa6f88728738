import { describe, expect, it } from 'vitest';
import { checkResponse, percentile } from './measure.ts';

const ok = '{"jsonrpc":"2.0","id":1,"result":{"content":[],"structuredContent":{"id":"cus_1"}}}';

describe('checkResponse', () => {
  it('accepts a 200 result that holds the expected row', () => {
    expect(checkResponse(200, ok, '"id":"cus_1"')).toBeUndefined();
  });

  it('accepts the same result framed as a server-sent event', () => {
    expect(checkResponse(200, `event: message\ndata: ${ok}\n\n`, '"id":"cus_1"')).toBeUndefined();
  });

  it('rejects non-2xx statuses', () => {
    expect(checkResponse(401, '{"error":"invalid_token"}', '"id":"cus_1"')).toBe('HTTP 401: {"error":"invalid_token"}');
  });

  it('rejects JSON-RPC errors', () => {
    const body = '{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Unknown tool"}}';
    expect(checkResponse(200, body, '"id":"cus_1"')).toBe(`JSON-RPC error: ${body}`);
  });

  it('rejects tool errors', () => {
    const body = '{"jsonrpc":"2.0","id":1,"result":{"content":[],"structuredContent":{"error":{"code":"RATE_LIMITED"}},"isError":true}}';
    expect(checkResponse(200, body, '"id":"cus_1"')).toBe(`tool error: ${body}`);
  });

  it('rejects a result for another row', () => {
    expect(checkResponse(200, ok, '"id":"cus_2"')).toBe(`unexpected result (missing "id":"cus_2"): ${ok}`);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });
});
