/** What one overlay of a domain server may open on its database at most. */
export interface ConnectionBudget {
  /** The overlay, `<team>/<environment>`. */
  readonly overlay: string;
  /** The HPA's maxReplicas. */
  readonly maxReplicas: number;
  /** Extra pods of a rolling update (the Deployment's maxSurge). */
  readonly maxSurge: number;
  /** DB_POOL_MAX + SQL_POOL_MAX of one pod, as the app parses its environment. */
  readonly perPod: number;
  /** Connections at most: (maxReplicas + maxSurge) x perPod + 1 (a `migrate` init container). */
  readonly total: number;
}

/** The budget of one overlay from its rendered numbers. */
export function connectionBudget(overlay: string, maxReplicas: number, maxSurge: number, dbPoolMax: number, sqlPoolMax: number): ConnectionBudget {
  const perPod = dbPoolMax + sqlPoolMax;
  return { overlay, maxReplicas, maxSurge, perPod, total: (maxReplicas + maxSurge) * perPod + 1 };
}

/** First line of the generated table in deploy/README.md. */
export const BUDGET_BEGIN = '<!-- connection-budget:begin (UPDATE_DEPLOY_README=1 npx nx test deploy-checks regenerates it) -->';
/** Last line of the generated table. */
export const BUDGET_END = '<!-- connection-budget:end -->';

/** The Markdown table of `budgets` between the markers, in overlay order (the domain generator keeps that order). */
export function budgetTable(budgets: readonly ConnectionBudget[]): string {
  const rows = [...budgets]
    .sort((a, b) => (a.overlay < b.overlay ? -1 : 1))
    .map((budget) => `| \`${budget.overlay}\` | ${budget.maxReplicas} + ${budget.maxSurge} | ${budget.perPod} | **${budget.total}** |`);
  return [
    BUDGET_BEGIN,
    '',
    '| overlay | pods at most (maxReplicas + maxSurge) | connections per pod (DB_POOL_MAX + SQL_POOL_MAX) | connections at most (+1 migration) |',
    '|---|---|---|---|',
    ...rows,
    '',
    BUDGET_END,
  ].join('\n');
}
