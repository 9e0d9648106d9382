-- q7: highest bid per tumbling window
CREATE STREAM nexmark_q7 AS
SELECT b.auction, b.price, b.bidder, b.date_time, b.extra
FROM bid b
JOIN (
    SELECT MAX(price) AS maxprice, tumble_end(date_time, INTERVAL '10' SECOND) AS date_time
    FROM bid
    GROUP BY tumble(date_time, INTERVAL '10' SECOND)
) b1
ON b.price = b1.maxprice
WHERE b.date_time BETWEEN b1.date_time - INTERVAL '10' SECOND AND b1.date_time
EMIT ON WINDOW CLOSE;
