-- Every SQL example of the design documents, as the parser must accept it.
--
-- Sources: seed 001 (Key Abstractions, Streaming SQL table), seed 004 (§7.2 SQL DDL,
-- §10 Kafka/CDC sources) and SQL-DIALECT.md (statement templates, windows and time,
-- joins and analytics, types). Seeds 000, 002 and 003 contain no SQL.
--
-- Changes made so that the examples can parse (everything else is verbatim):
-- * Placeholders are written out: `...` and `(columns...)` became concrete columns or options,
--   `SELECT symbol, AVG(price) ...` got `FROM trades GROUP BY symbol`, `INTERVAL 'delay'` became
--   INTERVAL '100ms', `N` became 65536, `'duration'` became '10 seconds', `expr` / `TYPE` /
--   `stream_or_view` / `name` in templates became concrete expressions, types and names.
-- * Grammar notation was expanded: each `[optional]` part appears once with and once without,
--   and each `A | B` alternative appears at least once.
-- * Fragments from tables (`tumble(ts_col, INTERVAL)`, `ASOF JOIN ... ON ... AND ts >= ts`,
--   `LAG(col, offset) OVER (...)`, a bare FROM clause) were wrapped in a minimal complete
--   SELECT or CREATE STREAM over the trades/quotes/bid sources.
-- * Variable references (dollar-brace VAR) stay as written; the test substitutes KAFKA_BROKERS
--   before parsing and leaves BUFFER_SIZE to its default.
-- * The seed 001 statements had no `;` (they were Rust string arguments); one was added.

-- ---------------------------------------------------------------- seed 001: Key Abstractions
CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts BIGINT);
CREATE STREAM avg_price AS SELECT symbol, AVG(price) FROM trades GROUP BY symbol;

-- ---------------------------------------------------------------- seed 001: Streaming SQL table
CREATE SOURCE name (symbol VARCHAR, price DOUBLE, ts TIMESTAMP);
CREATE STREAM name AS SELECT symbol, price FROM trades;
CREATE SINK name FROM stream;
SELECT symbol, count(*) FROM trades GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE);
SELECT symbol, count(*) FROM trades GROUP BY symbol, slide(ts, INTERVAL '1' MINUTE, INTERVAL '10' SECOND);
SELECT symbol, count(*) FROM trades GROUP BY symbol, hop(ts, INTERVAL '1' MINUTE, INTERVAL '10' SECOND);
SELECT symbol, count(*) FROM trades GROUP BY symbol, session(ts, INTERVAL '30' SECOND);
CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
CREATE STREAM late_ok AS SELECT symbol, count(*) FROM trades GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE) ALLOWED_LATENESS INTERVAL '10' SECOND;
CREATE STREAM ohlc_1min AS SELECT symbol, max(price) AS high FROM trades GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE) EMIT ON WINDOW CLOSE;
SELECT t.symbol, t.price, q.bid FROM trades t ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts >= q.ts;
CREATE LOOKUP TABLE instruments (symbol VARCHAR, name VARCHAR, PRIMARY KEY (symbol)) FROM POSTGRES(url = 'postgres://localhost/ref', table = 'instruments');
SELECT symbol, LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts) FROM trades;
SELECT symbol, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts) FROM trades;
SELECT symbol, AVG(price) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) FROM trades;
CREATE SOURCE kafka_trades (symbol VARCHAR) FROM KAFKA (brokers = '${KAFKA_BROKERS}', topic = 'trades');

-- ---------------------------------------------------------------- seed 004: §7.2 SQL DDL
CREATE SOURCE name (
    column_a BIGINT NOT NULL,
    column_b VARCHAR,
    ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '100ms'
) WITH (
    buffer_size = 65536,
    backpressure = 'block',
    wait_strategy = 'spin',
    checkpoint_interval = '10 seconds',
    wal_mode = 'async'
);

CREATE SOURCE name (column_a BIGINT) WITH (backpressure = 'drop_oldest', wait_strategy = 'spin_yield', wal_mode = 'sync');
CREATE SOURCE name (column_a BIGINT) WITH (backpressure = 'reject', wait_strategy = 'park');

-- Minimal (max performance, all defaults)
CREATE SOURCE trades (
    symbol VARCHAR,
    price DOUBLE,
    ts TIMESTAMP
);

-- With watermark
CREATE SOURCE trades (
    symbol VARCHAR,
    price DOUBLE,
    ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '100ms'
);

-- With checkpointing
CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts TIMESTAMP) WITH (
    checkpoint_interval = '10 seconds'
);

CREATE SINK name FROM view;

-- Examples:
CREATE SINK ohlc_output FROM ohlc_1min;

