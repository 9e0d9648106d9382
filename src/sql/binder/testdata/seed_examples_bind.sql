-- The SQL examples of the design documents (seed 001, seed 004, SQL-DIALECT.md), bound in
-- order against one catalog. Each statement is preceded by its expected outcome:
--   -- expect: ok            it binds (and CREATE/DROP are applied to the catalog)
--   -- expect: LDB-NNNN      it fails with that code (all such failures are LDB-2xxx: features
--                            or connectors that are not built yet, or rules of streaming)
--   -- runs: LDB-NNNN (why)  what a database executing the statement answers instead, when
--                            that differs (SeedExamplesRunTest): features of later issues
-- Placeholders of the documents (`...`, `columns...`, `expr`) are written out; the changes are
-- noted beside the statement. The database has a data directory (for checkpoint_interval).

-- seed 001, Key Abstractions ----------------------------------------------------------------
-- expect: ok
CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts BIGINT);
-- expect: ok
-- ("AVG(price) ..." completed with FROM trades GROUP BY symbol)
CREATE STREAM avg_price AS SELECT symbol, AVG(price) FROM trades GROUP BY symbol;
-- expect: ok
DROP SOURCE trades CASCADE;

-- seed 004 §7.2 SQL DDL ----------------------------------------------------------------------
-- expect: ok
CREATE SOURCE trades (
    symbol VARCHAR,
    price DOUBLE,
    ts TIMESTAMP
);
-- expect: ok
DROP SOURCE trades;
-- expect: ok
CREATE SOURCE trades (
    symbol VARCHAR,
    price DOUBLE,
    ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '100ms'
);
-- expect: ok
-- ("(...)" written out)
CREATE SOURCE trades_checkpointed (symbol VARCHAR, price DOUBLE, ts TIMESTAMP) WITH (
    checkpoint_interval = '10 seconds'
);
-- expect: ok
-- (the template of §7.2 with every option)
CREATE SOURCE configured (
    symbol VARCHAR NOT NULL,
    ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '100ms'
) WITH (
    buffer_size = 65536,
    backpressure = 'block',
    wait_strategy = 'spin_yield',
    checkpoint_interval = '10 seconds',
    wal_mode = 'async'
);
-- expect: ok
CREATE STREAM ohlc_1min AS
SELECT symbol, min(price) AS low, max(price) AS high, first_value(price) AS open,
       last_value(price) AS close
FROM trades GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE);
-- expect: ok
CREATE SINK ohlc_output FROM ohlc_1min;
-- expect: ok
-- ("CREATE SINK name FROM view")
CREATE SINK name FROM ohlc_1min;

-- seed 004 §10 ---------------------------------------------------------------------------------
-- expect: LDB-2001
CREATE SOURCE trades_kafka FROM KAFKA (
    brokers = 'localhost:9092',
    topic = 'trades'
);
-- expect: LDB-2001
CREATE SOURCE orders_cdc FROM CDC (
    connector = 'postgres',
    table = 'orders'
);

-- seed 001, Streaming SQL table, and SQL-DIALECT windows and time -------------------------------
-- expect: ok
CREATE STREAM by_tumble AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE);
-- expect: ok
CREATE STREAM by_tumble_offset AS SELECT tumble(ts, INTERVAL '1' MINUTE, INTERVAL '10' SECOND) AS window_start,
       tumble_end(ts, INTERVAL '1' MINUTE, INTERVAL '10' SECOND) AS window_end, count(*) AS n
