-- q6: average selling price by seller (last 10 closed auctions)
CREATE STREAM nexmark_q6
WITH (state_ttl = '1 hour')  -- an unbounded join needs a bound on its state
AS
SELECT q.seller,
       AVG(q.final) OVER (PARTITION BY q.seller ORDER BY q.date_time
                          ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS avg_final
FROM (
    SELECT MAX(b.price) AS final, a.seller, MAX(b.date_time) AS date_time
    FROM auction AS a, bid AS b
    WHERE a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
    GROUP BY a.id, a.seller
) AS q;
