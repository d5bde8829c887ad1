-- One payment per order. Status changes are conditional UPDATEs on the current status.
CREATE TYPE "payment_status" AS ENUM ('PENDING', 'PAID', 'CLOSED', 'REFUNDED');

CREATE TABLE "payments" (
  "order_sn" VARCHAR(20) PRIMARY KEY,
  "user_id" INTEGER NOT NULL,
  "amount" INTEGER NOT NULL,
  "status" "payment_status" NOT NULL,
  "pay_deadline" TIMESTAMPTZ(3) NOT NULL,
  "trade_no" VARCHAR(64),
  "paid_at" TIMESTAMPTZ(3),
  "closed_at" TIMESTAMPTZ(3),
  "refunded_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "payments_order_sn_digits" CHECK ("order_sn" ~ '^[1-9][0-9]{0,18}$'),
  CONSTRAINT "payments_amount_non_negative" CHECK ("amount" >= 0),
  -- Money received is always recorded with Alipay's trade number and time.
  CONSTRAINT "payments_paid_has_trade" CHECK ("status" NOT IN ('PAID', 'REFUNDED') OR ("trade_no" IS NOT NULL AND "paid_at" IS NOT NULL))
);
-- The reconciliation job's scan: PENDING payments by age.
CREATE INDEX "payments_status_created_at_idx" ON "payments" ("status", "created_at");
-- Alipay's trade number is unique when present.
CREATE UNIQUE INDEX "payments_trade_no_key" ON "payments" ("trade_no") WHERE "trade_no" IS NOT NULL;
