import { describe, expect, it } from 'vitest';
import { AppError } from '@mcpfed/errors';
import { databaseNameOf } from './database-name-of.ts';

describe('databaseNameOf', () => {
  it('returns the path of the URL as the database name', () => {
    expect(databaseNameOf('postgres://app:s3cret@db:5432/customer')).toBe('customer');
  });

  it('percent-decodes the name', () => {
    expect(databaseNameOf('postgres://app@db/my%20db')).toBe('my db');
  });

  it('defaults to postgres when the URL names no database', () => {
    expect(databaseNameOf('postgres://app@db:5432')).toBe('postgres');
    expect(databaseNameOf('postgres://app@db:5432/')).toBe('postgres');
  });

  it('refuses a string that is not a URL without echoing it', () => {
    let caught: unknown;
    try {
      databaseNameOf('not a url with s3cret');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('VALIDATION_FAILED');
    expect((caught as AppError).message).toBe('databaseNameOf: connectionString must be a postgres:// URL.');
  });
});
