import { customerSupportBrief } from '@mcpfed/contract-customer';
import { promptBinder } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { customerIdCompleter } from '../service/customer-id-completer.ts';
import { loadCustomerPromptData } from './customer-prompt-data.ts';

/** customer_support_brief: profile, addresses, the last 10 notes and 20 events, with the brief's structure. */
export const customerSupportBriefPrompt = promptBinder<CustomerDatabase>()(
  customerSupportBrief,
  async (args, ctx) => {
    const data = await loadCustomerPromptData(ctx.db, args.customer_id, { events: 20, notes: 10 }, ctx);
    const text = [
      `Write a short brief for a support agent about to talk to customer ${data.customer.id}.`,
      '',
      'Use only the data below; masked values (like j***@example.com) are masked on purpose — do not guess them.',
      'Structure: Who (name, tier, customer since); Standing (status and why, eligibility to order:',
      'active with a shipping address); Orders (count, lifetime value in major units with currency, last order);',
      'Open issues (from notes and the timeline); Watch out for (anything the agent must not do or promise).',
      'At most 12 lines.',
      '',
      'Customer profile (JSON):',
      JSON.stringify(data.customer, null, 2),
      '',
      `Latest notes, newest first (${data.recentNotes.length}):`,
      JSON.stringify(data.recentNotes, null, 2),
      '',
      `Recent timeline, newest first (${data.recentEvents.length} events):`,
      JSON.stringify(data.recentEvents, null, 2),
    ].join('\n');
    return {
      description: `Support brief for customer ${data.customer.id}`,
      messages: [{ role: 'user', content: { type: 'text', text } }],
    };
  },
  { complete: { customer_id: customerIdCompleter } },
);
