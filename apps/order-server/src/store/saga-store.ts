import type { ExpressionBuilder, Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import { AppError } from '@mcpfed/errors';
import type { WorkflowStatus } from '@mcpfed/contract-order';
import type { CheckoutSagasTable, OrderDatabase } from './order-database.ts';

/** A saga row. */
export type SagaRecord = Selectable<CheckoutSagasTable>;

/** An unfinished saga (running or compensating) without progress for `ms` milliseconds: the sweeper's and order_workflow_list's "stuck". */
function stuckFor(ms: number) {
  return (eb: ExpressionBuilder<OrderDatabase, 'checkout_sagas'>) =>
    eb.and([eb('status', 'in', ['running', 'compensating']), eb('updated_at', '<', sql<Date>`now() - make_interval(secs => ${ms / 1000})`)]);
}

/** SQL over `checkout_sagas`. */
export class SagaStore {
  readonly #db: Kysely<OrderDatabase>;
  readonly #signal: AbortSignal;

  /** Over `db` (the pool, or the transaction the queries must join); every query ends with `signal`. */
  constructor(db: Kysely<OrderDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** Creates the saga of a new order at its first step, in the order's transaction. */
  async create(orderId: string, firstStep: string): Promise<void> {
    await this.#db.insertInto('checkout_sagas').values({ order_id: orderId, step: firstStep }).execute({ signal: this.#signal });
  }

  /** One saga, or NOT_FOUND. With `forUpdate`, locks it until the transaction ends. */
  async get(orderId: string, options: { forUpdate?: boolean } = {}): Promise<SagaRecord> {
    let query = this.#db.selectFrom('checkout_sagas').selectAll().where('order_id', '=', orderId);
    if (options.forUpdate) query = query.forUpdate();
    return query.executeTakeFirstOrThrow({
      signal: this.#signal,
      errorConstructor: () => new AppError('NOT_FOUND', `No checkout workflow for order ${orderId}.`, { details: { order_id: orderId } }),
    });
  }

  /** The saga of an order, if it has one. */
  async find(orderId: string): Promise<SagaRecord | undefined> {
    return this.#db.selectFrom('checkout_sagas').selectAll().where('order_id', '=', orderId).executeTakeFirst({ signal: this.#signal });
  }

  /** Applies a change and touches `updated_at`; returns the new row. */
  async update(orderId: string, patch: Updateable<CheckoutSagasTable>): Promise<SagaRecord> {
    return this.#db
      .updateTable('checkout_sagas')
      .set({ ...patch, updated_at: sql<Date>`now()` })
      .where('order_id', '=', orderId)
      .returningAll()
      .executeTakeFirstOrThrow({ signal: this.#signal });
  }

  /**
   * Turns a running saga at one of `steps` to compensation with failure_reason `cancelled`, atomically with the
   * worker's own step records (they advance only a `running` row); undefined when it was not running at one of them.
   */
  async cancel(orderId: string, steps: readonly string[], message: string): Promise<SagaRecord | undefined> {
    return this.#db
      .updateTable('checkout_sagas')
      .set({ status: 'compensating', step: 'void_payment', failure_reason: 'cancelled', failure_message: message, updated_at: sql<Date>`now()` })
      .where('order_id', '=', orderId)
      .where('status', '=', 'running')
      .where('step', 'in', [...steps])
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /**
   * Turns a running saga to compensation with the worker's own failure, atomically like {@link SagaStore.cancel}:
   * undefined when it left `running` first (a cancel or another run committed), whose record then stands.
   */
  async startCompensation(orderId: string, failure: { failure_reason: string; failure_message: string; last_error: string }): Promise<SagaRecord | undefined> {
    return this.#db
      .updateTable('checkout_sagas')
      .set({ ...failure, status: 'compensating', step: 'void_payment', updated_at: sql<Date>`now()` })
      .where('order_id', '=', orderId)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /** Counts a job run of an unfinished saga and returns it; undefined when there is none or it finished. */
  async countAttempt(orderId: string): Promise<SagaRecord | undefined> {
    return this.#db
      .updateTable('checkout_sagas')
      .set({ attempts: sql<number>`attempts + 1`, updated_at: sql<Date>`now()` })
      .where('order_id', '=', orderId)
      .where('status', 'in', ['running', 'compensating'])
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /**
   * Records that a running saga at `steps[0]` finished `steps` (in order) and goes on with `next`, unless another
   * run recorded it first (then undefined). Locks the row until the transaction ends.
   */
  async advance(
    orderId: string,
    steps: readonly [string, ...string[]],
    next: string,
    finish: { status?: 'completed'; finished_at?: Date } = {},
  ): Promise<SagaRecord | undefined> {
    const [step] = steps;
    return this.#db
      .updateTable('checkout_sagas')
      .set({
        ...finish,
        step: next,
        completed_steps: sql<string[]>`completed_steps || ${[...steps]}::text[]`,
        last_error: null,
        updated_at: sql<Date>`now()`,
      })
      .where('order_id', '=', orderId)
      .where('step', '=', step)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /** Unfinished sagas without progress since `olderThanMs` ago, oldest first (the sweeper checks that each has a job). */
  async idle(olderThanMs: number, limit: number): Promise<SagaRecord[]> {
    return this.#db.selectFrom('checkout_sagas').selectAll().where(stuckFor(olderThanMs)).orderBy('updated_at').limit(limit).execute({ signal: this.#signal });
  }

  /** A keyset page of sagas in a state (or stuck), most recently updated first. */
  async list(query: {
    state: WorkflowStatus | 'stuck';
    stuckAfterMs: number;
    after?: { updated_at: string; order_id: string } | undefined;
    limit: number;
  }): Promise<SagaRecord[]> {
    let q = this.#db.selectFrom('checkout_sagas').selectAll();
    q = query.state === 'stuck' ? q.where(stuckFor(query.stuckAfterMs)) : q.where('status', '=', query.state);
    if (query.after !== undefined) {
      q = q.where(sql<boolean>`(updated_at, order_id) < (${query.after.updated_at}::timestamptz, ${query.after.order_id})`);
    }
    return q.orderBy('updated_at', 'desc').orderBy('order_id', 'desc').limit(query.limit).execute({ signal: this.#signal });
  }
}
