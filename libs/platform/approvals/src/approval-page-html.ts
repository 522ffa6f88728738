import type { ApprovalRow, ApprovalStatus } from './approval-record.ts';

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const money = (amount: number, currency: string): string => `${(amount / 100).toFixed(2)} ${currency}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:1rem}</style></head><body>${body}</body></html>`;
}

/** The page of one approval for its own person: what will happen, and Approve/Decline while it is pending. */
export function renderApprovalPage(row: ApprovalRow, status: ApprovalStatus, csrf: string, subject: string): string {
  const { summary } = row;
  const verb = summary.action === 'refund' ? 'refund' : 'charge';
  const items = summary.items
    .map(
      (item) =>
        `<tr><td>${escape(item.sku)}</td><td>${escape(item.name ?? '')}</td><td>${item.quantity}</td><td>${money(item.line_amount, summary.currency)}</td></tr>`,
    )
    .join('');
  const form =
    status === 'pending'
      ? `<form method="post"><input type="hidden" name="csrf" value="${escape(csrf)}">
<button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="decline" id="decline">Decline</button></form>
<p>Expires at ${escape(row.expires_at.toISOString())}.</p>`
      : `<p id="status">This approval is <strong>${escape(status)}</strong>.</p>`;
  return layout(
    `Approve ${verb}`,
    `<h1>Approve a ${verb}?</h1>
<p>Logged in as <strong>${escape(subject)}</strong>.</p>
<p id="summary">${escape(summary.description)}</p>
<p>Amount to ${verb}: <strong id="amount">${money(summary.amount, summary.currency)}</strong></p>
<p>Customer: <span id="customer">${escape(summary.customer_id ?? '-')}</span></p>
${items === '' ? '' : `<table><thead><tr><th>SKU</th><th>Item</th><th>Qty</th><th>Total</th></tr></thead><tbody>${items}</tbody></table>`}
${form}`,
  );
}

/** The answer after a decision. */
export function renderDecidedPage(status: ApprovalStatus): string {
  const text =
    status === 'approved'
      ? 'Approved. Tell the agent to continue: it calls the tool again and gets the outcome.'
      : status === 'declined'
        ? 'Declined. Nothing is charged or refunded.'
        : `This approval is ${status}: it can no longer be decided.`;
  return layout('Approval', `<h1 id="result">${escape(status)}</h1><p>${escape(text)}</p>`);
}

/** A refusal (someone else's approval, a missing one, a bearer token, a bad form). */
export function renderRefusalPage(title: string, text: string): string {
  return layout(title, `<h1 id="refused">${escape(title)}</h1><p>${escape(text)}</p>`);
}
