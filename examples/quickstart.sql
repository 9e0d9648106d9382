-- A first LaminarDB script: a source of trades, a filter, and a per-minute summary.
-- Today `laminardb explain examples/quickstart.sql` checks it and prints the plans; running it
-- (pushing rows and printing the results) arrives with the execution core.

CREATE SOURCE trades (
    symbol VARCHAR NOT NULL,
    price  DOUBLE,
    volume BIGINT,
    ts     TIMESTAMP NOT NULL,
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
);

-- Large trades as they happen.
CREATE STREAM large_trades AS
SELECT symbol, price, volume, price * volume AS notional, ts
FROM trades
WHERE volume >= 1000;

-- One row per symbol and minute, emitted when the minute is complete.
CREATE STREAM per_minute AS
SELECT symbol,
       tumble(ts, INTERVAL '1' MINUTE) AS minute,
       count(*) AS trades,
       min(price) AS low,
       max(price) AS high,
       sum(volume) AS volume
FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE)
EMIT ON WINDOW CLOSE;

CREATE SINK per_minute_out FROM per_minute;

INSERT INTO trades VALUES
    ('AAPL', 189.50, 1200, TIMESTAMP '2024-05-01 09:30:00.250'),
    ('MSFT', 410.10,  300, TIMESTAMP '2024-05-01 09:30:01.000'),
    ('AAPL', 189.70, 5000, TIMESTAMP '2024-05-01 09:31:05.500');
