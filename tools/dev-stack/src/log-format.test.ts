import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-format.ts';

const format = { name: 'customer', color: 'cyan', nameWidth: 10 } as const;
// 2026-01-02T03:04:05.678 in local time, so the expectation does not depend on the machine's time zone.
const time = new Date(2026, 0, 2, 3, 4, 5, 678).getTime();

describe('formatLogLine', () => {
  it('prints a pino record as time, level, message and its context fields', () => {
    const line = JSON.stringify({ level: 30, time, pid: 42, hostname: 'box', msg: 'listening', url: 'http://127.0.0.1:8081', tools: 12 });
    expect(formatLogLine(line, format)).toBe('customer   | 03:04:05.678 INFO  listening url=http://127.0.0.1:8081 tools=12');
  });

  it('quotes string values with spaces and shows objects as JSON', () => {
    const line = JSON.stringify({ level: 40, time, msg: 'slow call', tool: 'customer_get', note: 'two words', ctx: { a: 1 } });
    expect(formatLogLine(line, format)).toBe('customer   | 03:04:05.678 WARN  slow call tool=customer_get note="two words" ctx={"a":1}');
  });

  it('adds the error summary and, for errors, the stack lines indented', () => {
    const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.ts:1:1)\n    at g (b.ts:2:2)' };
    const line = JSON.stringify({ level: 50, time, msg: 'tool failed', err });
    expect(formatLogLine(line, format).split('\n')).toEqual([
      'customer   | 03:04:05.678 ERROR tool failed err="Error: boom"',
      'customer   |     at f (a.ts:1:1)',
      'customer   |     at g (b.ts:2:2)',
    ]);
  });

  it('reads level labels as well as numbers', () => {
    const line = JSON.stringify({ level: 'warn', time, name: 'customer-server', msg: 'redis slow' });
    expect(formatLogLine(line, format)).toBe('customer   | 03:04:05.678 WARN  redis slow');
    expect(formatLogLine(JSON.stringify({ level: 'loud', time, msg: 'x' }), format)).toBe(`customer   | ${JSON.stringify({ level: 'loud', time, msg: 'x' })}`);
  });

  it('keeps lines that are not pino records as they are', () => {
    expect(formatLogLine('Node.js v24.9.0', format)).toBe('customer   | Node.js v24.9.0');
    expect(formatLogLine('{"not":"pino"}', format)).toBe('customer   | {"not":"pino"}');
    expect(formatLogLine('{broken json', format)).toBe('customer   | {broken json');
  });

  it('accepts ISO time strings and unknown levels', () => {
    const line = JSON.stringify({ level: 35, time: new Date(time).toISOString(), msg: 'custom' });
    expect(formatLogLine(line, format)).toBe('customer   | 03:04:05.678 35    custom');
  });

  it('colours the name and level only when asked', () => {
    const line = JSON.stringify({ level: 30, time, msg: 'hi' });
    expect(formatLogLine(line, { ...format, ansi: true })).toMatch(/^\u001b\[36m\u001b\[1mcustomer {2}\u001b\[22m\u001b\[39m/);
    expect(formatLogLine(line, format)).not.toContain('\u001b[');
  });
});