-- ---------------------------------------------------------------- seed 004: §10 Kafka/CDC
-- In-memory (now)
CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts TIMESTAMP);

-- Kafka (future) - same downstream code
CREATE SOURCE trades FROM KAFKA (
    brokers = 'localhost:9092',
    topic = 'trades'
);

-- CDC (future)
CREATE SOURCE orders FROM CDC (
    connector = 'postgres',
    table = 'orders'
);

-- ---------------------------------------------------------------- SQL-DIALECT: statements
CREATE OR REPLACE SOURCE IF NOT EXISTS orders (
    id BIGINT NOT NULL,
    customer VARCHAR,
    amount DECIMAL(12, 2),
    ts TIMESTAMP,
    PRIMARY KEY (id),
    WATERMARK FOR ts AS ts - INTERVAL '100ms'
) FROM KAFKA (brokers = '${KAFKA_BROKERS:-localhost:9092}', topic = 'orders') FORMAT JSON
  WITH (buffer_size = ${BUFFER_SIZE:-65536}, backpressure = 'block', wait_strategy = 'spin',
        checkpoint_interval = '10 seconds', wal_mode = 'async');
CREATE SOURCE customers (id BIGINT, name VARCHAR, PRIMARY KEY (id)) FROM POSTGRES_CDC (host = 'db', table = 'customers') FORMAT DEBEZIUM_JSON;
CREATE SOURCE logs (line VARCHAR, ts TIMESTAMP, WATERMARK FOR ts) FROM FILES (path = '/data/*.csv') FORMAT CSV;
CREATE SOURCE ticks (payload VARCHAR) FROM WEBSOCKET (url = 'wss://example.com/ticks') FORMAT RAW;
CREATE SOURCE bids_avro (auction BIGINT) FROM KAFKA (topic = 'bids') FORMAT AVRO;
CREATE SOURCE bid (auction BIGINT, price BIGINT, date_time TIMESTAMP, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) FROM NEXMARK (table = 'bid', events = '10000000', rate = '10000000', seed = '1');

CREATE STREAM big_orders AS SELECT id, amount FROM orders WHERE amount > 1000;
CREATE STREAM per_minute AS SELECT customer, sum(amount) FROM orders GROUP BY customer, tumble(ts, INTERVAL '1' MINUTE) EMIT ON WINDOW CLOSE;
CREATE MATERIALIZED VIEW totals AS SELECT customer, sum(amount) AS total FROM orders GROUP BY customer;
CREATE MATERIALIZED VIEW totals_changes AS SELECT customer, sum(amount) AS total FROM orders GROUP BY customer EMIT CHANGES;
CREATE SINK big_orders_out FROM big_orders WHERE amount > 5000 INTO KAFKA (topic = 'big') FORMAT JSON WITH (delivery = 'exactly_once');
CREATE SINK totals_out FROM totals INTO POSTGRES (url = 'postgres://db', table = 'totals') WITH (delivery = 'at_least_once');
CREATE SINK archive FROM orders INTO FILES (path = '/archive') FORMAT CSV;
CREATE SINK inline_out INTO KAFKA (topic = 'inline') AS SELECT id FROM orders WHERE amount > 1;
CREATE TABLE fx_rates (currency VARCHAR, rate DOUBLE, PRIMARY KEY (currency)) WITH (capacity = 1000);
CREATE TABLE fx_plain (currency VARCHAR, rate DOUBLE, PRIMARY KEY (currency));
CREATE LOOKUP TABLE customers_lookup (id BIGINT, name VARCHAR, PRIMARY KEY (id)) FROM POSTGRES (url = 'postgres://db', table = 'customers') WITH (cache = 'full');
INSERT INTO fx_rates VALUES ('EUR', 1.08), ('GBP', 1.27);
INSERT INTO orders VALUES (1, 'alice', 12.50, TIMESTAMP '2024-01-01 00:00:00');
DROP SOURCE orders;
DROP STREAM IF EXISTS big_orders CASCADE;
DROP MATERIALIZED VIEW totals;
DROP SINK archive;
DROP TABLE fx_rates;
DROP LOOKUP TABLE IF EXISTS customers_lookup;
SHOW SOURCES; SHOW STREAMS; SHOW MATERIALIZED VIEWS; SHOW SINKS; SHOW TABLES;
SHOW CREATE SOURCE orders;
SHOW CREATE MATERIALIZED VIEW totals;
DESCRIBE orders;
EXPLAIN SELECT * FROM totals;
EXPLAIN ANALYZE CREATE STREAM s AS SELECT id FROM orders;
CHECKPOINT;
RESTORE FROM CHECKPOINT 7;
SET checkpoint_interval = '10 seconds';
SHOW checkpoint_interval;
SELECT customer, total FROM totals WHERE total > 100 ORDER BY total DESC LIMIT 10;
SUBSCRIBE totals;
SUBSCRIBE totals WHERE customer = 'alice';

