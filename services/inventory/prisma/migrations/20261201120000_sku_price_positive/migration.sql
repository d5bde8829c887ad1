-- A SKU's price is at least 1 cent: Alipay's smallest amount is 0.01, so a price of 0 would make an
-- order nobody can be asked to pay (issue 10). The API refuses it at creation and update; this makes
-- the database refuse it too, whatever writes the row.
-- NOT VALID: enforced on every INSERT and UPDATE from now on without failing the migration on a SKU
-- priced 0 under the old rule (such a row keeps its price until it is next updated).
ALTER TABLE "skus" DROP CONSTRAINT "skus_price_non_negative";
ALTER TABLE "skus" ADD CONSTRAINT "skus_price_positive" CHECK ("price" >= 1) NOT VALID;
