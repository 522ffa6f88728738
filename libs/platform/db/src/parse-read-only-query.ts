import { AppError } from '@mcpfed/errors';
import { loadModule, parseSync } from 'libpg-query';
import { integerOption, RELATION_NAME, stringOption } from './option-checks.ts';

/** Why {@link parseReadOnlyQuery} refused a statement: `details.reason` of its VALIDATION_FAILED error. */
export type ReadOnlyQueryRefusal =
  | 'too_long'
  | 'parse_error'
  | 'no_statement'
  | 'multiple_statements'
  | 'not_select'
  | 'select_into'
  | 'locking_clause'
  | 'data_modifying_cte'
  | 'relation_not_allowed'
  | 'function_not_allowed';

/** Options of {@link parseReadOnlyQuery}. */
export interface ParseReadOnlyQueryOptions {
  /**
   * Tables and views the query may read. `orders` means `public.orders` and matches `orders` and
   * `public.orders` in the query; `reporting.totals` matches only the qualified name. Lower-case names only,
   * and unqualified names may not start with `pg_` (they would resolve to `pg_catalog` first).
   */
  allowedRelations: readonly string[];
  /** Longest accepted SQL text, in characters. Default 20000. */
  maxLength?: number;
}

/** A statement {@link parseReadOnlyQuery} accepted. */
export interface ParsedQuery {
  /** The single statement's text: the caller's SQL without surrounding comments/whitespace or a final `;`. */
  sql: string;
  /** The allow-list entries the query reads, sorted, each once. */
  relations: string[];
}

/**
 * Functions a read-only analyst query may not call, by exact name: they write, signal other sessions, sleep,
 * read server files, or run SQL given as text (which would bypass this guard). Matched on the unqualified,
 * lower-cased name, so `pg_catalog.pg_sleep` is refused too.
 */
const DENIED_FUNCTIONS: ReadonlySet<string> = new Set([
  'set_config',
  'nextval',
  'setval',
  'pg_notify',
  'pg_stat_file',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_switch_wal',
  'pg_promote',
  'pg_checkpoint',
  'pg_current_xact_id',
  'pg_export_snapshot',
  'pg_import_system_collations',
  'pg_log_backend_memory_contexts',
  'pg_drop_replication_slot',
  'pg_logdir_ls',
  'loread',
  'lowrite',
  'ts_stat',
  'ts_rewrite',
]);

/** Families of denied functions, by name prefix. */
const DENIED_FUNCTION_PREFIXES: readonly string[] = [
  'pg_sleep',
  'pg_read_',
  'pg_ls_',
  'pg_file_',
  'pg_advisory',
  'pg_try_advisory',
  'pg_create_',
  'pg_copy_',
  'pg_replication_',
  'pg_logical_',
  'pg_wal_',
  'pg_backup_',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_stat_reset',
  'pg_stat_statements_reset',
  'lo_',
  'dblink',
  'txid_',
  'query_to_xml',
  'table_to_xml',
  'cursor_to_xml',
  'schema_to_xml',
  'database_to_xml',
  'binary_upgrade_',
];

/** Statement kinds (`<Kind>Stmt` AST nodes) named in refusals; the rest are "a statement other than SELECT". */
const STATEMENT_NAMES: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  CopyStmt: 'COPY',
  CallStmt: 'CALL',
  DoStmt: 'DO',
  ExplainStmt: 'EXPLAIN',
  LockStmt: 'LOCK',
  TransactionStmt: 'a transaction command',
  DeclareCursorStmt: 'DECLARE',
  CreateTableAsStmt: 'CREATE TABLE AS',
};

const DATA_MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

let moduleLoaded: Promise<void> | undefined;

