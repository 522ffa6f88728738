/** A requested quantity of one sku, at one location or (location null) anywhere. */
export interface Demand {
  sku: string;
  location: string | null;
  quantity: number;
}

/** Units of a sku that can be reserved at a location. */
export interface Availability {
  sku: string;
  location: string;
  available: number;
}

/** Units taken from one location. */
export interface Allocation {
  sku: string;
  location: string;
  quantity: number;
}

/** Requested vs available for one demand. */
export interface LineAvailability {
  sku: string;
  location: string | null;
  requested: number;
  available: number;
}

/** The outcome of {@link allocateLines}: allocations when every demand is met, else the lines that fall short. */
export type AllocationResult = { ok: true; allocations: Allocation[]; lines: LineAvailability[] } | { ok: false; lines: LineAvailability[] };

/**
 * Merges lines with the same sku and location (quantities add up) and sorts them by sku, then location
 * (located lines before the "anywhere" line of the same sku): the canonical form of a request.
 */
export function mergeDemands(lines: ReadonlyArray<{ sku: string; location?: string | undefined; quantity: number }>): Demand[] {
  const merged = new Map<string, Demand>();
  for (const line of lines) {
    const location = line.location ?? null;
    const key = `${line.sku}\u0000${location ?? ''}`;
    const existing = merged.get(key);
    if (existing) existing.quantity += line.quantity;
    else merged.set(key, { sku: line.sku, location, quantity: line.quantity });
  }
  return [...merged.values()].sort((a, b) => {
    if (a.sku !== b.sku) return a.sku < b.sku ? -1 : 1;
    if (a.location === b.location) return 0;
    if (a.location === null) return 1;
    if (b.location === null) return -1;
    return a.location < b.location ? -1 : 1;
  });
}

/**
 * Decides which location each unit comes from, deterministically: a line with a location takes from that
 * location; a line without one takes from the locations with the most units left first (ties by location
 * code), after the located lines of the same sku took theirs. All or nothing: any shortfall means no allocation.
 * `lines` reports, per demand, what was requested and what was available to it.
 */
export function allocateLines(demands: readonly Demand[], stock: readonly Availability[]): AllocationResult {
  const left = new Map<string, Map<string, number>>();
  for (const level of stock) {
    let bySku = left.get(level.sku);
    if (!bySku) left.set(level.sku, (bySku = new Map()));
    bySku.set(level.location, Math.max(0, level.available));
  }
  const allocations: Allocation[] = [];
  const lines: LineAvailability[] = [];
  let ok = true;
  const ordered = [...demands.filter((d) => d.location !== null), ...demands.filter((d) => d.location === null)];
  for (const demand of ordered) {
    const bySku = left.get(demand.sku) ?? new Map<string, number>();
    if (demand.location !== null) {
      const available = bySku.get(demand.location) ?? 0;
      lines.push({ sku: demand.sku, location: demand.location, requested: demand.quantity, available });
      if (available < demand.quantity) {
        ok = false;
        continue;
      }
      bySku.set(demand.location, available - demand.quantity);
      allocations.push({ sku: demand.sku, location: demand.location, quantity: demand.quantity });
      continue;
    }
    const candidates = [...bySku.entries()]
      .filter(([, units]) => units > 0)
      .sort(([la, ua], [lb, ub]) => (ub !== ua ? ub - ua : la < lb ? -1 : la > lb ? 1 : 0));
    const available = candidates.reduce((sum, [, units]) => sum + units, 0);
    lines.push({ sku: demand.sku, location: null, requested: demand.quantity, available });
    if (available < demand.quantity) {
      ok = false;
      continue;
    }
    let needed = demand.quantity;
    for (const [location, units] of candidates) {
      if (needed === 0) break;
      const take = Math.min(units, needed);
      bySku.set(location, units - take);
      allocations.push({ sku: demand.sku, location, quantity: take });
      needed -= take;
    }
  }
  const order = new Map(demands.map((d, i) => [`${d.sku}\u0000${d.location ?? ''}`, i]));
  lines.sort((a, b) => (order.get(`${a.sku}\u0000${a.location ?? ''}`) ?? 0) - (order.get(`${b.sku}\u0000${b.location ?? ''}`) ?? 0));
  if (!ok) return { ok: false, lines };
  return { ok: true, allocations: mergeAllocations(allocations), lines };
}

/** One allocation per (sku, location), sorted: a located line and an "anywhere" line may hit the same level. */
function mergeAllocations(allocations: readonly Allocation[]): Allocation[] {
  const merged = new Map<string, Allocation>();
  for (const a of allocations) {
    const key = `${a.sku}\u0000${a.location}`;
    const existing = merged.get(key);
    if (existing) existing.quantity += a.quantity;
    else merged.set(key, { ...a });
  }
  return [...merged.values()].sort((a, b) => (a.sku !== b.sku ? (a.sku < b.sku ? -1 : 1) : a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
}
