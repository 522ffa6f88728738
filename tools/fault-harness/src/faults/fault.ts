import type { HarnessSettings, FaultName } from '../harness-settings.ts';
import type { StackTarget } from '../stack-target.ts';
import type { InvariantResult } from '../invariants.ts';

/** What a fault gets to work with. */
export interface FaultContext {
  readonly target: StackTarget;
  readonly settings: HarnessSettings;
  /** Progress lines for the operator. */
  readonly log: (line: string) => void;
}

/** When a fault hit and when it was over (epoch ms), what it did, and checks of its own. */
export interface FaultWindow {
  /** When the fault began (the first moment calls could fail because of it). */
  readonly startedAt: number;
  /** When the fault was over: PostgreSQL accepting connections again, the killed server ready, the flush done. */
  readonly endedAt: number;
  /** One line on what was done, e.g. `pg_ctl restart -m fast of .data/postgres`. */
  readonly detail: string;
  /** Checks only this fault can make (e.g. every hostile request answered). */
  readonly checks?: readonly InvariantResult[];
  /** When set: the checkouts open when the fault ended must be settled within this many milliseconds of its end. */
  readonly checkoutsWithinMs?: number;
}

/** A fault that cannot be injected into this stack, with the reason (reported, not failed). */
export class FaultSkipped extends Error {
  override readonly name = 'FaultSkipped';
}

/** One kind of fault the harness injects while the load runs. */
export interface Fault {
  readonly name: FaultName;
  /** What it does, for the report and the README. */
  readonly description: string;
  /** Injects the fault and resolves once it is over; throws {@link FaultSkipped} when this stack does not allow it. */
  inject(context: FaultContext): Promise<FaultWindow>;
}
