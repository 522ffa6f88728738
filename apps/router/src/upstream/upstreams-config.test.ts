import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUpstreams } from './upstreams-config.ts';

describe('parseUpstreams', () => {
  it('reads the JSON itself and applies the defaults', () => {
    expect(parseUpstreams('{"upstreams":[{"name":"customer","url":"http://127.0.0.1:8081/mcp"}]}')).toEqual([
      { name: 'customer', url: 'http://127.0.0.1:8081/mcp', timeout_ms: 5000, tool_timeout_ms: {}, concurrency: 64, enabled: true },
    ]);
  });

  it('reads a file, keeps the order written and leaves disabled upstreams out', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'upstreams-')), 'upstreams.json');
    writeFileSync(
      file,
      JSON.stringify({
        upstreams: [
          { name: 'order', url: 'http://127.0.0.1:8082/mcp', tool_timeout_ms: { order_place: 35000 } },
          { name: 'legacy', url: 'http://127.0.0.1:9999/mcp', enabled: false },
          { name: 'customer', url: 'http://127.0.0.1:8081/mcp', timeout_ms: 2000, concurrency: 8 },
        ],
      }),
    );
    expect(parseUpstreams(file).map((u) => [u.name, u.timeout_ms, u.concurrency, u.tool_timeout_ms])).toEqual([
      ['order', 5000, 64, { order_place: 35000 }],
      ['customer', 2000, 8, {}],
    ]);
  });

  it.each([
    ['{"upstreams":[]}', 'upstreams: at least one upstream is required'],
    ['{"upstreams":[{"name":"Customer","url":"http://x/mcp"}]}', 'upstreams.0.name: must match [a-z][a-z0-9-]* (lowercase letters, digits, dashes)'],
    ['{"upstreams":[{"name":"a","url":"http://x/mcp"},{"name":"a","url":"http://y/mcp"}]}', 'upstreams.1.name: duplicate upstream name "a"'],
    ['{"upstreams":[{"name":"a","url":"ftp://x/mcp"}]}', 'upstreams.0.url: Invalid URL'],
    ['{"upstreams":[{"name":"a","url":"http://x/mcp","timeout":5}]}', 'upstreams.0: Unrecognized key: "timeout"'],
    ['{"upstreams":', 'not valid JSON'],
    ['/nonexistent/upstreams.json', 'cannot read the file /nonexistent/upstreams.json (ENOENT)'],
  ])('refuses %s', (value, message) => {
    expect(() => parseUpstreams(value)).toThrow(message);
  });
});