/**
 * The guard of every `<domain>_query_sql` tool (docs/architecture.md §4). Parses `sql` with the real PostgreSQL parser
 * (libpg-query, loaded once) and accepts only one plain SELECT (or VALUES/TABLE/set operation) that reads only
 * `allowedRelations` — anywhere: FROM, JOINs, subqueries, CTE bodies, LATERAL. A CTE's own name may be used
 * in FROM within its scope. Refused, with AppError VALIDATION_FAILED and `details.reason`
 * ({@link ReadOnlyQueryRefusal}): parse errors (with the position), zero or several statements, anything but
 * SELECT (INSERT/UPDATE/DELETE/MERGE, DDL, SET, COPY, CALL, DO, EXPLAIN, LOCK...), `SELECT ... INTO`,
 * `FOR UPDATE/SHARE`, data-modifying CTEs, relations not allow-listed (including `pg_catalog.*` and
 * `information_schema.*`), and calls to functions that write, sleep, signal, read files or run SQL text.
 *
 * This is the first of two walls: the query must also run through `runReadOnlyQuery` on a pool connected as
 * the role made by `ensureReadOnlyRole`, which can read nothing else even if this guard missed something.
 */
export async function parseReadOnlyQuery(sql: string, options: ParseReadOnlyQueryOptions): Promise<ParsedQuery> {
  const where = 'parseReadOnlyQuery';
  const maxLength = integerOption(where, 'maxLength', options.maxLength, 20_000, 1, 1_000_000);
  const allowed = new Map<string, string>();
  for (const entry of options.allowedRelations) {
    stringOption(where, 'allowedRelations', entry, RELATION_NAME, 'lower-case relation names like "orders" or "reporting.totals"');
    if (!entry.includes('.') && entry.startsWith('pg_')) {
      // An unqualified pg_* name resolves to pg_catalog before public, so it would not mean what it says.
      throw new AppError('VALIDATION_FAILED', `${where}: allowedRelations entries starting with "pg_" must be schema-qualified.`, {
        details: { option: 'allowedRelations' },
      });
    }
    allowed.set(entry.includes('.') ? entry : `public.${entry}`, entry);
  }

  if (typeof sql !== 'string' || sql.length > maxLength) {
    throw refuse('too_long', `The query is longer than ${maxLength} characters.`, { max_length: maxLength });
  }
  moduleLoaded ??= loadModule();
  await moduleLoaded;

  let tree: { stmts?: Array<{ stmt?: Record<string, unknown>; stmt_location?: number; stmt_len?: number }> };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (error) {
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    const reason = error instanceof Error ? error.message : 'syntax error';
    const position = typeof cursor === 'number' ? cursor + 1 : null;
    throw refuse(
      'parse_error',
      position === null ? `The query could not be parsed: ${reason}.` : `The query could not be parsed: ${reason} (at character ${position}).`,
      { position },
      error,
    );
  }

  const statements = tree.stmts ?? [];
  if (statements.length === 0) throw refuse('no_statement', 'The query contains no statement.');
  if (statements.length > 1) {
    throw refuse('multiple_statements', `Send exactly one SELECT statement; got ${statements.length} statements.`, {
      statements: statements.length,
    });
  }
  const [only] = statements;
  const kind = Object.keys(only?.stmt ?? {})[0] ?? 'unknown';
  if (kind !== 'SelectStmt') throw notSelect(kind);

  const walker = new AstWalker(allowed);
  walker.walk(only?.stmt, new Set());
  return { sql: statementText(sql, only?.stmt_location ?? 0, only?.stmt_len ?? 0), relations: [...walker.relations].sort() };
}

/** Walks the whole parse tree keeping the CTE names visible at each point. */
class AstWalker {
  readonly relations = new Set<string>();
  readonly #allowed: ReadonlyMap<string, string>;

  constructor(allowed: ReadonlyMap<string, string>) {
    this.#allowed = allowed;
  }

