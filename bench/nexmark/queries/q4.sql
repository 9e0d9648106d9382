-- q4: average price per category
CREATE STREAM nexmark_q4
WITH (state_ttl = '1 hour')  -- an unbounded join needs a bound on its state
AS
SELECT q.category, AVG(q.final) AS avg_final
FROM (
    SELECT MAX(b.price) AS final, a.category
    FROM auction a, bid b
    WHERE a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
    GROUP BY a.id, a.category
) q
GROUP BY q.category;
