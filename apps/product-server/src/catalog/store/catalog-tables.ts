import type { ColumnType, Generated, GeneratedAlways } from 'kysely';
import type { ImportFormat, ImportStatus, ProductStatus } from '@mcpfed/contract-product';

/** A `timestamptz(3)` column: read as a Date, written as a Date (or an ISO string). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp column with a database default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A jsonb object column: read parsed, written as JSON text. */
type JsonObject = ColumnType<Record<string, unknown>, string | undefined, string>;

/** `products`: one row per SKU; never deleted (archived instead). */
export interface ProductsTable {
  sku: string;
  name: string;
  brand: string | null;
  category: string;
  description: string | null;
  status: ColumnType<ProductStatus, ProductStatus | undefined, ProductStatus>;
  /** Integer minor units of `currency`. */
  price_amount: number;
  currency: string;
  attributes: JsonObject;
  version: Generated<number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  archived_at: Timestamp | null;
  /** Weighted full-text vector: name and SKU (A), brand and category (B), description (C). */
  search_vector: GeneratedAlways<string>;
}

/** `product_price_history`: every price a product has had, the current one last. */
export interface ProductPriceHistoryTable {
  id: GeneratedAlways<string>;
  sku: string;
  price_amount: number;
  currency: string;
  changed_at: DefaultTimestamp;
  /** Principal id, `import:<id>` or `system:seed`. */
  changed_by: string;
  reason: string | null;
}

/** `product_words`: the typo-correction lexicon (kept by triggers on `products`). */
export interface ProductWordsTable {
  word: string;
  /** The word's letters sorted (transpositions keep it). */
  word_key: GeneratedAlways<string>;
}

/** `product_imports`: one catalog import job, its progress and outcome. */
export interface ProductImportsTable {
  id: string;
  status: ColumnType<ImportStatus, ImportStatus | undefined, ImportStatus>;
  format: ImportFormat;
  /** `path` (relative to the import directory) or `url`. */
  source_kind: 'path' | 'url';
  source: string;
  created_by: string;
  idempotency_key: string;
  request_hash: string;
  /** Data records fully processed and committed (the resume point); the CSV header is not a record. */
  records_done: Generated<number>;
  rows_ok: Generated<number>;
  rows_failed: Generated<number>;
  /** Physical lines read up to the resume point (1-based line numbers continue from here). */
  lines_done: Generated<number>;
  bytes_done: ColumnType<string, number | string | undefined, number | string>;
  /** Size of the file when known (Content-Length or file size). */
  bytes_total: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  attempts: Generated<number>;
  /** Why the import failed as a whole (unreadable source, too large...); null otherwise. */
  error: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: DefaultTimestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: DefaultTimestamp;
}

/** `product_import_errors`: the first rejected rows of an import (line, field, message). */
export interface ProductImportErrorsTable {
  import_id: string;
  line: number;
  field: string;
  message: string;
  /** A short escaped excerpt of the line (`lineExcerpt`) to help fix the file; rows written before excerpts existed may hold up to 500 raw characters, so readers escape it again. */
  raw: string | null;
}

/** The catalog's tables of the product database. */
export interface CatalogTables {
  products: ProductsTable;
  product_price_history: ProductPriceHistoryTable;
  product_words: ProductWordsTable;
  product_imports: ProductImportsTable;
  product_import_errors: ProductImportErrorsTable;
}
