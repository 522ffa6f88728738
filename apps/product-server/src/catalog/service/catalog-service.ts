import type { Kysely } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { productArchive, productCreate, productGet, productLookup, productSearch, productSetPrice, productUpdate } from '@mcpfed/contract-product';
import { PRODUCT_UPDATABLE_FIELDS } from '@mcpfed/contract-product';
import { stockBySku } from '../../inventory/index.ts';
import type { ProductDatabase } from '../../store/product-database.ts';
import { productNotFound } from '../store/product-not-found.ts';
import { ProductStore } from '../store/product-store.ts';
import type { CategoryCountRow, ProductPatch, ProductRow } from '../store/product-store.ts';
import type { LexiconCache } from './lexicon-cache.ts';
import { productView, summaryView } from './product-view.ts';
import type { ProductOutput } from './product-view.ts';
import { searchProducts } from './search-products.ts';
import { withinTransaction } from '../../store/within-transaction.ts';

/** How many prices product_get shows. */
const HISTORY_SHOWN = 10;

/** Collaborators of a {@link CatalogService} besides its database handle. */
export interface CatalogServiceDeps {
  /** Keeps lexicon answers between searches (product_search); default none: every search asks the database. */
  lexicon?: LexiconCache;
}

/** What the catalog's rules read of a request: who acts (`changed_by` of price history) and the abort signal. */
type CatalogCall = Pick<RequestContext, 'principal' | 'signal'>;

/**
 * The catalog's rules. One instance serves one call: it works on the database handle it is given — the
 * runtime's transaction for write tools, the pool for reads — and opens its own transaction when a write is
 * called outside one, so a product and its price history always commit together.
 */
export class CatalogService {
  readonly #db: Kysely<ProductDatabase>;
  readonly #deps: CatalogServiceDeps;

  constructor(db: Kysely<ProductDatabase>, deps: CatalogServiceDeps = {}) {
    this.#db = db;
    this.#deps = deps;
  }

  /** product_get. */
  async get(input: ContractInput<typeof productGet>, ctx: Pick<RequestContext, 'signal'>): Promise<ContractOutput<typeof productGet>> {
    return this.product(input.sku, ctx);
  }

