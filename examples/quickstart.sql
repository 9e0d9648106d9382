-- A first LaminarDB script: a source of trades, continuous queries over it, a few pushed
-- trades and the rows the queries emit as they arrive. Run it with
--
--   laminardb run examples/quickstart.sql                 (tables, or `make run`)
--   laminardb run examples/quickstart.sql --output jsonl  (one JSON object per row)

CREATE SOURCE trades (
    symbol VARCHAR NOT NULL,
    price  DOUBLE,
    volume BIGINT,
    ts     TIMESTAMP NOT NULL,
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
);

-- Large trades as they happen, with their notional value (a computed column).
CREATE STREAM large_trades AS
SELECT symbol, price, volume, price * volume AS notional, ts
FROM trades
WHERE volume >= 1000;

-- A stream can read another stream: the very large ones among the large trades.
CREATE STREAM whale_alerts AS
SELECT symbol, notional, 'whale' AS alert
FROM large_trades
WHERE notional >= 500000;

-- Reference data lives in tables, which ad-hoc queries read.
CREATE TABLE companies (
    symbol VARCHAR PRIMARY KEY,
    name   VARCHAR,
    sector VARCHAR
);
INSERT INTO companies VALUES
    ('AAPL', 'Apple', 'Technology'),
    ('MSFT', 'Microsoft', 'Technology'),
    ('XOM',  'Exxon Mobil', 'Energy');

-- A stream joining a table reads it by key as rows arrive (a lookup join): each large trade
-- with its company's sector.
CREATE STREAM large_by_sector AS
SELECT t.symbol, c.sector, t.notional
FROM large_trades t JOIN companies c ON t.symbol = c.symbol;

-- Each INSERT pushes rows into the source; the output of the streams follows it.
INSERT INTO trades VALUES
    ('AAPL', 189.50, 1200, TIMESTAMP '2024-05-01 09:30:00.250'),
    ('MSFT', 410.10,  300, TIMESTAMP '2024-05-01 09:30:01.000'),
    ('AAPL', 189.70, 5000, TIMESTAMP '2024-05-01 09:31:05.500');

INSERT INTO trades VALUES
    ('XOM',  118.20, 2500, TIMESTAMP '2024-05-01 09:31:07.000'),
    ('MSFT', 410.35,  900, TIMESTAMP '2024-05-01 09:31:09.750');

-- An ad-hoc query runs once, over the table as it is now.
SELECT symbol, name FROM companies WHERE sector = 'Technology';
