import { describe, expect, it } from 'vitest';
import { metricNamesIn } from './promql-metric-names.ts';

describe('metricNamesIn', () => {
  it('keeps metric names and drops functions, matchers, ranges, grouping and keywords', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (service, le) (rate(mcp_tool_duration_seconds_bucket{tool!~"order_place|x", service="$service"}[5m]))) > 1 and on (service) up == 0',
      ),
    ).toEqual(['mcp_tool_duration_seconds_bucket', 'up']);
  });

  it('finds every operand of a ratio', () => {
    expect(metricNamesIn('sum(rate(a_total[5m])) / sum without (code) (rate(b_total[1h] offset 1d))')).toEqual(['a_total', 'b_total']);
  });

  it('returns nothing for a constant expression', () => {
    expect(metricNamesIn('vector(1) * 2')).toEqual([]);
  });
});
