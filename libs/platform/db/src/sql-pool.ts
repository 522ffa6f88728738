/**
 * The subset of `pg`'s query config this workspace uses. Owning it (instead of importing pg's types) keeps the
 * helpers testable with a one-object fake and lets `queryMode` through, which pg supports but does not type.
 */
export interface SqlQueryConfig {
  /** SQL text with `$1`-style placeholders. */
  text: string;
  /** Placeholder values. */
  values?: unknown[];
  /** `'array'` returns each row as an array in column order instead of an object. */
  rowMode?: 'array';
  /** `'extended'` forces the extended protocol even without values: exactly one statement is accepted. */
  queryMode?: 'extended';
  /** Per-query result parsers (pg's `types` option). */
  types?: SqlTypeParsers;
}

/** pg's `types` option: picks the function turning a column's text value into a JavaScript value. */
export interface SqlTypeParsers {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown;
}

/** One result column as pg reports it. */
export interface SqlField {
  /** Column name (`?column?` for an unnamed expression). */
  name: string;
  /** The column type's OID (`pg_type.oid`). */
  dataTypeID: number;
}

/** The subset of pg's query result this workspace reads. */
export interface SqlResult<R = Record<string, unknown>> {
  /** Result rows: objects keyed by column name, or arrays with `rowMode: 'array'`. */
  rows: R[];
  /** Rows returned or affected; null for commands that report none. */
  rowCount: number | null;
  /** The result's columns, in order. */
  fields: SqlField[];
}

/** Runs one statement. Implemented by `pg.Pool`, `pg.Client` and `pg.PoolClient`. */
export interface SqlQueryable {
  /** Runs `textOrConfig` (with `values` for `$n` placeholders when given as text). */
  query<R = Record<string, unknown>>(textOrConfig: string | SqlQueryConfig, values?: unknown[]): Promise<SqlResult<R>>;
}

/** A connection checked out of a pool; `release(true)` destroys it instead of returning it. */
export interface SqlClient extends SqlQueryable {
  /** Returns the connection to its pool, or closes it when `destroy` is true. */
  release(destroy?: boolean): void;
}

/**
 * The subset of `pg.Pool` that mcpfed code needs (Kysely's `PostgresPool` idea: depend on the smallest
 * interface you own, so a unit test's fake is one object literal).
 */
export interface SqlPool extends SqlQueryable {
  /** Checks out a connection; the caller must `release()` it. */
  connect(): Promise<SqlClient>;
}
