import { z } from 'zod';

/**
 * What a tool answers when a person must approve the operation first (docs/security.md, "A person approves money"):
 * nothing happened yet; the caller gives the link to the user and calls again with the same idempotency key.
 */
export const approvalRequiredSchema = z
  .object({
    status: z.literal('approval_required'),
    approval_id: z.string(),
    approval_url: z.string().describe('Give this link to the user: they log in there and approve or decline.'),
    expires_at: z.string().describe('ISO 8601: the approval must be decided, and then used, before this time.'),
    amount: z.number().int().describe('What would be charged or refunded, in minor units.'),
    currency: z.string(),
    next_step: z.string().describe('What to do now, in words.'),
  })
  .describe('Present when a person must approve first: nothing was done yet.');
