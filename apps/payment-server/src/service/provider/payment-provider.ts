import type { AppError } from '@mcpfed/errors';
import type { CardBrand } from '@mcpfed/contract-payment';

/** A card as the provider describes it after attaching a token. */
export interface ProviderPaymentMethod {
  /** The provider's reference of the attached card; charges name it. */
  readonly ref: string;
  readonly brand: CardBrand;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
}

/** Provider-side state of a charge. */
export type ProviderChargeStatus = 'authorized' | 'captured' | 'voided' | 'declined';

/** The provider's record of one authorization and what happened to it. Amounts in integer minor units. */
export interface ProviderCharge {
  readonly object: 'charge';
  readonly id: string;
  readonly status: ProviderChargeStatus;
  readonly currency: string;
  readonly amount: number;
  readonly amountCaptured: number;
  readonly amountRefunded: number;
  readonly declineCode: string | null;
  /** What we told the provider (payment_id, order_ref, customer_id), as the provider stores it. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: string;
}

/** The provider's record of one refund. */
export interface ProviderRefund {
  readonly object: 'refund';
  readonly id: string;
  readonly chargeId: string;
  readonly amount: number;
  readonly createdAt: string;
}

/** Every provider call that moves money carries an idempotency key: the same key returns the same result. */
export interface ProviderRequest {
  /** Stable per logical operation (see `providerKey`); the provider replays the first result for it. */
  readonly idempotencyKey: string;
}

/** Hold `amount` on a payment method. */
export interface AuthorizeRequest extends ProviderRequest {
  readonly paymentMethodRef: string;
  readonly amount: number;
  readonly currency: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Capture `amount` (at most the authorized amount) of a charge; the rest of the hold is released. */
export interface CaptureRequest extends ProviderRequest {
  readonly chargeId: string;
  readonly amount: number;
}

/** Release the hold of an uncaptured charge. */
export interface VoidRequest extends ProviderRequest {
  readonly chargeId: string;
}

/** Return `amount` of a captured charge to the customer. */
export interface RefundRequest extends ProviderRequest {
  readonly chargeId: string;
  readonly amount: number;
  readonly reason: string;
}

/** What the provider did for an idempotency key, found without acting. */
export type ProviderLookup =
  | { readonly state: 'none' }
  | { readonly state: 'succeeded'; readonly result: ProviderCharge | ProviderRefund }
  | { readonly state: 'failed'; readonly error: AppError };

/** Which provider charges {@link PaymentProvider.listCharges} returns: of one order, or created in a window. */
export type ChargeFilter =
  { readonly orderRef: string; readonly limit: number } | { readonly createdFrom: Date; readonly createdTo: Date; readonly limit: number };

/**
 * A payment provider, as the payment service needs it. The sandbox provider implements it; a real provider plugs
 * in behind the same interface. Rules every implementation follows:
 * - Money-moving calls are idempotent by `idempotencyKey`: a repeated key returns the first result (or failure)
 *   and acts at most once.
 * - A definitive refusal is an AppError that is not retryable (PAYMENT_DECLINED with `details.decline_code`,
 *   PRECONDITION_FAILED, VALIDATION_FAILED); an unknown outcome (timeout, network) is a retryable AppError
 *   (TIMEOUT, UPSTREAM_UNAVAILABLE) or any other error, and the caller resolves it by key later.
 * - `signal` aborts waiting; the provider may still have acted.
 */
export interface PaymentProvider {
  /** Name stored with payments and methods, e.g. `sandbox`. */
  readonly name: string;
  /** Attaches a card token to a customer; the same token and customer give the same method. */
  attachPaymentMethod(request: { customerId: string; token: string }, signal?: AbortSignal): Promise<ProviderPaymentMethod>;
  authorize(request: AuthorizeRequest, signal?: AbortSignal): Promise<ProviderCharge>;
  capture(request: CaptureRequest, signal?: AbortSignal): Promise<ProviderCharge>;
  void(request: VoidRequest, signal?: AbortSignal): Promise<ProviderCharge>;
  refund(request: RefundRequest, signal?: AbortSignal): Promise<ProviderRefund>;
  /** The outcome of an earlier request by its idempotency key, without acting. */
  lookup(idempotencyKey: string, signal?: AbortSignal): Promise<ProviderLookup>;
  /** Charges by id (unknown ids are left out). */
  getCharges(ids: readonly string[], signal?: AbortSignal): Promise<ProviderCharge[]>;
  /** Charges of an order or of a creation window, oldest first, at most `limit`. */
  listCharges(filter: ChargeFilter, signal?: AbortSignal): Promise<ProviderCharge[]>;
}
