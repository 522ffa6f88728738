import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { startCustomerTestHost } from './customer-test-host.ts';
import type { CustomerTestHost } from './customer-test-host.ts';

// Issue 11.8: without customer:pii, email, phone and address lines must not influence what a caller gets back,
// so they cannot be recovered by probing. A and B are identical except for their email addresses. The local parts
// and domains use only letters that "Dana Whitfield" lacks, so a probe and its control (same shape, other such
// letters) are equally (dis)similar to every name: any difference between their answers could come only from emails.

let testHost: CustomerTestHost;
let pii: Client;
let viewer: Client;
let writer: Client;

const EMAIL_A = 'qzxv.kobry@mucks.test';
const EMAIL_B = 'jypo.gromp@vusky.test';
const PHONE = '+4915198765432';
let idA: string;
let idB: string;

interface Summary {
  id: string;
  relevance: number | null;
}
interface Page {
  items: Summary[];
  next_cursor: string | null;
}

async function create(email: string): Promise<string> {
  const out = await expectToolOk<{ customer: { id: string } }>(pii, 'customer_create', {
    email,
    first_name: 'Dana',
    last_name: 'Whitfield',
    phone: PHONE,
    tier: 'gold',
    addresses: [{ kind: 'shipping', line1: 'Kestrelweg 12', city: 'Leipzig', postal_code: '04109', country: 'DE' }],
  });
  return out.customer.id;
}

const search = (client: Client, query: string) => expectToolOk<Page>(client, 'customer_search', { query, limit: 20 });

beforeAll(async () => {
  testHost = await startCustomerTestHost({ label: 'customer-pii-test' });
  pii = await testHost.connect(['customer:read', 'customer:write', 'customer:pii'], 'pii-staff');
  viewer = await testHost.connect(['customer:read'], 'viewer-staff');
  writer = await testHost.connect(['customer:read', 'customer:write'], 'writer-staff');
  idA = await create(EMAIL_A);
  idB = await create(EMAIL_B);
  await expectToolOk(pii, 'customer_create', { email: 'dina.whitley@example.com', first_name: 'Dina', last_name: 'Whitley' });
});

afterAll(async () => {
  await testHost?.close();
});

describe('customer_search without customer:pii', () => {
  it('finds, orders and scores the same whether or not a probe matches an email', async () => {
    // Email fragments of A and of B, and probes of the same shape that match no email at all.
    const probes: Array<[string, string]> = [
      ['qzxv', 'bcjm'],
      ['qzxv.kobry', 'bcjm.kobry'],
      ['kobry', 'ymcgo'],
      ['qzxv.kobry@mucks.test', 'bcjm.kobry@pgusy.test'],
      ['jypo.gromp@vusky.test', 'bcjm.gromp@pgusy.test'],
      ['mucks.test', 'pgusy.test'],
      ['dana whitfield qzxv', 'dana whitfield bcjm'],
      ['dana whitfield jypo', 'dana whitfield bcjm'],
      ['whitfield kobry', 'whitfield ymcgo'],
    ];
    for (const [probe, control] of probes) {
      expect(await search(viewer, probe), probe).toEqual(await search(viewer, control));
    }
    // By name the two are found together, tied, in id order: nothing sets them apart.
    const byName = await search(viewer, 'dana whitfield qzxv');
    const twins = byName.items.filter((item) => item.id === idA || item.id === idB);
    expect(twins.map((item) => item.id)).toEqual([idA, idB].sort());
    expect(twins[0]?.relevance).toBe(twins[1]?.relevance);
  });

  it('still finds by email for a caller with customer:pii', async () => {
    expect((await search(pii, 'qzxv.kobry')).items.map((item) => item.id)).toEqual([idA]);
    expect((await search(pii, EMAIL_B)).items[0]?.id).toBe(idB);
  });

  it('refuses a cursor of a search scored with emails', async () => {
    const first = await expectToolOk<Page>(pii, 'customer_search', { query: 'dana whitfield', limit: 1 });
    expect(first.next_cursor).not.toBeNull();
    const error = await expectToolError(viewer, 'customer_search', { query: 'dana whitfield', limit: 1, cursor: first.next_cursor });
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'cursor' } });
  });
});

