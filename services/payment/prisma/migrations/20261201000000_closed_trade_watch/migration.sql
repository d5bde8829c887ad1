-- A payment closed locally while Alipay had never seen its trade (the cashier was never opened)
-- can still be paid through the signed payUrl the buyer holds, until the trade's time_expire.
-- Reconciliation keeps querying such payments until `watch_until` (the deadline plus a margin),
-- so money paid that way — even with every notification lost — is recorded and refunded.
ALTER TABLE "payments" ADD COLUMN "watch_until" TIMESTAMPTZ(3);
CREATE INDEX "payments_watch_until_idx" ON "payments" ("watch_until") WHERE "watch_until" IS NOT NULL;