  /** A product with stock and recent prices; NOT_FOUND when there is none (also for the resource). */
  async product(sku: string, ctx: Pick<RequestContext, 'signal'>): Promise<ProductOutput> {
    const row = await new ProductStore(this.#db, ctx.signal).find(sku);
    if (row === undefined) throw productNotFound(sku);
    return this.#view(this.#db, row, ctx);
  }

  /** product_lookup: in request order, each SKU once, plus the missing ones. */
  async lookup(input: ContractInput<typeof productLookup>, ctx: Pick<RequestContext, 'signal'>): Promise<ContractOutput<typeof productLookup>> {
    const skus = [...new Set(input.skus)];
    const rows = new Map((await new ProductStore(this.#db, ctx.signal).findMany(skus)).map((row) => [row.sku, row]));
    return {
      items: skus.flatMap((sku) => {
        const row = rows.get(sku);
        return row === undefined ? [] : [summaryView(row)];
      }),
      missing: skus.filter((sku) => !rows.has(sku)),
    };
  }

  /** product_search, through the lexicon cache when the service has one. */
  async search(input: ContractInput<typeof productSearch>, ctx: Pick<RequestContext, 'signal'>): Promise<ContractOutput<typeof productSearch>> {
    return searchProducts(this.#db, input, this.#deps.lexicon, ctx);
  }

  /** catalog://categories. */
  async categories(ctx: Pick<RequestContext, 'signal'>): Promise<CategoryCountRow[]> {
    return new ProductStore(this.#db, ctx.signal).categoryCounts();
  }

  /** product_create: the product and the first entry of its price history. */
  async create(input: ContractInput<typeof productCreate>, ctx: CatalogCall): Promise<ContractOutput<typeof productCreate>> {
    return withinTransaction(this.#db, async (db) => {
      const row = await new ProductStore(db, ctx.signal).insert(
        {
          sku: input.sku,
          name: input.name,
          brand: input.brand ?? null,
          category: input.category,
          description: input.description ?? null,
          status: input.status,
          price_amount: input.price.amount,
          currency: input.price.currency,
          attributes: input.attributes ?? {},
        },
        ctx.principal.id,
      );
      if (row === undefined) {
        throw new AppError('CONFLICT', `A product with the SKU ${input.sku} already exists. Read it with product_get and change it with product_update.`, {
          details: { sku: input.sku },
        });
      }
      return { product: await this.#view(db, row, ctx), replayed: false };
    });
  }

  /** product_update: changed catalog fields under optimistic concurrency. */
  async update(input: ContractInput<typeof productUpdate>, ctx: CatalogCall): Promise<ContractOutput<typeof productUpdate>> {
    return withinTransaction(this.#db, async (db) => {
      const store = new ProductStore(db, ctx.signal);
      const current = await this.#locked(store, input.sku, input.expected_version);
      if (current.status === 'archived' && input.changes.status === undefined) {
        throw new AppError(
          'PRECONDITION_FAILED',
          `Product ${input.sku} is archived. Restore it with changes.status "active" or "draft" (in this call or first).`,
          {
            details: { sku: input.sku, status: current.status },
          },
        );
      }
      const patch: ProductPatch = {};
      const changed: Array<(typeof PRODUCT_UPDATABLE_FIELDS)[number]> = [];
      for (const field of PRODUCT_UPDATABLE_FIELDS) {
        const value = input.changes[field];
        if (value === undefined || sameValue(current[field], value)) continue;
        (patch as Record<string, unknown>)[field] = value;
        changed.push(field);
      }
      if (changed.length === 0) return { product: await this.#view(db, current, ctx), changed_fields: [] };
      return { product: await this.#view(db, await store.update(input.sku, patch), ctx), changed_fields: changed };
    });
  }

  /** product_archive: status archived; a no-op when it already is. */
  async archive(input: ContractInput<typeof productArchive>, ctx: CatalogCall): Promise<ContractOutput<typeof productArchive>> {
    return withinTransaction(this.#db, async (db) => {
      const store = new ProductStore(db, ctx.signal);
      const current = await this.#locked(store, input.sku, input.expected_version);
      if (current.status === 'archived') return { product: await this.#view(db, current, ctx), previous_status: current.status, changed: false };
      const row = await store.update(input.sku, { status: 'archived' });
      return { product: await this.#view(db, row, ctx), previous_status: current.status, changed: true };
    });
  }

  /** product_set_price: the new price and its history entry; a no-op when the price is the current one. */
  async setPrice(input: ContractInput<typeof productSetPrice>, ctx: CatalogCall): Promise<ContractOutput<typeof productSetPrice>> {
    return withinTransaction(this.#db, async (db) => {
      const store = new ProductStore(db, ctx.signal);
      const current = await this.#locked(store, input.sku, input.expected_version);
      if (current.status === 'archived') {
        throw new AppError('PRECONDITION_FAILED', `Product ${input.sku} is archived; restore it with product_update before changing its price.`, {
          details: { sku: input.sku, status: current.status },
        });
      }
      const previous = { amount: current.price_amount, currency: current.currency };
      if (previous.amount === input.price.amount && previous.currency === input.price.currency) {
        return { product: await this.#view(db, current, ctx), previous_price: previous, changed: false };
      }
      const row = await store.setPrice(input.sku, input.price, ctx.principal.id, input.reason ?? null);
      return { product: await this.#view(db, row, ctx), previous_price: previous, changed: true };
    });
  }

  /** Locks the product and checks the caller's expected version. */
  async #locked(store: ProductStore, sku: string, expectedVersion: number | undefined): Promise<ProductRow> {
    const current = await store.lock(sku);
    if (current === undefined) throw productNotFound(sku);
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new AppError(
        'CONFLICT',
        `Product ${sku} changed since you read it (version ${current.version}, you expected ${expectedVersion}). Read it again, re-apply your change and retry.`,
        {
          details: { sku, current_version: current.version, expected_version: expectedVersion },
        },
      );
    }
    return current;
  }

  async #view(db: Kysely<ProductDatabase>, row: ProductRow, ctx: Pick<RequestContext, 'signal'>): Promise<ProductOutput> {
    const [stock, history] = await Promise.all([stockBySku(db, [row.sku], ctx), new ProductStore(db, ctx.signal).priceHistory(row.sku, HISTORY_SHOWN)]);
    return productView(row, stock.get(row.sku) ?? { sku: row.sku, on_hand: 0, reserved: 0, available: 0, locations: [] }, history);
  }
}

/** Equality of a stored column and a new value (attributes compared as JSON with sorted keys). */
function sameValue(current: unknown, next: unknown): boolean {
  if (typeof current === 'object' && current !== null && typeof next === 'object' && next !== null) {
    return canonical(current) === canonical(next);
  }
  return current === next;
}

function canonical(value: object): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
