import type { Kysely } from 'kysely';
import type { AddressKind, CustomerStatus, CustomerTier } from '@mcpfed/contract-customer';
import { inTransaction } from '@mcpfed/db';
import { formatId } from '../service/new-id.ts';
import type { AddressRow } from '../store/address-store.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import type { CustomerRow } from '../store/customer-store.ts';
import type { EventRow } from '../store/event-store.ts';
import type { NoteRow } from '../store/note-store.ts';
import { BLOCK_REASONS, CITIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, LINE2, NOTE_TEXTS, STREETS, SUSPENSION_REASONS } from './demo-vocabulary.ts';
import type { DemoCity } from './demo-vocabulary.ts';
import { SeededRandom } from './seeded-random.ts';
import { asciiName } from './ascii-name.ts';

/** Options of {@link seedDemoCustomers}. */
export interface DemoSeedOptions {
  /** How many customers. Default 1000. */
  count?: number;
  /** PRNG seed; the same seed always gives the same rows. Default 20250101. */
  seed?: number;
}

/** What a seed run did. */
export interface SeedResult {
  customers: number;
  addresses: number;
  notes: number;
  events: number;
  /** True when the data was already there and nothing was written. */
  skipped: boolean;
}

type DemoCustomer = Omit<CustomerRow, 'anonymized_at'>;
type DemoNote = Omit<NoteRow, 'erased_at'>;

/** The demo rows, all derived from the seed. */
export interface DemoData {
  customers: DemoCustomer[];
  addresses: AddressRow[];
  notes: DemoNote[];
  events: EventRow[];
}

const DAY = 86_400_000;
const EPOCH = Date.UTC(2023, 0, 1);
const SPAN_DAYS = 730;
const ACTOR = 'system:seed';
const AGENTS = ['agent:alice', 'agent:bob', 'agent:chen', 'agent:dana'];
const BATCH = 500;

/**
 * Generates the demo customers in memory: names, emails, phones, tiers, statuses, 0-3 addresses, notes and the
 * matching timeline. Everything — ids and timestamps included — comes from one seeded PRNG.
 */
export function generateDemoData(options: DemoSeedOptions = {}): DemoData {
  const count = options.count ?? 1000;
  const rng = new SeededRandom(options.seed ?? 20250101);
  const data: DemoData = { customers: [], addresses: [], notes: [], events: [] };
  const emails = new Set<string>();

  for (let n = 0; n < count; n++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const createdAt = new Date(EPOCH + rng.int(SPAN_DAYS * DAY));
    const id = formatId('cus', createdAt.getTime(), rng.bytes(10));
    const email = uniqueEmail(rng, emails, first, last);
    const home = rng.pick(CITIES);
    const tierRoll = rng.next();
    const tier: CustomerTier = tierRoll < 0.6 ? 'standard' : tierRoll < 0.85 ? 'silver' : tierRoll < 0.95 ? 'gold' : 'platinum';
    const customer: DemoCustomer = {
      id,
      email,
      first_name: first,
      last_name: last,
      phone: rng.chance(0.7) ? `+${home.phonePrefix}${rng.digits(9)}` : null,
      tier,
      status: 'active',
      status_reason: null,
      version: 1,
      created_at: createdAt,
      updated_at: createdAt,
    };
    data.customers.push(customer);
    const event = (type: string, at: Date, payload: Record<string, unknown>, actor = ACTOR): void => {
      data.events.push({ id: formatId('evt', at.getTime(), rng.bytes(10)), customer_id: id, type, occurred_at: at, actor, data: payload });
    };

    const kinds = addressKinds(rng);
    event('customer.created', createdAt, { tier, address_count: kinds.length });
    const defaults = new Set<AddressKind>();
    kinds.forEach((kind, index) => {
      const city = index === 0 ? home : rng.chance(0.7) ? home : rng.pick(CITIES);
      const at = new Date(createdAt.getTime() + 1000 + index * rng.int(30 * DAY));
      const address: AddressRow = {
        id: formatId('adr', at.getTime(), rng.bytes(10)),
        customer_id: id,
        kind,
        is_default: !defaults.has(kind),
        recipient_name: rng.chance(0.1) ? `${rng.pick(FIRST_NAMES)} ${last}` : null,
        line1: `${rng.pick(STREETS)} ${1 + rng.int(180)}`,
        line2: rng.chance(0.25) ? rng.pick(LINE2) : null,
        city: city.city,
        region: city.region,
        postal_code: postalCode(rng, city),
        country: city.country,
        created_at: at,
      };
      defaults.add(kind);
      data.addresses.push(address);
      event('customer.address_added', at, { address_id: address.id, kind, country: address.country });
    });

    if (rng.chance(0.3)) {
      const notes = 1 + rng.int(3);
      for (let i = 0; i < notes; i++) {
        const at = new Date(createdAt.getTime() + (1 + rng.int(300)) * DAY);
        const author = rng.pick(AGENTS);
        const note: DemoNote = { id: formatId('note', at.getTime(), rng.bytes(10)), customer_id: id, body: rng.pick(NOTE_TEXTS), author, created_at: at };
        data.notes.push(note);
        event('customer.note_added', at, { note_id: note.id }, author);
      }
    }

    const statusRoll = rng.next();
    if (statusRoll < 0.06) {
      const status: CustomerStatus = statusRoll < 0.04 ? 'suspended' : 'blocked';
      const reason = rng.pick(status === 'suspended' ? SUSPENSION_REASONS : BLOCK_REASONS);
      const at = new Date(createdAt.getTime() + (30 + rng.int(300)) * DAY);
      customer.status = status;
      customer.status_reason = reason;
      customer.version = 2;
      customer.updated_at = at;
      event('customer.status_changed', at, { from: 'active', to: status, reason }, rng.pick(AGENTS));
    }
  }
  return data;
}

