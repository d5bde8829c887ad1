-- Orders with price and address snapshots. Status changes are conditional UPDATEs on the current
-- status (see orders/order-state.ts); the CHECKs keep each status's columns coherent.
CREATE TYPE "order_status" AS ENUM ('UNPAID', 'PAID', 'CANCELLED');
CREATE TYPE "cancel_reason" AS ENUM ('USER', 'TIMEOUT');

CREATE TABLE "orders" (
  "order_sn" VARCHAR(20) PRIMARY KEY,
  "user_id" INTEGER NOT NULL,
  "status" "order_status" NOT NULL DEFAULT 'UNPAID',
  "total_amount" INTEGER NOT NULL,
  "pay_deadline" TIMESTAMPTZ(3) NOT NULL,
  "paid_at" TIMESTAMPTZ(3),
  "cancel_reason" "cancel_reason",
  "cancelled_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "orders_order_sn_digits" CHECK ("order_sn" ~ '^[1-9][0-9]{0,18}$'),
  CONSTRAINT "orders_total_non_negative" CHECK ("total_amount" >= 0),
  CONSTRAINT "orders_paid_has_paid_at" CHECK (("status" = 'PAID') = ("paid_at" IS NOT NULL)),
  CONSTRAINT "orders_cancelled_has_reason" CHECK (("status" = 'CANCELLED') = ("cancel_reason" IS NOT NULL AND "cancelled_at" IS NOT NULL))
);
CREATE INDEX "orders_user_id_created_at_idx" ON "orders" ("user_id", "created_at" DESC);
-- The timeout job's scan: UNPAID orders by deadline.
CREATE INDEX "orders_status_pay_deadline_idx" ON "orders" ("status", "pay_deadline");

CREATE TABLE "order_items" (
  "order_sn" VARCHAR(20) NOT NULL REFERENCES "orders" ("order_sn") ON DELETE CASCADE,
  "sku_id" INTEGER NOT NULL,
  "title" VARCHAR(200) NOT NULL,
  "unit_price" INTEGER NOT NULL,
  "quantity" INTEGER NOT NULL,
  "subtotal" INTEGER NOT NULL,
  PRIMARY KEY ("order_sn", "sku_id"),
  CONSTRAINT "order_items_quantity_range" CHECK ("quantity" BETWEEN 1 AND 999),
  CONSTRAINT "order_items_subtotal" CHECK ("subtotal" = "unit_price" * "quantity")
);

CREATE TABLE "order_logistics" (
  "order_sn" VARCHAR(20) PRIMARY KEY REFERENCES "orders" ("order_sn") ON DELETE CASCADE,
  "receiver" VARCHAR(64) NOT NULL,
  "phone" VARCHAR(32) NOT NULL,
  "region" VARCHAR(128) NOT NULL,
  "detail" VARCHAR(255) NOT NULL
);
