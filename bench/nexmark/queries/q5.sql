-- q5: hot items
CREATE STREAM nexmark_q5 AS
SELECT auction_bids.auction, auction_bids.num
FROM (
    SELECT auction, count(*) AS num, window_start AS starttime
    FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
    GROUP BY window_start, window_end, auction
) AS auction_bids
JOIN (
    SELECT max(count_bids.num) AS maxn, count_bids.starttime
    FROM (
        SELECT count(*) AS num, window_start AS starttime
        FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
        GROUP BY auction, window_start, window_end
    ) AS count_bids
    GROUP BY count_bids.starttime
) AS max_bids
ON auction_bids.starttime = max_bids.starttime AND auction_bids.num >= max_bids.maxn
EMIT ON WINDOW CLOSE;
