import { describe, expect, it } from 'vitest';
import { createMetrics } from './create-metrics.ts';
import { registerPoolMetrics } from './register-pool-metrics.ts';

function poolLines(body: string): string[] {
  return body.split('\n').filter((l) => l.startsWith('db_pool_connections{'));
}

describe('registerPoolMetrics', () => {
  it("publishes the pool's counts as they are at each scrape", async () => {
    const metrics = createMetrics({ service: 'customer-server', collectDefault: false });
    const primary = { totalCount: 10, idleCount: 7, waitingCount: 0 };
    const readonly = { totalCount: 2, idleCount: 2, waitingCount: 0 };
    registerPoolMetrics(metrics, 'primary', primary);
    const stopReadonly = registerPoolMetrics(metrics, 'readonly', readonly);
    expect(poolLines((await metrics.render()).body)).toEqual([
      'db_pool_connections{pool="primary",state="total",service="customer-server"} 10',
      'db_pool_connections{pool="primary",state="idle",service="customer-server"} 7',
      'db_pool_connections{pool="primary",state="waiting",service="customer-server"} 0',
      'db_pool_connections{pool="readonly",state="total",service="customer-server"} 2',
      'db_pool_connections{pool="readonly",state="idle",service="customer-server"} 2',
      'db_pool_connections{pool="readonly",state="waiting",service="customer-server"} 0',
    ]);

    primary.totalCount = 20;
    primary.idleCount = 0;
    primary.waitingCount = 5;
    stopReadonly();
    expect(poolLines((await metrics.render()).body)).toEqual([
      'db_pool_connections{pool="primary",state="total",service="customer-server"} 20',
      'db_pool_connections{pool="primary",state="idle",service="customer-server"} 0',
      'db_pool_connections{pool="primary",state="waiting",service="customer-server"} 5',
    ]);
  });
});
