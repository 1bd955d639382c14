-- The tables bench/pg_insert.sql writes, created by bench/http.sh and bench/ratios.sh in a
-- scratch database: the database work of one order (counter, order, lines, event) without
-- Kedai in front of it.
CREATE TABLE bench_counter (outlet_id int PRIMARY KEY, n bigint NOT NULL);
CREATE TABLE bench_order (id bigserial PRIMARY KEY, outlet_id int NOT NULL, number bigint NOT NULL,
                          total bigint NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE bench_item (id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES bench_order,
                         product_id int NOT NULL, quantity int NOT NULL, price bigint NOT NULL);
CREATE INDEX ON bench_item (order_id);
CREATE TABLE bench_event (id bigserial PRIMARY KEY, kind text NOT NULL, payload jsonb NOT NULL,
                          created_at timestamptz NOT NULL);