-- ---------------------------------------------------------------- SQL-DIALECT: windows and time
SELECT tumble(ts, INTERVAL '1' MINUTE) AS window_start, tumble_end(ts, INTERVAL '1' MINUTE) AS window_end, count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE);
SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE, INTERVAL '15' SECOND);
SELECT count(*) FROM trades GROUP BY hop(ts, INTERVAL '10' SECOND, INTERVAL '2' SECOND);
SELECT count(*) FROM trades GROUP BY slide(ts, INTERVAL '10' SECOND, INTERVAL '2' SECOND);
SELECT symbol, count(*) FROM trades GROUP BY symbol, session(ts, INTERVAL '30' SECOND);
SELECT count(*) FROM trades GROUP BY cumulate(ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR);
SELECT window_start, window_end, count(*) FROM TABLE(TUMBLE(TABLE trades, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;
SELECT window_start, window_end, count(*) FROM TABLE(HOP(TABLE trades, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
SELECT window_start, window_end, count(*) FROM TABLE(CUMULATE(TABLE trades, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR)) GROUP BY window_start, window_end;
SELECT window_start, window_end, count(*) FROM TABLE(SESSION(TABLE trades, DESCRIPTOR(ts), INTERVAL '30' SECOND)) GROUP BY window_start, window_end;
CREATE SOURCE quotes (symbol VARCHAR, bid DOUBLE, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
CREATE SOURCE raw_ticks (symbol VARCHAR, ts TIMESTAMP, WATERMARK FOR ts);
CREATE STREAM s1 AS SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE) EMIT ON WINDOW CLOSE;
CREATE STREAM s2 AS SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE) EMIT FINAL;
CREATE STREAM s3 AS SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE) EMIT CHANGES;
CREATE STREAM s4 AS SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE) EMIT ON UPDATE;
CREATE STREAM s5 AS SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE) EMIT EVERY INTERVAL '1' SECOND;
CREATE STREAM s6 AS SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE) EMIT ON WINDOW CLOSE ALLOWED_LATENESS INTERVAL '10' SECOND;
CREATE STREAM s7 AS SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE) WITH (allowed_lateness = '10 seconds');
CREATE STREAM s8 AS SELECT count(*) FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE) ALLOWED_LATENESS INTERVAL '10' SECOND LATE DATA TO late_trades;
SELECT symbol, proctime() AS seen_at FROM trades;

-- ---------------------------------------------------------------- SQL-DIALECT: joins and analytics
SELECT a.k, b.v FROM a JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
SELECT a.k, b.v FROM a LEFT JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
SELECT a.k, b.v FROM a RIGHT JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
SELECT a.k, b.v FROM a FULL JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
SELECT a.k FROM a SEMI JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
SELECT a.k FROM a ANTI JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
SELECT t.symbol, q.bid FROM trades t ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts >= q.ts;
SELECT t.symbol, q.bid FROM trades t ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts > q.ts;
SELECT t.symbol, q.bid FROM trades t ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts <= q.ts;
SELECT t.symbol, q.bid FROM trades t ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts < q.ts;
SELECT a.k, b.v FROM a ASOF JOIN b MATCH_CONDITION(NEAREST(a.ts, b.ts)) ON a.k = b.k;
SELECT o.id, o.amount * r.rate FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency;
SELECT b.price, i.name FROM bid b JOIN instruments i ON b.symbol = i.symbol;
SELECT symbol, LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts), LEAD(price, 1) OVER (PARTITION BY symbol ORDER BY ts), ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts), RANK() OVER (PARTITION BY symbol ORDER BY price), DENSE_RANK() OVER (PARTITION BY symbol ORDER BY price) FROM trades;
SELECT auction, price FROM bid QUALIFY ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) <= 10;
SELECT symbol, AVG(price) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) FROM trades;

-- ---------------------------------------------------------------- SQL-DIALECT: types
CREATE TABLE all_types (
    c_boolean BOOLEAN, c_smallint SMALLINT, c_int INT, c_bigint BIGINT, c_real REAL,
    c_double DOUBLE, c_decimal DECIMAL(38, 10), c_varchar VARCHAR, c_text TEXT, c_bytea BYTEA,
    c_date DATE, c_timestamp TIMESTAMP, c_timestamptz TIMESTAMPTZ, c_interval INTERVAL,
    c_json JSON, PRIMARY KEY (c_int)
);
CREATE SOURCE ms_ticks (ts BIGINT, v DOUBLE, WATERMARK FOR ts AS ts - 5000) WITH (ts_unit = 'ms');