FROM trades GROUP BY tumble(ts, INTERVAL '1' MINUTE, INTERVAL '10' SECOND);
-- expect: ok
CREATE STREAM by_slide AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, slide(ts, INTERVAL '1' MINUTE, INTERVAL '10' SECOND);
-- expect: ok
CREATE STREAM by_hop AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, hop(ts, INTERVAL '1' MINUTE, INTERVAL '10' SECOND);
-- expect: ok
CREATE STREAM by_session AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, session(ts, INTERVAL '30' SECOND);
-- expect: ok
CREATE STREAM by_cumulate AS SELECT count(*) AS n FROM trades
GROUP BY cumulate(ts, INTERVAL '1' MINUTE, INTERVAL '10' MINUTE);
-- expect: ok
CREATE STREAM tvf_tumble AS SELECT window_start, window_end, count(*) AS n
FROM TABLE(TUMBLE(TABLE trades, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
-- expect: ok
CREATE STREAM tvf_hop AS SELECT window_start, window_end, count(*) AS n
FROM TABLE(HOP(TABLE trades, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
-- expect: ok
CREATE STREAM tvf_cumulate AS SELECT window_start, window_end, count(*) AS n
FROM TABLE(CUMULATE(TABLE trades, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '10' MINUTE))
GROUP BY window_start, window_end;
-- expect: ok
CREATE STREAM tvf_session AS SELECT window_start, window_end, count(*) AS n
FROM TABLE(SESSION(TABLE trades, DESCRIPTOR(ts), INTERVAL '30' SECOND))
GROUP BY window_start, window_end;
-- expect: ok
CREATE STREAM late_ok AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE)
ALLOWED_LATENESS INTERVAL '10' SECOND;
-- expect: ok
CREATE STREAM late_with AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE)
WITH (allowed_lateness = '10 seconds');
-- expect: ok
CREATE STREAM late_side AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE)
ALLOWED_LATENESS INTERVAL '10' SECOND LATE DATA TO late_trades;
-- expect: ok
CREATE STREAM closed AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE) EMIT ON WINDOW CLOSE;
-- expect: ok
CREATE STREAM final AS SELECT symbol, count(*) FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE) EMIT FINAL;
-- expect: ok
CREATE STREAM changes AS SELECT symbol, count(*) FROM trades GROUP BY symbol EMIT CHANGES;
-- expect: ok
CREATE STREAM updates AS SELECT symbol, count(*) FROM trades GROUP BY symbol EMIT ON UPDATE;
-- expect: ok
CREATE STREAM periodic AS SELECT symbol, count(*) FROM trades GROUP BY symbol
EMIT EVERY INTERVAL '1' SECOND;
-- expect: ok
CREATE STREAM seen AS SELECT symbol, proctime() AS seen_at FROM trades;
-- expect: ok
-- (WATERMARK FOR without AS: watermarks come from source.watermark(ts))
CREATE SOURCE app_clocked (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts);
-- expect: ok
CREATE SOURCE ms_ticks (ts BIGINT, v DOUBLE, WATERMARK FOR ts AS ts - 5000) WITH (ts_unit = 'ms');
-- expect: LDB-1105
CREATE SOURCE ms_ticks_undeclared (ts BIGINT, WATERMARK FOR ts AS ts - 5000);

