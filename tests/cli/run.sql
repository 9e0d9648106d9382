-- laminardb run --output jsonl of this script must print exactly run_expected.jsonl
-- (run_test.sh). It covers a filter/projection stream, a stream of a stream, UNION ALL, an
-- ad-hoc SELECT over a table, string escaping, NULLs, DOUBLE, DECIMAL and TIMESTAMP values.

CREATE SOURCE trades (
    symbol VARCHAR NOT NULL,
    price  DOUBLE,
    volume BIGINT,
    amount DECIMAL(12,2),
    note   VARCHAR,
    ts     TIMESTAMP NOT NULL,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
);
CREATE SOURCE quotes (
    symbol VARCHAR NOT NULL,
    bid    DOUBLE,
    ts     TIMESTAMP NOT NULL,
    WATERMARK FOR ts
);

-- Filter and projection with computed columns.
CREATE STREAM big AS
SELECT symbol, price * volume AS notional, amount, note, ts, volume > 1000 AS huge
FROM trades
WHERE volume >= 100;

-- A stream of a stream.
CREATE STREAM big_apple AS
SELECT notional, ts FROM big WHERE symbol = 'AAPL';

-- UNION ALL of two sources.
CREATE STREAM prices AS
SELECT symbol, price, 'trade' AS kind FROM trades
UNION ALL
SELECT symbol, bid, 'quote' AS kind FROM quotes;

CREATE TABLE companies (symbol VARCHAR PRIMARY KEY, name VARCHAR, listed DATE);
INSERT INTO companies VALUES
    ('AAPL', 'Apple "Inc."', DATE '1980-12-12'),
    ('MSFT', 'Microsoft', DATE '1986-03-13'),
    ('ACME', NULL, NULL);

INSERT INTO trades VALUES
    ('AAPL', 189.5, 1200, 227400.00, 'first', TIMESTAMP '2024-05-01 09:30:00.250'),
    ('MSFT', 410.1, 50, NULL, 'too small', TIMESTAMP '2024-05-01 09:30:01'),
    ('MSFT', 0.1, 300, -0.05, E'say "hi"\\ \n\ttab \u0001', TIMESTAMP '2024-05-01 09:30:02');

INSERT INTO quotes VALUES ('AAPL', 189.45, TIMESTAMP '2024-05-01 09:30:03.000001');

INSERT INTO trades VALUES
    ('AAPL', NULL, 100, 1.5, 'café ✓ 😀', TIMESTAMP '2024-05-01 09:30:04'),
    ('GOOG', 1e300, 1000, 1234567890.99, NULL, TIMESTAMP '2024-05-01 09:30:05');

SELECT symbol, name, listed FROM companies WHERE symbol <> 'MSFT';
SELECT name FROM companies WHERE symbol = 'MSFT';
