import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { timestampSchema } from './schemas.ts';

/** Formats product_import reads. */
export const IMPORT_FORMATS = ['jsonl', 'csv'] as const;
/** An import file format. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** States of an import job. */
export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
/** An import job's state. */
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** Import job id: `imp_` followed by 26 lowercase Crockford base32 characters. */
export const importIdSchema = z
  .string()
  .max(30)
  .regex(/^imp_[0-9a-hjkmnp-tv-z]{26}$/, 'an import id looks like imp_01j9z3k8q4m2n6p7r8s9t0v1w2')
  .describe('Import job id (product_import returns it).');

/** An import job as product_import and product_import_status return it. */
export const importJobSchema = z.object({
  id: importIdSchema,
  status: z.enum(IMPORT_STATUSES).describe('queued -> running -> completed | failed. completed means every row was read; bad rows are counted in rows_failed.'),
  format: z.enum(IMPORT_FORMATS),
  source: z.string().describe('The file path (relative to the import directory) or the URL.'),
  rows_read: z.number().int().describe('Data rows read so far (header and blank lines not counted).'),
  rows_ok: z.number().int().describe('Rows upserted (created, changed or already identical).'),
  rows_failed: z.number().int().describe('Rows rejected (see product_import_status errors).'),
  bytes_read: z.number().int(),
  bytes_total: z.number().int().nullable().describe('Size of the source when known.'),
  percent: z.number().nullable().describe('bytes_read / bytes_total * 100 while running; 100 when completed; null when the size is unknown.'),
  attempts: z.number().int().describe('How often a worker started on it (more than 1 after a restart: it resumed).'),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .describe(
          'Facts about the failure. A refused URL has { field: "source.url", reason, hop } (hop 0 is the URL given, n its ' +
            'n-th redirect; reason one of invalid_url, scheme, credentials, unresolvable, non_public_address, ' +
            'too_many_redirects) and, for non_public_address, the range, e.g. "loopback", "private", "linkLocal".',
        ),
    })
    .nullable()
    .describe('Why the import failed as a whole (unreadable or refused source, too large); null otherwise.'),
  created_at: timestampSchema,
  started_at: timestampSchema.nullable(),
  finished_at: timestampSchema.nullable(),
});

/** Starts a catalog import job. */
export const productImport = defineTool({
  name: 'product_import',
  title: 'Import products',
  description:
    'Starts a background job creating or updating products from a JSON Lines or CSV file and returns at ' +
    "once; follow it with product_import_status. Source: { path } in the server's import directory, or { " +
    'url } (public http(s)). Per row: sku, name, category, price_amount (integer minor units), currency; ' +
    'optional brand, description, status, attributes. Each row is the whole product (a rerun changes ' +
    'nothing); bad rows are skipped and reported. Returns { import, replayed }. On failure: ' +
    'VALIDATION_FAILED (path outside the directory, non-public URL, bad arguments); NOT_FOUND (no such ' +
    'file); LIMIT_EXCEEDED (file too large); IDEMPOTENCY_KEY_REUSED; UPSTREAM_UNAVAILABLE (retry with the ' +
    'same key).',
  guide:
    'Starts a background job that creates or updates products from a JSON Lines or CSV file and returns at once ' +
    "with the job; follow it with product_import_status. Source: { path } relative to the server's import " +
    'directory, or { url } (http or https only; the host and every redirect, at most 3, must resolve to public ' +
    'addresses: loopback, private, link-local, shared, documentation and other special ranges are refused). One product per line (JSON Lines) or per row (CSV ' +
    'with a header row); fields: sku, name, category, price_amount (integer minor units), currency (ISO 4217) ' +
    'required; brand, description, status ("active" default, "draft", "archived"), attributes (JSON object; in ' +
    'CSV a JSON text) optional. Each row is the complete product: existing SKUs are updated to match it (a price ' +
    'change enters the price history), unchanged rows stay untouched, so running the same file again changes ' +
    'nothing. Bad rows are skipped and reported (line, field, message); good rows are imported. Rows are written ' +
    'in batches; a job interrupted by a restart resumes after its last written batch. The same ' +
    'idempotency_key with the same arguments returns the existing job (replayed=true) instead of starting another. ' +
    'Returns { import, replayed }. ' +
    'On failure: VALIDATION_FAILED when the path leaves the import directory, the URL is not http(s), its host ' +
    'does not resolve or resolves to a non-public address (details.reason and details.range say which), or the ' +
    'arguments are malformed; NOT_FOUND when the file does not exist; LIMIT_EXCEEDED when the file is larger ' +
    'than the server allows; IDEMPOTENCY_KEY_REUSED when the key was used for another import; ' +
    'UPSTREAM_UNAVAILABLE when the job queue is unreachable (retry with the same key).',
  input: z.strictObject({
    source: z
      .union([
        z.strictObject({ path: z.string().min(1).max(500).describe('File path relative to the import directory, e.g. "catalog-2025-06.jsonl".') }),
        z.strictObject({ url: z.url().max(2000).describe('http(s) URL of the file.') }),
      ])
      .describe('Exactly one of { path } or { url }.'),
    format: z.enum(IMPORT_FORMATS).describe('"jsonl": one JSON object per line. "csv": RFC 4180, comma-separated, header row first.'),
    idempotency_key: idempotencyKeySchema,
  }),
  output: z.object({ import: importJobSchema, replayed: replayedSchema }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  idempotency: 'required',
  taskSupport: 'optional',
});
