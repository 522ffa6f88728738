import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Tables the runtime keeps in every domain's own database: idempotency records and the audit log
 * (docs/architecture.md §4, §5). Apps spread these into their migrations object; the `0000_` prefix sorts them
 * before the domain's own migrations (a later runtime migration sorts before domain migrations a database applied
 * already: `migrateToLatest` applies it all the same).
 */
export const runtimeMigrations: Record<string, Migration> = {
  '0000_mcp_runtime_0001_idempotency_and_audit': {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE mcp_idempotency_keys (
          principal_id text NOT NULL,
          tool text NOT NULL,
          key text NOT NULL,
          request_hash text NOT NULL,
          response jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (principal_id, tool, key)
        )`.execute(db);
      await sql`CREATE INDEX mcp_idempotency_keys_created_at ON mcp_idempotency_keys (created_at)`.execute(db);
      await sql`
        CREATE TABLE mcp_audit_log (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          at timestamptz NOT NULL DEFAULT now(),
          request_id text NOT NULL,
          trace_id text,
          principal_id text NOT NULL,
          acting_for text,
          tool text NOT NULL,
          outcome text NOT NULL,
          duration_ms double precision NOT NULL,
          args_digest text NOT NULL,
          args jsonb NOT NULL,
          replayed boolean NOT NULL DEFAULT false,
          dry_run boolean NOT NULL DEFAULT false
        )`.execute(db);
      await sql`CREATE INDEX mcp_audit_log_at ON mcp_audit_log (at)`.execute(db);
      await sql`CREATE INDEX mcp_audit_log_principal_at ON mcp_audit_log (principal_id, at)`.execute(db);
      await sql`CREATE INDEX mcp_audit_log_tool_at ON mcp_audit_log (tool, at)`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`DROP TABLE mcp_audit_log`.execute(db);
      await sql`DROP TABLE mcp_idempotency_keys`.execute(db);
    },
  },
  /**
   * The actor chain of an exchanged token (RFC 8693 `act`, most recent first) replaces `acting_for`, which an invented
   * claim filled (the caller a service token acted for, or the one actor of an exchanged token). Old rows keep their
   * `acting_for` as it was written, readable; new rows leave it NULL.
   */
  '0000_mcp_runtime_0002_audit_actors': {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`ALTER TABLE mcp_audit_log ADD COLUMN actors text[]`.execute(db);
      await sql`COMMENT ON COLUMN mcp_audit_log.acting_for IS 'rows written before the actors column: the acting-for subject of a service token, or the actor of an exchanged token'`.execute(
        db,
      );
      await sql`COMMENT ON COLUMN mcp_audit_log.actors IS 'the token''s act chain (RFC 8693), most recent actor first; NULL when the principal called for itself'`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`ALTER TABLE mcp_audit_log DROP COLUMN actors`.execute(db);
    },
  },
};

/** Row shapes of the runtime's tables, for apps that want them in their Kysely database type. */
export interface RuntimeTables {
  mcp_idempotency_keys: {
    principal_id: string;
    tool: string;
    key: string;
    request_hash: string;
    response: unknown;
    created_at: Date;
  };
  mcp_audit_log: {
    id: number;
    at: Date;
    request_id: string;
    trace_id: string | null;
    principal_id: string;
    /** Rows written before `actors` existed only (see migration 0002). */
    acting_for: string | null;
    /** The delegation chain, most recent actor first; NULL when the principal called for itself. */
    actors: string[] | null;
    tool: string;
    outcome: string;
    duration_ms: number;
    args_digest: string;
    args: unknown;
    replayed: boolean;
    dry_run: boolean;
  };
}
