CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts TIMESTAMP);
CREATE STREAM per_minute AS
SELECT symbol, count(*) FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE);
