-- Runs once, when the postgres volume is empty: one database per service (tools/ops/env.mjs).
-- Tables come from the `migrate` service, not from here.
CREATE DATABASE shop_user;
CREATE DATABASE shop_inventory;
CREATE DATABASE shop_order;
CREATE DATABASE shop_payment;
