import type { CardBrand } from '@mcpfed/contract-payment';

/** How a sandbox test card behaves on every money-moving call. */
export type SandboxBehavior = 'succeed' | 'decline' | 'timeout' | 'slow';

/** A deterministic test card of the sandbox provider. */
export interface SandboxCard {
  readonly brand: CardBrand;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly behavior: SandboxBehavior;
  /** Decline code of a `decline` card. */
  readonly declineCode?: string;
}

/**
 * The sandbox's test tokens (SANDBOX_PAYMENT_METHOD_TOKENS of the contract). `timeout` acts, commits, then throws
 * TIMEOUT on the first request of each idempotency key (the classic double-charge trap); a repeated key gets the
 * stored result. `slow` waits PAYMENT_SANDBOX_SLOW_MS before acting.
 */
export const SANDBOX_CARDS: Readonly<Record<string, SandboxCard>> = Object.freeze({
  pm_card_visa: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034, behavior: 'succeed' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', expMonth: 12, expYear: 2034, behavior: 'succeed' },
  pm_card_declined: { brand: 'visa', last4: '0002', expMonth: 12, expYear: 2034, behavior: 'decline', declineCode: 'card_declined' },
  pm_card_insufficient_funds: {
    brand: 'visa',
    last4: '9995',
    expMonth: 12,
    expYear: 2034,
    behavior: 'decline',
    declineCode: 'insufficient_funds',
  },
  pm_card_timeout: { brand: 'visa', last4: '0119', expMonth: 12, expYear: 2034, behavior: 'timeout' },
  pm_card_slow: { brand: 'visa', last4: '3220', expMonth: 12, expYear: 2034, behavior: 'slow' },
} satisfies Record<string, SandboxCard>);