/**
 * Inserts the demo customers in one transaction. Safe to run twice: when the first demo customer already
 * exists it writes nothing and reports `skipped`.
 */
export async function seedDemoCustomers(db: Kysely<CustomerDatabase>, options: DemoSeedOptions = {}): Promise<SeedResult> {
  const data = generateDemoData(options);
  const first = data.customers[0];
  const result = { customers: data.customers.length, addresses: data.addresses.length, notes: data.notes.length, events: data.events.length };
  if (first === undefined) return { ...result, skipped: false };
  const present = await db.selectFrom('customers').select('id').where('id', '=', first.id).executeTakeFirst();
  if (present !== undefined) return { customers: 0, addresses: 0, notes: 0, events: 0, skipped: true };
  await inTransaction(db, async (trx) => {
    for (const rows of chunks(data.customers)) await trx.insertInto('customers').values(rows).execute();
    for (const rows of chunks(data.addresses)) await trx.insertInto('addresses').values(rows).execute();
    for (const rows of chunks(data.notes)) await trx.insertInto('customer_notes').values(rows).execute();
    for (const rows of chunks(data.events)) {
      await trx
        .insertInto('customer_events')
        .values(rows.map((row) => ({ ...row, data: JSON.stringify(row.data) })))
        .execute();
    }
  });
  return { ...result, skipped: false };
}

function addressKinds(rng: SeededRandom): AddressKind[] {
  const roll = rng.next();
  if (roll < 0.05) return [];
  if (roll < 0.15) return ['billing'];
  const kinds: AddressKind[] = ['shipping'];
  if (rng.chance(0.4)) kinds.push('billing');
  if (rng.chance(0.15)) kinds.push('shipping');
  return kinds;
}

function uniqueEmail(rng: SeededRandom, taken: Set<string>, first: string, last: string): string {
  const f = asciiName(first);
  const l = asciiName(last);
  const domain = rng.pick(EMAIL_DOMAINS);
  const styles = [`${f}.${l}`, `${f[0] ?? 'x'}${l}`, `${f}${l}${rng.int(100)}`, `${f}_${l}`];
  const local = rng.pick(styles);
  let email = `${local}@${domain}`;
  for (let n = 2; taken.has(email); n++) email = `${local}${n}@${domain}`;
  taken.add(email);
  return email;
}

function postalCode(rng: SeededRandom, city: DemoCity): string {
  let out = '';
  for (const ch of city.postal) {
    out += ch === '9' ? String(rng.int(10)) : ch === 'A' ? String.fromCharCode(65 + rng.int(26)) : ch;
  }
  return out;
}

function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += BATCH) yield rows.slice(i, i + BATCH);
}
