import { BRANDS, CATEGORIES, COLORS, MODELS } from './catalog-vocabulary.ts';
import type { CategoryVocabulary } from './catalog-vocabulary.ts';
import { DEMO_LOCATIONS } from '../inventory/index.ts';

/** A generated product, in the shape of an import row (JSON Lines field names). */
export interface GeneratedProduct {
  sku: string;
  name: string;
  brand: string;
  category: string;
  description: string;
  status: 'active' | 'draft' | 'archived';
  price_amount: number;
  currency: 'EUR';
  attributes: { color: string; model: string };
  /** When it was created, ISO 8601 (spread over 2024-2025). */
  created_at: string;
}

/** Stock of a generated product at one location. */
export interface GeneratedStock {
  location: string;
  on_hand: number;
}

/** Which numbering a generated product belongs to: its SKU is `<code>-D<4 digits>` (demo) or `<code>-<7 digits>` (bulk). */
export type ProductSeries = 'demo' | 'bulk';

const SEEDS: Readonly<Record<ProductSeries, number>> = { demo: 20250101, bulk: 977 };
const TOTAL_WEIGHT = CATEGORIES.reduce((sum, category) => sum + category.weight, 0);
const EPOCH = Date.UTC(2024, 0, 1);
const SPAN_MS = 2 * 365 * 86_400_000;

/**
 * mulberry32 seeded from (series, n): every product is a pure function of its number, so any slice of a large
 * catalog can be generated alone (batches, files, re-runs) and comes out the same on every machine.
 */
function randomOf(series: ProductSeries, n: number): () => number {
  let state = (Math.imul(n, 0x9e3779b1) ^ SEEDS[series]) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** k distinct items in random order (a partial Fisher-Yates shuffle: the same on every engine). */
function sample<T>(random: () => number, items: readonly T[], k: number): T[] {
  const pool = [...items];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, k);
}

function pickCategory(random: () => number): CategoryVocabulary {
  let ticket = random() * TOTAL_WEIGHT;
  for (const category of CATEGORIES) {
    ticket -= category.weight;
    if (ticket < 0) return category;
  }
  return CATEGORIES[CATEGORIES.length - 1] as CategoryVocabulary;
}

/** Product number n (1-based) of a series. */
export function generateProduct(series: ProductSeries, n: number): GeneratedProduct {
  const random = randomOf(series, n);
  const category = pickCategory(random);
  const brand = pick(random, BRANDS);
  const feature = random() < 0.8 ? pick(random, category.features) : undefined;
  const noun = pick(random, category.nouns);
  const model = `${pick(random, MODELS)} ${10 + Math.floor(random() * 890)}`;
  const color = pick(random, COLORS);
  const details = sample(random, category.details, 3);
  const [low, high] = category.price;
  // Prices end in 9 like shop prices do: x.x9 euro.
  const price = Math.floor((low + random() * (high - low)) / 10) * 10 + 9;
  const roll = random();
  const status = roll < 0.94 ? 'active' : roll < 0.97 ? 'draft' : 'archived';
  const sku = series === 'demo' ? `${category.code}-D${String(n).padStart(4, '0')}` : `${category.code}-${String(n).padStart(7, '0')}`;
  const what = `${feature === undefined ? '' : `${feature} `}${noun}`;
  return {
    sku,
    name: `${brand} ${what} ${model} - ${color}`,
    brand,
    category: category.slug,
    description: `${what} from ${brand} with ${details[0]}, ${details[1]} and ${details[2]}. Colour: ${color.toLowerCase()}.`,
    status,
    price_amount: price,
    currency: 'EUR',
    attributes: { color, model },
    created_at: new Date(EPOCH + Math.floor(random() * SPAN_MS)).toISOString(),
  };
}

/**
 * Stock of product n: one to three of the inventory's {@link DEMO_LOCATIONS}, 0-250 units each; about one product in ten has
 * none anywhere (so "in stock" filters have something to leave out).
 */
export function generateStock(series: ProductSeries, n: number): GeneratedStock[] {
  const random = randomOf(series, n + 0x5bd1e995);
  const soldOut = random() < 0.1;
  const count = 1 + Math.floor(random() * DEMO_LOCATIONS.length);
  const start = Math.floor(random() * DEMO_LOCATIONS.length);
  const out: GeneratedStock[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ location: DEMO_LOCATIONS[(start + i) % DEMO_LOCATIONS.length] as string, on_hand: soldOut ? 0 : Math.floor(random() * 251) });
  }
  return out;
}
