import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, SettingsError, parseHarnessSettings } from './harness-settings.ts';

const parse = (argv: string[], env: Record<string, string> = {}) => parseHarnessSettings(argv, env, '/repo');

describe('parseHarnessSettings', () => {
  it('runs every fault but the Redis flush by default, against npm start in <repo>/.data', () => {
    const settings = parse([]);
    expect(settings.faults).toEqual(DEFAULT_FAULTS);
    expect(settings.faults).not.toContain('redis-flush');
    expect(settings).toMatchObject({
      dataDir: '/repo/.data',
      portBase: undefined,
      outageMs: 10_000,
      killServer: 'order',
      concurrency: 4,
      allowRedisFlush: false,
      settleMs: 200_000,
    });
  });

  it('refuses redis-flush unless --allow-redis-flush says the operator agrees to lose the queued data', () => {
    expect(() => parse(['--faults', 'pg-restart,redis-flush'])).toThrow(SettingsError);
    expect(() => parse(['--faults', 'redis-flush'])).toThrow(/Pass --allow-redis-flush to agree/);
    expect(parse(['--faults', 'redis-flush', '--allow-redis-flush']).faults).toEqual(['redis-flush']);
  });

  it('takes the stack from the environment as npm start does, the command line winning', () => {
    const env = { MCPFED_PORT_BASE: '21000', MCPFED_DATA_DIR: '/tmp/stack', DATABASE_URL_ORDER: 'postgres://o@h/order', REDIS_URL: 'redis://h:1' };
    expect(parse([], env)).toMatchObject({ portBase: 21000, dataDir: '/tmp/stack', databaseUrls: { order: 'postgres://o@h/order' }, redisUrl: 'redis://h:1' });
    expect(parse(['--port-base', '22000', '--redis-url', 'redis://x:2'], env)).toMatchObject({ portBase: 22000, redisUrl: 'redis://x:2' });
  });

  it('names what is wrong with a bad setting', () => {
    expect(() => parse(['--faults', 'meteor'])).toThrow('unknown fault "meteor"; known: pg-restart, pg-outage, server-kill, redis-flush, hostile');
    expect(() => parse(['--outage-ms', 'soon'])).toThrow('--outage-ms must be a whole number from 0 to 600000, got "soon"');
    expect(() => parse(['--kill', 'postgres'])).toThrow('--kill must name a server of the stack, got "postgres"');
    expect(() => parse(['--port-base', '80'])).toThrow('--port-base must be a whole number from 1024 to 65525, got "80"');
    expect(() => parse(['--bogus'])).toThrow(SettingsError);
  });
});
