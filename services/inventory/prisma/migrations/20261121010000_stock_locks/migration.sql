-- Stock locking: the per-order request record that makes POST /internal/stock-locks idempotent,
-- and the outbox/inbox every event-producing / event-consuming service needs.

CREATE TYPE "stock_lock_outcome" AS ENUM ('LOCKED', 'REJECTED');

-- The FIRST outcome of a lock request, one row per orderSn. It is inserted first in the locking
-- transaction, so its primary key serialises concurrent duplicates: a second request for the same
-- orderSn blocks on the key until the first commits, then replays what the first decided.
CREATE TABLE "stock_lock_requests" (
  "order_sn" VARCHAR(20) PRIMARY KEY,
  "outcome" "stock_lock_outcome" NOT NULL,
  -- The requested [{skuId, quantity}], sorted by skuId: a repeat must ask for exactly this.
  "items" JSONB NOT NULL,
  -- For REJECTED: the SKUs that were short, replayed in the 409's details.skuIds.
  "short_sku_ids" JSONB NOT NULL DEFAULT '[]',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "stock_lock_requests_order_sn_digits" CHECK ("order_sn" ~ '^[1-9][0-9]{0,18}$'),
  CONSTRAINT "stock_lock_requests_items_array" CHECK (jsonb_typeof("items") = 'array' AND jsonb_typeof("short_sku_ids") = 'array')
);

-- Every lock row belongs to a recorded request (no lock can exist outside the idempotent path).
ALTER TABLE "stock_locks"
  ADD CONSTRAINT "stock_locks_order_sn_fkey" FOREIGN KEY ("order_sn") REFERENCES "stock_lock_requests" ("order_sn");

-- Outbox and inbox: same shape as in every other service.
CREATE TABLE "outbox_events" (
  "id" BIGSERIAL PRIMARY KEY,
  "event_id" UUID NOT NULL,
  "topic" VARCHAR(100) NOT NULL,
  "message_key" VARCHAR(100) NOT NULL,
  "type" VARCHAR(64) NOT NULL,
  "envelope" JSONB NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "published_at" TIMESTAMPTZ(3),
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "last_error" TEXT
);
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events" ("event_id");
-- The relay's scan touches only unpublished rows.
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events" ("id") WHERE "published_at" IS NULL;

CREATE TABLE "inbox_events" (
  "consumer" VARCHAR(100) NOT NULL,
  "event_id" UUID NOT NULL,
  "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY ("consumer", "event_id")
);
