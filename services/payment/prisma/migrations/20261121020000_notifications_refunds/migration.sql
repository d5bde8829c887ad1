-- The notification log: notify_id is unique, so a redelivered notification is recognised
-- inside the same transaction that would apply it.
CREATE TABLE "payment_notifications" (
  "notify_id" VARCHAR(128) PRIMARY KEY,
  "order_sn" VARCHAR(20) NOT NULL,
  "trade_no" VARCHAR(64),
  "trade_status" VARCHAR(32) NOT NULL,
  "total_amount" INTEGER NOT NULL,
  "source" VARCHAR(16) NOT NULL,
  "params" JSONB NOT NULL,
  "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "payment_notifications_source" CHECK ("source" IN ('NOTIFY', 'QUERY'))
);
CREATE INDEX "payment_notifications_order_sn_idx" ON "payment_notifications" ("order_sn");

-- One refund per order, keyed by the deterministic out_request_no sent to Alipay.
CREATE TABLE "refunds" (
  "out_request_no" VARCHAR(64) PRIMARY KEY,
  "order_sn" VARCHAR(20) NOT NULL,
  "amount" INTEGER NOT NULL,
  "refunded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "refunds_amount_positive" CHECK ("amount" > 0)
);
CREATE UNIQUE INDEX "refunds_order_sn_key" ON "refunds" ("order_sn");
