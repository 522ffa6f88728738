import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Catalog import jobs and their rejected rows. The counters of an import and the rows of a batch commit in one
 * transaction, so `records_done` is always an exact resume point after a crash.
 */
export const productImportsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE product_imports (
        id text PRIMARY KEY CHECK (id ~ '^imp_[0-9a-hjkmnp-tv-z]{26}$'),
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        format text NOT NULL CHECK (format IN ('jsonl', 'csv')),
        source_kind text NOT NULL CHECK (source_kind IN ('path', 'url')),
        source text NOT NULL CHECK (char_length(source) BETWEEN 1 AND 2000),
        created_by text NOT NULL CHECK (char_length(created_by) BETWEEN 1 AND 300),
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        records_done integer NOT NULL DEFAULT 0 CHECK (records_done >= 0),
        rows_ok integer NOT NULL DEFAULT 0 CHECK (rows_ok >= 0),
        rows_failed integer NOT NULL DEFAULT 0 CHECK (rows_failed >= 0),
        lines_done integer NOT NULL DEFAULT 0 CHECK (lines_done >= 0),
        bytes_done bigint NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
        bytes_total bigint CHECK (bytes_total >= 0),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        error jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3),
        finished_at timestamptz(3),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT product_imports_counts CHECK (rows_ok + rows_failed = records_done),
        CONSTRAINT product_imports_finished_consistent CHECK ((status IN ('completed', 'failed')) = (finished_at IS NOT NULL)),
        CONSTRAINT product_imports_key UNIQUE (created_by, idempotency_key)
      )`.execute(db);
    // The worker's start-up recovery looks for jobs that never finished.
    await sql`CREATE INDEX product_imports_unfinished ON product_imports (created_at) WHERE status IN ('queued', 'running')`.execute(db);
    await sql`
      CREATE TABLE product_import_errors (
        import_id text NOT NULL REFERENCES product_imports (id),
        line integer NOT NULL CHECK (line >= 1),
        field text NOT NULL CHECK (char_length(field) BETWEEN 1 AND 100),
        message text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 1000),
        raw text CHECK (char_length(raw) <= 500),
        PRIMARY KEY (import_id, line)
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE product_import_errors`.execute(db);
    await sql`DROP TABLE product_imports`.execute(db);
  },
};