  walk(node: unknown, ctes: ReadonlySet<string>): void {
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item, ctes);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'SelectStmt') this.#select(value as Record<string, unknown>, ctes);
      else if (key.endsWith('Stmt')) throw notSelect(key);
      else if (key === 'RangeVar') this.#relation(value as Record<string, unknown>, ctes);
      else if (key === 'FuncCall') {
        this.#function(value as Record<string, unknown>);
        this.walk(value, ctes);
      } else this.walk(value, ctes);
    }
  }

  #select(select: Record<string, unknown>, outer: ReadonlySet<string>): void {
    if (select['intoClause'] !== undefined) {
      throw refuse('select_into', 'SELECT ... INTO creates a table; remove the INTO clause.');
    }
    if (Array.isArray(select['lockingClause']) && select['lockingClause'].length > 0) {
      throw refuse('locking_clause', 'FOR UPDATE/SHARE locks rows; remove the locking clause.');
    }
    const withClause = select['withClause'] as { ctes?: unknown[]; recursive?: boolean } | undefined;
    const ctes = (withClause?.ctes ?? []).map((item) => (item as { CommonTableExpr: Record<string, unknown> }).CommonTableExpr);
    const names = ctes.map((cte) => String(cte['ctename']));
    const inner = new Set([...outer, ...names]);
    ctes.forEach((cte, index) => {
      const body = cte['ctequery'] as Record<string, unknown> | undefined;
      const bodyKind = Object.keys(body ?? {})[0] ?? '';
      if (DATA_MODIFYING.has(bodyKind)) {
        throw refuse('data_modifying_cte', `The WITH query "${names[index]}" modifies data (${STATEMENT_NAMES[bodyKind]}); only SELECT is allowed.`);
      }
      // PostgreSQL resolves names in a non-recursive WITH only against the CTEs before this one.
      const visible = withClause?.recursive === true ? inner : new Set([...outer, ...names.slice(0, index)]);
      this.walk(cte, visible);
    });
    for (const [key, value] of Object.entries(select)) {
      if (key !== 'withClause') this.walk(value, inner);
    }
  }

  #relation(range: Record<string, unknown>, ctes: ReadonlySet<string>): void {
    const name = String(range['relname']);
    const schema = typeof range['schemaname'] === 'string' ? range['schemaname'] : undefined;
    if (typeof range['catalogname'] === 'string') {
      throw refuse('relation_not_allowed', `Relation "${range['catalogname']}.${schema}.${name}" is not available to this query.`, {
        relation: `${range['catalogname']}.${schema}.${name}`,
        allowed_relations: [...this.#allowed.values()],
      });
    }
    if (schema === undefined && ctes.has(name)) return;
    const entry = this.#allowed.get(`${schema ?? 'public'}.${name}`);
    if (entry === undefined) {
      const written = schema === undefined ? name : `${schema}.${name}`;
      throw refuse('relation_not_allowed', `Relation "${written}" is not available to this query.`, {
        relation: written,
        allowed_relations: [...this.#allowed.values()],
      });
    }
    this.relations.add(entry);
  }

  #function(call: Record<string, unknown>): void {
    const parts = ((call['funcname'] as Array<{ String?: { sval?: string } }> | undefined) ?? []).map((part) => part.String?.sval ?? '');
    const name = (parts.at(-1) ?? '').toLowerCase();
    if (DENIED_FUNCTIONS.has(name) || DENIED_FUNCTION_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      throw refuse('function_not_allowed', `Function "${parts.join('.')}" is not allowed in a read-only query.`, { function: parts.join('.') });
    }
  }
}

/** Cuts the statement out by the parser's byte offsets (UTF-8), dropping the final `;` and outer whitespace. */
function statementText(sql: string, location: number, length: number): string {
  const bytes = Buffer.from(sql, 'utf8');
  const end = length > 0 ? location + length : bytes.length;
  return bytes.subarray(location, end).toString('utf8').trim().replace(/;\s*$/, '');
}

function notSelect(kind: string): AppError {
  const name = STATEMENT_NAMES[kind] ?? 'a statement other than SELECT';
  return refuse('not_select', `Only a single SELECT statement is allowed; got ${name}.`, { statement: kind });
}

function refuse(reason: ReadOnlyQueryRefusal, message: string, details: Record<string, unknown> = {}, cause?: unknown): AppError {
  return new AppError('VALIDATION_FAILED', message, { details: { reason, ...details }, cause });
}
