"""The ceiling for POST /api/v1/orders on SQLite (bench/ratios.sh): the database work of one
order, as bench/pg_insert.sql does it on PostgreSQL, straight from Python's sqlite3 with the
server's settings (WAL, synchronous=FULL), one transaction per order, one writer (SQLite takes
one at a time). Prints `tps=<orders per second>`.

Usage: python3 bench/sqlite_ceiling.py DATABASE_FILE SECONDS
"""
import sqlite3
import sys
import time

path, seconds = sys.argv[1], float(sys.argv[2])
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.executescript("""
CREATE TABLE IF NOT EXISTS bench_counter (outlet_id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bench_order (id INTEGER PRIMARY KEY, outlet_id INTEGER NOT NULL,
    number INTEGER NOT NULL, total INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bench_item (id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES bench_order, product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL, price INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS bench_item_order ON bench_item (order_id);
CREATE TABLE IF NOT EXISTS bench_event (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,
    payload TEXT NOT NULL, created_at TEXT NOT NULL);
""")
done = 0
start = time.monotonic()
while time.monotonic() - start < seconds:
    db.execute("BEGIN IMMEDIATE")
    (n,) = db.execute(
        "INSERT INTO bench_counter (outlet_id, n) VALUES (1, 1) "
        "ON CONFLICT (outlet_id) DO UPDATE SET n = n + 1 RETURNING n").fetchone()
    order_id = db.execute(
        "INSERT INTO bench_order (outlet_id, number, total, created_at) "
        "VALUES (1, ?, 20000, datetime('now'))", (n,)).lastrowid
    db.execute("INSERT INTO bench_item (order_id, product_id, quantity, price) "
               "VALUES (?, 1, 1, 10000), (?, 2, 1, 10000)", (order_id, order_id))
    db.execute("INSERT INTO bench_event (kind, payload, created_at) "
               "VALUES ('NEW_ORDER', json_object('order_id', ?, 'number', ?), datetime('now'))",
               (order_id, n))
    db.execute("COMMIT")
    done += 1
print(f"tps={done / (time.monotonic() - start):.0f}")
