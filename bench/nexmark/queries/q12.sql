-- q12: processing-time windows
CREATE STREAM nexmark_q12 AS
SELECT b.bidder, count(*) AS bid_count,
       tumble(b.p_time, INTERVAL '10' SECOND) AS starttime,
       tumble_end(b.p_time, INTERVAL '10' SECOND) AS endtime
FROM (SELECT *, proctime() AS p_time FROM bid) b
GROUP BY b.bidder, tumble(b.p_time, INTERVAL '10' SECOND);
