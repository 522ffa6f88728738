import type { Kysely } from 'kysely';
import { customerReachOf, requireCustomer } from '@mcpfed/auth';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { customerAnonymize, customerExportData } from '@mcpfed/contract-customer';
import { mapDatabaseError } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { purgeIdempotencyRecordsMentioning } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { AddressStore } from '../store/address-store.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { CustomerStore } from '../store/customer-store.ts';
import { EventStore } from '../store/event-store.ts';
import { NoteStore } from '../store/note-store.ts';
import { customerNotFound } from '../store/customer-not-found.ts';
import { exportCustomerPage } from './customer-export.ts';
import { newId } from './new-id.ts';
import { withinTransaction } from './within-transaction.ts';

/** What anonymization keeps: facts without personal data that other servers and analytics rely on. */
export const KEPT_AFTER_ANONYMIZATION: readonly string[] = Object.freeze([
  'id',
  'tier',
  'created_at',
  'order_stats',
  'timeline event types, times and actors',
  'note authors and times',
]);

const PERSONAL_FIELDS = ['email', 'first_name', 'last_name', 'phone', 'status_reason'] as const;

/** Data-subject rights: access / portability (export) and erasure (anonymize). */
export class PrivacyService {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #ctx: RequestContext;

  constructor(db: Kysely<CustomerDatabase>, ctx: RequestContext) {
    this.#db = db;
    this.#ctx = ctx;
  }

  /**
   * customer_export_data: everything held about the person, unmasked, one bounded page per call
   * (`exportCustomerPage`); each page is read in one REPEATABLE READ snapshot.
   */
  async exportData(input: ContractInput<typeof customerExportData>): Promise<ContractOutput<typeof customerExportData>> {
    requireCustomer(customerReachOf(this.#ctx.principal), input.customer_id);
    try {
      return await exportCustomerPage(this.#db, input, this.#ctx);
    } catch (error) {
      throw AppError.is(error) ? error : mapDatabaseError(error);
    }
  }

  /**
   * customer_anonymize: computes exactly what erasure touches; on a dry run returns that and changes nothing,
   * otherwise erases it, marks the customer anonymized and records the event, all in one transaction.
   */
  async anonymize(input: ContractInput<typeof customerAnonymize>): Promise<ContractOutput<typeof customerAnonymize>> {
    requireCustomer(customerReachOf(this.#ctx.principal), input.customer_id);
    const run = async (db: Kysely<CustomerDatabase>): Promise<ContractOutput<typeof customerAnonymize>> => {
      const signal = this.#ctx.signal;
      const customers = new CustomerStore(db, signal);
      const addresses = new AddressStore(db, signal);
      const notes = new NoteStore(db, signal);
      const events = new EventStore(db, signal);
      const row = await customers.lock(input.customer_id);
      if (row === undefined) throw customerNotFound(input.customer_id);
      if (row.status === 'anonymized') {
        throw new AppError(
          'PRECONDITION_FAILED',
          `Customer ${row.id} was already anonymized at ${row.anonymized_at?.toISOString()}; there is nothing left to erase.`,
          {
            details: { id: row.id, anonymized_at: row.anonymized_at?.toISOString() ?? null },
          },
        );
      }
      if (input.expected_version !== undefined && input.expected_version !== row.version) {
        throw new AppError(
          'CONFLICT',
          `Customer ${row.id} changed since the review (version ${row.version}, you expected ${input.expected_version}). Run the dry run again and review it.`,
          { details: { id: row.id, current_version: row.version, expected_version: input.expected_version } },
        );
      }
      const plan = {
        fields: PERSONAL_FIELDS.filter((field) => row[field] !== null),
        addresses: (await addresses.summary(row.id)).count,
        notes: await notes.countWithText(row.id),
        event_reasons: await events.countWithReason(row.id),
      };
      const base = { customer_id: row.id, dry_run: input.dry_run, erased: plan, kept: [...KEPT_AFTER_ANONYMIZATION] };
      if (input.dry_run) return { ...base, anonymized: false, version: row.version, anonymized_at: null };

      await addresses.deleteAllForCustomer(row.id);
      await notes.eraseForCustomer(row.id);
      await events.eraseReasons(row.id);
      // Stored idempotent responses may hold this person's unmasked data; erasure has to reach them too.
      await purgeIdempotencyRecordsMentioning(db, row.id);
      const after = await customers.anonymize(row.id);
      await events.append([
        {
          id: newId('evt'),
          customer_id: row.id,
          type: 'customer.anonymized',
          actor: this.#ctx.principal.id,
          data: {
            erased_fields: plan.fields,
            addresses: plan.addresses,
            notes: plan.notes,
            event_reasons: plan.event_reasons,
            ...(input.reason === undefined ? {} : { reason: input.reason }),
          },
        },
      ]);
      return { ...base, anonymized: true, version: after.version, anonymized_at: after.anonymized_at?.toISOString() ?? null };
    };
    return withinTransaction(this.#db, run);
  }
}
