import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { importIdSchema, importJobSchema } from './product-import.ts';

/** How many rejected rows an import keeps (more are counted in rows_failed but not stored). */
export const MAX_STORED_IMPORT_ERRORS = 1000;

/** Shows an import job's progress and its rejected rows. */
export const productImportStatus = defineTool({
  name: 'product_import_status',
  title: 'Import status',
  description:
    "Shows a product_import job's state and progress (rows read, upserted, rejected; percent) and its " +
    'rejected rows in line order, each with its line, field ("row": unreadable line), problem and an ' +
    'escaped excerpt. The first 1000 are kept (rows_failed counts all); page with errors_after_line. Poll ' +
    'every few seconds while queued or running. Returns { import, errors, errors_stored }. On failure: ' +
    'NOT_FOUND for an unknown import id.',
  guide:
    'Shows the state and progress of a product_import job (rows read, upserted and rejected; bytes read and ' +
    'percent) and its rejected rows in line order: each with the 1-based line number in the file, the field ' +
    `("row" when the line itself is unreadable), what is wrong and a short escaped excerpt of the line. The first ${MAX_STORED_IMPORT_ERRORS} rejected ` +
    'rows are kept; rows_failed counts all. Page through them with errors_after_line (the line of the last error ' +
    'you saw). Poll every few seconds while status is queued or running. ' +
    'Returns { import, errors, errors_stored }. ' +
    'On failure: NOT_FOUND for an unknown import id.',
  input: z.strictObject({
    id: importIdSchema,
    errors_limit: z.number().int().min(0).max(100).default(20).describe('Rejected rows to return, 0-100. Default 20.'),
    errors_after_line: z.number().int().min(0).optional().describe('Only errors on lines after this one.'),
  }),
  output: z.object({
    import: importJobSchema,
    errors: z.array(
      z.object({
        line: z.number().int().describe('1-based line number in the file.'),
        field: z.string().describe('The field that is wrong, or "row" for an unreadable line.'),
        message: z.string(),
        excerpt: z
          .string()
          .nullable()
          .describe(
            'The start of the line, at most 120 characters, with every character other than letters, digits and plain ' +
              'punctuation written as \\uXXXX (control characters and <, >, & included); "..." when cut; null when the line could not be read.',
          ),
      }),
    ),
    errors_stored: z.number().int().describe(`Rejected rows kept (at most ${MAX_STORED_IMPORT_ERRORS}).`),
  }),
  scopes: ['product:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
