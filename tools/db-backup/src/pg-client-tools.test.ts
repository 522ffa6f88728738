import { describe, expect, it } from 'vitest';
import { chooseTool, parseToolVersion } from './pg-client-tools.ts';

describe('parseToolVersion', () => {
  it('reads the version of Debian, upstream and beta builds', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n')).toEqual({ major: 15, version: '15.20' });
    expect(parseToolVersion('pg_restore (PostgreSQL) 18.1')).toEqual({ major: 18, version: '18.1' });
    expect(parseToolVersion('pg_dump (PostgreSQL) 18beta1')).toEqual({ major: 18, version: '18' });
    expect(parseToolVersion('something else')).toBeUndefined();
  });
});

describe('chooseTool', () => {
  const tool = (major: number) => ({ path: `/usr/lib/postgresql/${major}/bin/pg_dump`, major, version: `${major}.2` });

  it('takes the oldest tool that is at least the server version', () => {
    expect(chooseTool('pg_dump', [tool(17), tool(15), tool(16)], 16, 'the server').major).toBe(16);
    expect(chooseTool('pg_dump', [tool(17)], 15, 'the server').major).toBe(17);
  });

  it('refuses an older tool with a message naming the versions and what to install', () => {
    expect(() => chooseTool('pg_dump', [tool(15)], 18, 'the server of DATABASE_URL_CUSTOMER')).toThrow(
      'the server of DATABASE_URL_CUSTOMER is PostgreSQL 18, but the newest pg_dump here is 15.2 (/usr/lib/postgresql/15/bin/pg_dump): pg_dump must be version 18 or newer. Install the PostgreSQL 18 client',
    );
    expect(() => chooseTool('pg_restore', [], 15, 'the archive')).toThrow('the archive is PostgreSQL 15, but no pg_restore was found');
  });
});
