/**
 * The connection string of the search pool: `databaseUrl` with the planner settings full-text search needs as
 * startup options, so no search pays a transaction and SET LOCAL round trips for them. PostgreSQL estimates `@@`
 * at a fixed selectivity and, with a LIMIT, may prefer a sequential scan that tests every row, while the GIN
 * bitmap is bounded by the number of matches (enable_seqscan off); the per-row stock subqueries inflate cost
 * estimates past jit_above_cost and compiling a plan (~20 ms here) costs more than running it (jit off);
 * parallel workers only add latency under concurrent load; and `%` finds typo candidates from similarity 0.35.
 */
export function searchConnectionString(databaseUrl: string, correctionThreshold: number): string {
  const url = new URL(databaseUrl);
  const options = [
    url.searchParams.get('options') ?? '',
    '-c enable_seqscan=off -c jit=off -c max_parallel_workers_per_gather=0',
    `-c pg_trgm.similarity_threshold=${correctionThreshold}`,
  ];
  url.searchParams.set('options', options.join(' ').trim());
  return url.toString();
}
