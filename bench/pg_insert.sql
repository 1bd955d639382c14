-- pgbench script for bench/http.sh and bench/ratios.sh: the database work of one
-- POST /api/v1/orders, as a ceiling for the server on PostgreSQL. One transaction: bump the
-- outlet's order counter (upsert; one hot row, as every order of an outlet takes the next
-- number), insert the order, its two items and one event. `-D outlets=N` spreads the clients
-- over N outlets (client 0 at outlet 1, …; N = 1: every order at one till). The tables
-- (bench/pg_schema.sql) are created by the scripts in a scratch database.
-- Run: pgbench -n -f bench/pg_insert.sql -D outlets=1 -c 16 -j 2 -T 10 <scratch db url>
\set outlet :client_id % :outlets + 1
BEGIN;
INSERT INTO bench_counter (outlet_id, n) VALUES (:outlet, 1)
  ON CONFLICT (outlet_id) DO UPDATE SET n = bench_counter.n + 1 RETURNING n \gset
INSERT INTO bench_order (outlet_id, number, total, created_at)
  VALUES (:outlet, :n, 20000, now()) RETURNING id AS order_id \gset
INSERT INTO bench_item (order_id, product_id, quantity, price)
  VALUES (:order_id, 1, 1, 10000), (:order_id, 2, 1, 10000);
INSERT INTO bench_event (kind, payload, created_at)
  VALUES ('order_created', jsonb_build_object('order_id', :order_id, 'number', :n), now());
COMMIT;
