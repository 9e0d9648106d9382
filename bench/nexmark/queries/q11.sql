-- q11: user sessions
CREATE STREAM nexmark_q11 AS
SELECT b.bidder, count(*) AS bid_count,
       session(b.date_time, INTERVAL '10' SECOND) AS starttime,
       session_end(b.date_time, INTERVAL '10' SECOND) AS endtime
FROM bid b
GROUP BY b.bidder, session(b.date_time, INTERVAL '10' SECOND)
EMIT ON WINDOW CLOSE;
