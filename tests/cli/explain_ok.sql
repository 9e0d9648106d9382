CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts TIMESTAMP,
                      WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM per_minute AS
SELECT symbol, count(*) AS trades, avg(price) AS average
FROM trades
GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE);
