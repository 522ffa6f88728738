import { CsvError, parse } from 'csv-parse/sync';

// One record per call: the line reader has already split the source at line breaks outside quotes (a break inside
// quotes arrives as `\n`), so `\n` is the only record delimiter, and a lone `\r` stays data as RFC 4180 reads it.
const OPTIONS = { record_delimiter: '\n', relax_column_count: true } as const;

const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * One CSV record (RFC 4180: comma-separated, fields optionally in double quotes, `""` is a quote inside quotes),
 * read by csv-parse. Returns the fields, `open` when a quoted field is still open at the end of the text (the
 * record goes on over the line break), or `invalid`.
 *
 * A well-formed record (every field plain, or quoted from its first to its last character) is split here directly,
 * which is several times faster and gives exactly csv-parse's fields; anything else (an open quote, a quote inside
 * a plain field, text after a closing quote) goes to csv-parse, whose verdict stands.
 */
export function parseCsvRecord(text: string): string[] | 'open' | 'invalid' {
  return splitWellFormed(text) ?? parseWithCsvParse(text);
}

/** The fields of a well-formed record, or undefined when the record has anything csv-parse must judge. */
export function splitWellFormed(text: string): string[] | undefined {
  const fields: string[] = [];
  const length = text.length;
  let index = 0;
  for (;;) {
    if (text.charCodeAt(index) === QUOTE) {
      let value = '';
      let from = index + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) return undefined;
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += text.slice(from, quote + 1);
          from = quote + 2;
          continue;
        }
        value += text.slice(from, quote);
        index = quote + 1;
        break;
      }
      fields.push(value);
      if (index === length) return fields;
      if (text.charCodeAt(index) !== COMMA) return undefined;
      index++;
    } else {
      const comma = text.indexOf(',', index);
      const end = comma === -1 ? length : comma;
      const value = text.slice(index, end);
      if (value.includes('"') || value.includes('\n')) return undefined;
      fields.push(value);
      if (comma === -1) return fields;
      index = comma + 1;
    }
  }
}

function parseWithCsvParse(text: string): string[] | 'open' | 'invalid' {
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
