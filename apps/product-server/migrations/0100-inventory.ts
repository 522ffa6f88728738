import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Stock levels, reservations with their priced lines, and the stock ledger. Runs after the catalog's
 * migrations: levels and lines reference `products(sku)`. The stock rules that must hold under any
 * concurrency are CHECK constraints, so a bug in code fails a statement instead of corrupting stock.
 */
export const inventoryMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE inventory_levels (
        sku text NOT NULL REFERENCES products (sku),
        location text NOT NULL CHECK (location ~ '^[A-Z0-9][A-Z0-9-]{0,31}$'),
        on_hand integer NOT NULL DEFAULT 0,
        reserved integer NOT NULL DEFAULT 0,
        available integer GENERATED ALWAYS AS (on_hand - reserved) STORED,
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (sku, location),
        CONSTRAINT inventory_levels_on_hand_not_negative CHECK (on_hand >= 0),
        CONSTRAINT inventory_levels_reserved_not_negative CHECK (reserved >= 0),
        CONSTRAINT inventory_levels_reserved_within_on_hand CHECK (reserved <= on_hand)
      )`.execute(db);
    // inventory_low_stock walks this index in (available, sku, location) order.
    await sql`CREATE INDEX inventory_levels_available ON inventory_levels (available, sku, location)`.execute(db);
    await sql`CREATE INDEX inventory_levels_location_available ON inventory_levels (location, available, sku)`.execute(db);

    await sql`
      CREATE TABLE reservations (
        id text PRIMARY KEY CHECK (id ~ '^rsv_[0-9a-hjkmnp-tv-z]{26}$'),
        order_reference text NOT NULL UNIQUE CHECK (char_length(order_reference) BETWEEN 1 AND 100),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'committed', 'released', 'expired')),
        request_hash text NOT NULL,
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        total_amount bigint NOT NULL CHECK (total_amount >= 0),
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        finished_at timestamptz(3),
        created_by text NOT NULL,
        CONSTRAINT reservations_finished_consistent CHECK ((status = 'active') = (finished_at IS NULL))
      )`.execute(db);
    // The expiry sweeper looks for active reservations past their TTL.
    await sql`CREATE INDEX reservations_active_expires_at ON reservations (expires_at) WHERE status = 'active'`.execute(db);

    await sql`
      CREATE TABLE reservation_lines (
        reservation_id text NOT NULL REFERENCES reservations (id),
        sku text NOT NULL,
        location text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        unit_price_amount bigint NOT NULL CHECK (unit_price_amount >= 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        PRIMARY KEY (reservation_id, sku, location),
        FOREIGN KEY (sku, location) REFERENCES inventory_levels (sku, location)
      )`.execute(db);

    await sql`
      CREATE TABLE inventory_movements (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sku text NOT NULL,
        location text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('adjust', 'reserve', 'commit', 'release', 'expire')),
        delta_on_hand integer NOT NULL,
        delta_reserved integer NOT NULL,
        on_hand_after integer NOT NULL CHECK (on_hand_after >= 0),
        reserved_after integer NOT NULL CHECK (reserved_after >= 0 AND reserved_after <= on_hand_after),
        reservation_id text REFERENCES reservations (id),
        reference text CHECK (char_length(reference) BETWEEN 1 AND 100),
        reason text CHECK (reason IN ('received', 'returned', 'damaged', 'lost', 'found', 'cycle_count', 'correction', 'initial_stock')),
        note text CHECK (char_length(note) BETWEEN 1 AND 500),
        actor text NOT NULL,
        at timestamptz(3) NOT NULL DEFAULT now(),
        FOREIGN KEY (sku, location) REFERENCES inventory_levels (sku, location),
        CONSTRAINT inventory_movements_changes_something CHECK (delta_on_hand <> 0 OR delta_reserved <> 0),
        CONSTRAINT inventory_movements_kind_shape CHECK (
          CASE kind
            WHEN 'adjust' THEN delta_reserved = 0 AND reason IS NOT NULL AND reservation_id IS NULL
            WHEN 'reserve' THEN delta_on_hand = 0 AND delta_reserved > 0 AND reservation_id IS NOT NULL
            WHEN 'commit' THEN delta_on_hand < 0 AND delta_on_hand = delta_reserved AND reservation_id IS NOT NULL
            ELSE delta_on_hand = 0 AND delta_reserved < 0 AND reservation_id IS NOT NULL
          END)
      )`.execute(db);
    // inventory_movements pages newest first by id, filtered by sku (and optionally location).
    await sql`CREATE INDEX inventory_movements_sku_id ON inventory_movements (sku, id)`.execute(db);
    await sql`CREATE INDEX inventory_movements_reservation_id ON inventory_movements (reservation_id, id) WHERE reservation_id IS NOT NULL`.execute(db);
    await sql`CREATE INDEX inventory_movements_reference_id ON inventory_movements (reference, id) WHERE reference IS NOT NULL`.execute(db);
    // Units sold per sku over a period (the low-stock triage prompt).
    await sql`CREATE INDEX inventory_movements_commit_at ON inventory_movements (at, sku) WHERE kind = 'commit'`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE inventory_movements`.execute(db);
    await sql`DROP TABLE reservation_lines`.execute(db);
    await sql`DROP TABLE reservations`.execute(db);
    await sql`DROP TABLE inventory_levels`.execute(db);
  },
};
