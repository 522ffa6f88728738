import { customerChurnAnalysis } from '@mcpfed/contract-customer';
import { promptBinder } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { customerIdCompleter } from '../service/customer-id-completer.ts';
import { loadCustomerPromptData } from './customer-prompt-data.ts';

/** customer_churn_analysis: profile, order statistics and the last 30 events, with the analyst's task. */
export const customerChurnAnalysisPrompt = promptBinder<CustomerDatabase>()(
  customerChurnAnalysis,
  async (args, ctx) => {
    const data = await loadCustomerPromptData(ctx.db, args.customer_id, { events: 30, notes: 0 }, ctx);
    const text = [
      `Assess the churn risk of customer ${data.customer.id}.`,
      '',
      'Use only the data below. Money amounts are integer minor units of the given ISO 4217 currency.',
      'Answer with: (1) risk level low / medium / high and a one-sentence reason; (2) the signals you used',
      '(order frequency and recency, lifetime value, status changes, tier, complaints in the timeline);',
      '(3) up to three concrete retention actions, each with the tool you would use (for example',
      'customer_update to change the tier or customer_add_note to record an agreement).',
      'If the data is too thin to judge (e.g. no orders yet), say so instead of guessing.',
      '',
      'Customer profile and order statistics (JSON):',
      JSON.stringify(data.customer, null, 2),
      '',
      `Recent timeline, newest first (${data.recentEvents.length} events):`,
      JSON.stringify(data.recentEvents, null, 2),
    ].join('\n');
    return {
      description: `Churn-risk analysis of customer ${data.customer.id}`,
      messages: [{ role: 'user', content: { type: 'text', text } }],
    };
  },
  { complete: { customer_id: customerIdCompleter } },
);