describe('the other customer tools, resources and prompts without customer:pii', () => {
  it('customer_get by email is FORBIDDEN, alike for a known and an unknown address', async () => {
    const known = await expectToolError(viewer, 'customer_get', { email: EMAIL_A });
    const unknown = await expectToolError(viewer, 'customer_get', { email: 'nobody.here@mailbox-c.test' });
    expect(known).toMatchObject({ code: 'FORBIDDEN', details: { missing: ['customer:pii'], field: 'email' } });
    expect({ ...unknown, request_id: undefined }).toEqual({ ...known, request_id: undefined });
    expect((await expectToolOk<{ id: string }>(pii, 'customer_get', { email: EMAIL_A.toUpperCase() })).id).toBe(idA);
  });

  it('customer_update answers the same for a right and a wrong guess of email or phone', async () => {
    const version = async (id: string) => (await expectToolOk<{ version: number }>(pii, 'customer_get', { id })).version;
    const right = await expectToolOk<{ changed_fields: string[] }>(writer, 'customer_update', {
      id: idA,
      expected_version: await version(idA),
      changes: { phone: PHONE, email: EMAIL_A },
    });
    const wrong = await expectToolOk<{ changed_fields: string[] }>(writer, 'customer_update', {
      id: idB,
      expected_version: await version(idB),
      changes: { phone: '+4915100000000', email: 'guess@mailbox-c.test' },
    });
    expect(right.changed_fields).toEqual(['email', 'phone']);
    expect(wrong.changed_fields).toEqual(right.changed_fields);
    // With customer:pii the caller sees the values anyway, and an unchanged value stays unchanged.
    const same = await expectToolOk<{ changed_fields: string[] }>(pii, 'customer_update', {
      id: idA,
      expected_version: await version(idA),
      changes: { phone: PHONE },
    });
    expect(same.changed_fields).toEqual([]);
    await expectToolOk(pii, 'customer_update', { id: idB, expected_version: await version(idB), changes: { phone: PHONE, email: EMAIL_B } });
  });

  it('customer_create with a taken email says only that it is taken (decided: customer:write may learn this), never by whom', async () => {
    const error = await expectToolError(writer, 'customer_create', {
      email: EMAIL_A,
      first_name: 'Probe',
      last_name: 'Person',
      idempotency_key: idempotencyKey(),
    });
    expect(error).toMatchObject({ code: 'CONFLICT', details: { field: 'email' } });
    expect(JSON.stringify(error)).not.toContain(idA);
    expect(JSON.stringify(error)).not.toContain('Dana');
  });

  it('no resource, prompt or read tool shows the email, phone or address line', async () => {
    const reads = [
      await viewer.readResource({ uri: `customer://${idA}` }),
      await viewer.getPrompt({ name: 'customer_support_brief', arguments: { customer_id: idA } }),
      await viewer.getPrompt({ name: 'customer_churn_analysis', arguments: { customer_id: idA } }),
      await expectToolOk(viewer, 'customer_get', { id: idA }),
      await expectToolOk(viewer, 'customer_timeline', { customer_id: idA }),
      await expectToolOk(viewer, 'customer_check_eligibility', { customer_id: idA }),
      await search(viewer, 'dana whitfield'),
    ];
    for (const read of reads) {
      const text = JSON.stringify(read);
      // The masked email keeps its first letter and its domain (masking.ts): the local part is the secret.
      for (const secret of ['qzxv', 'kobry', PHONE.slice(1, -2), 'Kestrelweg', '04109']) expect(text).not.toContain(secret);
    }
  });
});
