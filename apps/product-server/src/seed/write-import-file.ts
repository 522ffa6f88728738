import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ImportFormat } from '@mcpfed/contract-product';
import { generateProduct } from './generate-products.ts';
import type { GeneratedProduct } from './generate-products.ts';

const CSV_COLUMNS = ['sku', 'name', 'brand', 'category', 'description', 'status', 'price_amount', 'currency', 'attributes'] as const;

/**
 * Writes generated bulk products 1..count as an import file (JSON Lines or CSV with a header), the input of
 * import tests and the import throughput measurement. Returns the bytes written.
 */
export async function writeImportFile(file: string, format: ImportFormat, count: number): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\n`);
  for (let n = 1; n <= count; n++) {
    const { created_at: _createdAt, ...product } = generateProduct('bulk', n);
    await write(format === 'jsonl' ? `${JSON.stringify(product)}\n` : `${csvLine(product)}\n`);
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

function csvLine(product: Omit<GeneratedProduct, 'created_at'>): string {
  return CSV_COLUMNS.map((column) => {
    const value = column === 'attributes' ? JSON.stringify(product.attributes) : String(product[column]);
    return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }).join(',');
}
