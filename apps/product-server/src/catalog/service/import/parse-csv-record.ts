import { CsvError, parse } from 'csv-parse/sync';

// One record per call: the line reader has already split the source at line breaks outside quotes (a break inside
// quotes arrives as `\n`), so `\n` is the only record delimiter, and a lone `\r` stays data as RFC 4180 reads it.
const OPTIONS = { record_delimiter: '\n', relax_column_count: true } as const;

/**
 * One CSV record (RFC 4180: comma-separated, fields optionally in double quotes, `""` is a quote inside quotes),
 * read by csv-parse. Returns the fields, `open` when a quoted field is still open at the end of the text (the
 * record goes on over the line break), or `invalid`.
 */
export function parseCsvRecord(text: string): string[] | 'open' | 'invalid' {
  let records: string[][];
  try {
    records = parse(text, OPTIONS) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // Anything else csv-parse refuses is a quote where RFC 4180 allows none (INVALID_OPENING_QUOTE inside an
    // unquoted field, CSV_INVALID_CLOSING_QUOTE for text after a closing quote): the row is unreadable, never the file.
    return error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'open' : 'invalid';
  }
  // An empty text is one empty field, as for any other empty field of a record.
  return records[0] ?? [''];
}
