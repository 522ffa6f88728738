import type { UrlElicitation } from '@mcpfed/mcp-runtime';

/** The `approval` member a tool answers while a person must approve (approvalRequiredSchema of the contract kit). */
interface ApprovalRequiredOutput {
  approval?: { status: 'approval_required'; approval_id: string; approval_url: string; next_step: string } | undefined;
}

/**
 * The URL-mode elicitation of an answer waiting for a person (a tool binding's `elicitation`): the approval page
 * the person opens in their own browser, where they log in and decide. The page's address is no credential: only
 * the person whose login matches the caller may decide, so nothing secret passes through the client or the model.
 */
export function approvalElicitation(output: ApprovalRequiredOutput): UrlElicitation | undefined {
  const approval = output.approval;
  if (approval === undefined) return undefined;
  return {
    elicitationId: approval.approval_id,
    url: approval.approval_url,
    message: `A person must approve this in their browser first (they log in there and approve or decline). Then call the tool again with the same idempotency key and arguments. ${approval.next_step}`,
  };
}