-- seed 001, EMIT / ASOF / lookup / LAG / ranking / frames, and SQL-DIALECT joins and analytics ----
-- expect: ok
CREATE SOURCE quotes (symbol VARCHAR, bid DOUBLE, ts TIMESTAMP,
                      WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
-- expect: ok
-- runs: ok
CREATE STREAM asof_ge AS SELECT t.symbol, t.price, q.bid FROM trades t
ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts >= q.ts;
-- expect: ok
-- runs: ok
CREATE STREAM asof_gt AS SELECT t.symbol, q.bid FROM trades t
ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts > q.ts;
-- expect: ok
-- runs: ok
CREATE STREAM asof_le AS SELECT t.symbol, q.bid FROM trades t
ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts <= q.ts;
-- expect: ok
-- runs: ok
CREATE STREAM asof_lt AS SELECT t.symbol, q.bid FROM trades t
ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts < q.ts;
-- expect: ok
-- runs: ok
CREATE STREAM asof_nearest AS SELECT t.symbol, q.bid FROM trades t
ASOF JOIN quotes q MATCH_CONDITION(NEAREST(t.ts, q.ts)) ON t.symbol = q.symbol;
-- expect: ok
CREATE SOURCE a (k BIGINT, v VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
-- expect: ok
CREATE SOURCE b (k BIGINT, v VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
-- expect: ok
-- runs: ok
CREATE STREAM interval_inner AS SELECT a.k, b.v FROM a JOIN b
ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
-- expect: ok
-- runs: ok
CREATE STREAM interval_left AS SELECT a.k, b.v FROM a LEFT JOIN b
ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
-- expect: ok
-- runs: ok
CREATE STREAM interval_right AS SELECT a.k, b.v FROM a RIGHT JOIN b
ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
-- expect: ok
-- runs: ok
CREATE STREAM interval_full AS SELECT a.k, b.v FROM a FULL JOIN b
ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
-- expect: ok
-- runs: ok
CREATE STREAM interval_semi AS SELECT a.k FROM a SEMI JOIN b
ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
-- expect: ok
-- runs: ok
CREATE STREAM interval_anti AS SELECT a.k FROM a ANTI JOIN b
ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND;
-- expect: LDB-2004
CREATE STREAM unbounded_join AS SELECT a.k, b.v FROM a JOIN b ON a.k = b.k;
-- expect: ok
-- runs: ok
CREATE STREAM ttl_join WITH (state_ttl = '1 hour') AS SELECT a.k, b.v FROM a JOIN b ON a.k = b.k;
-- expect: ok
CREATE SOURCE orders (id BIGINT, currency VARCHAR, amount DOUBLE, ts TIMESTAMP,
                      WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
-- expect: ok
CREATE TABLE rates (currency VARCHAR, rate DOUBLE, PRIMARY KEY (currency));
-- expect: ok
-- runs: ok
CREATE STREAM converted AS SELECT o.id, o.amount * r.rate AS amount_usd FROM orders o
JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency;
-- expect: ok
CREATE TABLE instruments (symbol VARCHAR, name VARCHAR, PRIMARY KEY (symbol));
-- expect: ok
-- runs: ok
CREATE STREAM enriched AS SELECT t.price, i.name FROM trades t JOIN instruments i
ON t.symbol = i.symbol;
-- expect: LDB-2001
CREATE LOOKUP TABLE instruments_pg (symbol VARCHAR, name VARCHAR, PRIMARY KEY (symbol))
FROM POSTGRES (url = 'postgres://localhost/ref', table = 'instruments');
-- expect: ok
-- runs: ok
CREATE STREAM lag_lead AS SELECT symbol, LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts) AS prev,
       LEAD(price, 1) OVER (PARTITION BY symbol ORDER BY ts) AS next
FROM trades;
-- expect: ok
-- runs: ok
CREATE STREAM moving_avg AS SELECT symbol,
       AVG(price) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS avg10
FROM trades;
-- expect: ok
-- runs: ok
CREATE STREAM top10 AS SELECT symbol, price FROM trades
QUALIFY ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY price DESC) <= 10;
-- expect: ok
-- runs: ok
CREATE STREAM ranked AS SELECT symbol, price,
       RANK() OVER (PARTITION BY symbol ORDER BY price DESC) AS r
FROM trades QUALIFY RANK() OVER (PARTITION BY symbol ORDER BY price DESC) <= 3;
-- expect: ok
-- runs: ok
CREATE STREAM dense AS SELECT symbol, price FROM trades
QUALIFY DENSE_RANK() OVER (PARTITION BY symbol ORDER BY price DESC) <= 3;
-- expect: LDB-2001
-- (a ranking function over a stream without a Top-N filter)
CREATE STREAM numbered AS SELECT symbol, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts) AS n
FROM trades;

-- SQL-DIALECT statements ---------------------------------------------------------------------
-- expect: ok
CREATE OR REPLACE SOURCE IF NOT EXISTS orders2 (
    id BIGINT NOT NULL, customer VARCHAR, amount DOUBLE, ts TIMESTAMP,
    PRIMARY KEY (id),
    WATERMARK FOR ts AS ts - INTERVAL '100ms'
) WITH (buffer_size = 65536, backpressure = 'reject', wait_strategy = 'park');
-- expect: LDB-2001
CREATE SOURCE kafka_orders (id BIGINT) FROM KAFKA (topic = 'orders') FORMAT JSON;
-- expect: LDB-2001
CREATE SOURCE customers (id BIGINT, name VARCHAR, PRIMARY KEY (id)) FROM POSTGRES_CDC (table = 'customers') FORMAT DEBEZIUM_JSON;
-- expect: LDB-2001
CREATE SOURCE logs (line VARCHAR) FROM FILES (path = '/var/log/app') FORMAT CSV;
-- expect: LDB-2001
CREATE SOURCE ticks (payload VARCHAR) FROM WEBSOCKET (url = 'wss://example.com/ticks') FORMAT RAW;
-- expect: LDB-2001
-- runs: ok (the connector exists when a database runs it)
CREATE SOURCE bid (auction BIGINT, price BIGINT, date_time TIMESTAMP) FROM NEXMARK (table = 'bid', events = '1000', rate = '1000', seed = '1');
-- expect: ok
CREATE STREAM big_orders AS SELECT id, amount FROM orders WHERE amount > 1000;
-- expect: ok
CREATE MATERIALIZED VIEW totals AS SELECT currency, sum(amount) AS total FROM orders GROUP BY currency;
-- expect: ok
-- runs: LDB-2001 (delivery applies to a sink with a connector; this one delivers to its subscriptions)
CREATE SINK big_orders_sink FROM big_orders WHERE amount > 5000 WITH (delivery = 'at_least_once');
-- expect: LDB-2001
CREATE SINK big_orders_kafka FROM big_orders INTO KAFKA (topic = 'big') FORMAT JSON WITH (delivery = 'exactly_once');
-- expect: LDB-2001
CREATE SINK inline_out INTO KAFKA (topic = 'inline') AS SELECT id FROM orders;
-- expect: ok
INSERT INTO rates VALUES ('EUR', 1.08), ('GBP', 1.27);
-- expect: ok
INSERT INTO orders VALUES (1, 'EUR', 12.50, TIMESTAMP '2024-01-01 00:00:00');
-- expect: ok
INSERT INTO orders (id, currency, ts) VALUES (2, 'GBP', '2024-01-01 00:00:01');
-- expect: ok
SELECT currency, total FROM totals WHERE total > 100 ORDER BY total DESC LIMIT 10;
-- expect: ok
SELECT * FROM rates;
-- expect: ok
SHOW SOURCES;
-- expect: ok
SHOW CREATE MATERIALIZED VIEW totals;
-- expect: ok
DESCRIBE orders;
-- expect: ok
EXPLAIN SELECT * FROM totals;
-- expect: ok
EXPLAIN CREATE STREAM s AS SELECT id FROM orders;
-- expect: LDB-2001
EXPLAIN ANALYZE CREATE STREAM s AS SELECT id FROM orders;
-- expect: ok
CHECKPOINT;
-- expect: ok
-- runs: LDB-4002 (every catalog change makes a checkpoint and the three newest are kept: checkpoint 3 is gone by then)
RESTORE FROM CHECKPOINT 3;
-- expect: ok
SET wal_mode = 'sync';
-- expect: ok
SHOW wal_mode;
-- expect: ok
-- runs: LDB-2001 (the server protocols (later issue))
SUBSCRIBE totals;
-- expect: ok
-- runs: LDB-2001 (the server protocols (later issue))
SUBSCRIBE totals WHERE currency = 'EUR';
-- expect: LDB-2002
CREATE STREAM sorted AS SELECT id, amount FROM orders ORDER BY amount;
-- expect: ok
-- runs: ok
CREATE STREAM top_orders AS SELECT id, amount FROM orders ORDER BY amount DESC LIMIT 5;
-- expect: LDB-2001
-- (an ad-hoc query reads tables and views, not unbounded sources)
SELECT id FROM orders;
-- expect: ok
-- runs: LDB-1101 (its sink was refused above)
DROP SINK big_orders_sink;
-- expect: ok
DROP MATERIALIZED VIEW totals;
-- expect: ok
DROP STREAM IF EXISTS nothing_here;
-- expect: ok
DROP SOURCE orders CASCADE;
-- expect: LDB-2001
-- (JSON is in the dialect's type list; not built yet)
CREATE TABLE with_json (id BIGINT, doc JSON, PRIMARY KEY (id));
-- expect: ok
CREATE TABLE all_types (
    c_boolean BOOLEAN, c_smallint SMALLINT, c_int INT, c_bigint BIGINT, c_real REAL,
    c_double DOUBLE, c_decimal DECIMAL(10, 2), c_varchar VARCHAR, c_text TEXT, c_bytea BYTEA,
    c_date DATE, c_timestamp TIMESTAMP, c_timestamptz TIMESTAMPTZ, c_interval INTERVAL,
    PRIMARY KEY (c_int)
);
