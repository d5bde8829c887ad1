-- inventory service: catalog, stock and stock locks.
CREATE TABLE "skus" (
  "id" SERIAL PRIMARY KEY,
  "spu_id" INTEGER,
  "title" VARCHAR(200) NOT NULL,
  "price" INTEGER NOT NULL,
  "stock" INTEGER NOT NULL DEFAULT 0,
  "locked_stock" INTEGER NOT NULL DEFAULT 0,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "skus_price_non_negative" CHECK ("price" >= 0),
  -- The invariant behind "never oversold": the database refuses any write that breaks it,
  -- whatever the application does. 1e9 caps stock so stock + delta cannot overflow INTEGER.
  CONSTRAINT "skus_stock_bounds" CHECK ("locked_stock" >= 0 AND "locked_stock" <= "stock" AND "stock" <= 1000000000)
);

CREATE TYPE "stock_lock_status" AS ENUM ('LOCKED', 'DEDUCTED', 'RELEASED');

CREATE TABLE "stock_locks" (
  "order_sn" VARCHAR(20) NOT NULL,
  "sku_id" INTEGER NOT NULL REFERENCES "skus" ("id"),
  "quantity" INTEGER NOT NULL,
  "status" "stock_lock_status" NOT NULL DEFAULT 'LOCKED',
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY ("order_sn", "sku_id"),
  CONSTRAINT "stock_locks_quantity_positive" CHECK ("quantity" > 0),
  CONSTRAINT "stock_locks_order_sn_digits" CHECK ("order_sn" ~ '^[1-9][0-9]{0,18}$')
);
CREATE INDEX "stock_locks_status_expires_at_idx" ON "stock_locks" ("status", "expires_at");
CREATE INDEX "stock_locks_sku_id_status_idx" ON "stock_locks" ("sku_id", "status");
