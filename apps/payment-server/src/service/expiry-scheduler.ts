/** Schedules the automatic void of an authorization at its expiry (a delayed job; the reconciler is the backstop). */
export interface ExpiryScheduler {
  schedule(paymentId: string, expiresAt: Date): Promise<void>;
}
