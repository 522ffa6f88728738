import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@mcpfed/errors';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.ts';
import type { LogLevel } from './create-logger.ts';
import { currentRequestScope, runWithRequestScope } from './request-scope.ts';

function capture(level: LogLevel = 'info') {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ name: 'customer-server', level, destination: { write: (line) => lines.push(JSON.parse(line)) } });
  return { log, lines };
}

const SCOPE = { requestId: '01m80z3h5a90rnxepv3f', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', principal: 'user_42', tool: 'customer_get' };

describe('createLogger', () => {
  it('writes JSON lines with the request scope of the code that logs, also after an await', async () => {
    const { log, lines } = capture();
    await runWithRequestScope(SCOPE, async () => {
      log.info('start');
      await sleep(1);
      log.warn({ rows: 1 }, 'done');
    });
    log.info('outside');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      level: 'info',
      name: 'customer-server',
      msg: 'start',
      request_id: SCOPE.requestId,
      trace_id: SCOPE.traceId,
      principal: 'user_42',
      tool: 'customer_get',
    });
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'done', rows: 1, request_id: SCOPE.requestId, trace_id: SCOPE.traceId });
    expect(lines[2]).toMatchObject({ level: 'info', msg: 'outside' });
    expect(Object.keys(lines[2]!)).not.toContain('request_id');
    expect(Object.keys(lines[2]!)).not.toContain('trace_id');
  });

  it('omits scope fields that are not set, and lets fields of the call win', () => {
    const { log, lines } = capture();
    runWithRequestScope({ requestId: 'r1' }, () => log.info({ tool: 'order_get' }, 'x'));
    expect(lines[0]).toMatchObject({ request_id: 'r1', tool: 'order_get' });
    expect(Object.keys(lines[0]!)).not.toContain('trace_id');
    expect(Object.keys(lines[0]!)).not.toContain('principal');
  });

  it('keeps concurrent requests apart', async () => {
    const { log, lines } = capture();
    await Promise.all(
      ['a', 'b', 'c'].map((id, i) =>
        runWithRequestScope({ requestId: id }, async () => {
          await sleep(3 - i);
          log.info({ expected: id }, 'x');
        }),
      ),
    );
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.request_id).toBe(line.expected);
    expect(currentRequestScope()).toBeUndefined();
  });

  it('redacts secrets and PII at the top level, one level down, under args and in request headers', () => {
    const { log, lines } = capture();
    log.info(
      {
        email: 'ann@example.com',
        password: 'hunter2',
        args: {
          email: 'ann@example.com',
          phone: '+15551234567',
          id: 'cus_1',
          address: { line1: '1 Main St' },
          shipping: { phone: '+15557654321', city: 'Oslo' },
        },
        req: { method: 'POST', headers: { authorization: 'Bearer eyJhbGciOi', cookie: 's=1', host: 'localhost' } },
        headers: { authorization: 'Bearer abc' },
        customer: { token: 'tok_1', name: 'Ann', address: { city: 'Oslo' } },
        err: { code: 'ECONNREFUSED', address: '10.0.0.5' },
      },
      'call',
    );
    expect(lines[0]).toMatchObject({
      email: '[redacted]',
      password: '[redacted]',
      args: {
        email: '[redacted]',
        phone: '[redacted]',
        id: 'cus_1',
        address: '[redacted]',
        shipping: { phone: '[redacted]', city: 'Oslo' },
      },
      req: { method: 'POST', headers: { authorization: '[redacted]', cookie: '[redacted]', host: 'localhost' } },
      headers: { authorization: '[redacted]' },
      customer: { token: '[redacted]', name: 'Ann', address: '[redacted]' },
      err: { code: 'ECONNREFUSED', address: '10.0.0.5' },
      msg: 'call',
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/ann@example|hunter2|eyJhbGciOi|Bearer|tok_1|\+1555|Main St/);
  });

  it('honours the level', () => {
    const { log, lines } = capture('warn');
    log.info('dropped');
    log.error('kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
  });

  it('rejects an unknown level and an empty name', () => {
    const bad = (options: Parameters<typeof createLogger>[0]) => {
      try {
        createLogger(options);
      } catch (err) {
        return AppError.is(err) ? [err.code, err.details] : err;
      }
      return 'no error';
    };
    expect(bad({ name: 'x', level: 'verbose' as LogLevel })).toEqual(['VALIDATION_FAILED', { field: 'level' }]);
    expect(bad({ name: '', level: 'info' })).toEqual(['VALIDATION_FAILED', { field: 'name' }]);
  });

  it('writes to stderr by default and never to stdout (the stdio protocol channel), flushing on exit', () => {
    const module = new URL('./create-logger.ts', import.meta.url).href;
    const script = `import { createLogger } from ${JSON.stringify(module)};
const log = createLogger({ name: 'stdio-check', level: 'info' });
for (let i = 0; i < 3; i++) log.info({ i }, 'line');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('');
    const lines = child.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.name, l.msg, l.i])).toEqual([
      ['stdio-check', 'line', 0],
      ['stdio-check', 'line', 1],
      ['stdio-check', 'line', 2],
    ]);
  });
});
