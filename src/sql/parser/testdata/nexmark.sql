-- Nexmark q0..q22 in the LaminarDB dialect (see the Nexmark specification that accompanies the project).
-- Formulations follow the Flink/RisingWave Nexmark suites, adapted to the spec's snake_case
-- schema and written as CREATE STREAM (q10 as an inline sink). Windowed queries use either the
-- GROUP BY window-function form or the TABLE(TUMBLE(...)) form, so both are exercised.

CREATE SOURCE person (
    id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR,
    state VARCHAR, date_time TIMESTAMP, extra VARCHAR,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) FROM NEXMARK (table = 'person', events = '10000000', rate = '10000000', seed = '1');

CREATE SOURCE auction (
    id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT,
    date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) FROM NEXMARK (table = 'auction', events = '10000000', rate = '10000000', seed = '1');

CREATE SOURCE bid (
    auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
    date_time TIMESTAMP, extra VARCHAR,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) FROM NEXMARK (table = 'bid', events = '10000000', rate = '10000000', seed = '1');

-- q0: pass-through
CREATE STREAM nexmark_q0 AS
SELECT auction, bidder, price, date_time, extra FROM bid;

-- q1: currency conversion
CREATE STREAM nexmark_q1 AS
SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid;

-- q2: selection
CREATE STREAM nexmark_q2 AS
SELECT auction, price FROM bid WHERE auction % 123 = 0;

-- q3: local item suggestion
CREATE STREAM nexmark_q3 AS
SELECT p.name, p.city, p.state, a.id
FROM auction AS a INNER JOIN person AS p ON a.seller = p.id
WHERE a.category = 10 AND (p.state = 'or' OR p.state = 'id' OR p.state = 'ca');

-- q4: average price per category
CREATE STREAM nexmark_q4 AS
SELECT q.category, AVG(q.final) AS avg_final
FROM (
    SELECT MAX(b.price) AS final, a.category
    FROM auction a, bid b
    WHERE a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
    GROUP BY a.id, a.category
) q
GROUP BY q.category;

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

-- q6: average selling price by seller (last 10 closed auctions)
CREATE STREAM nexmark_q6 AS
SELECT q.seller,
       AVG(q.final) OVER (PARTITION BY q.seller ORDER BY q.date_time
                          ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg_final
FROM (
    SELECT MAX(b.price) AS final, a.seller, MAX(b.date_time) AS date_time
    FROM auction AS a, bid AS b
    WHERE a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
    GROUP BY a.id, a.seller
) AS q;

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

-- q8: monitor new users
CREATE STREAM nexmark_q8 AS
SELECT p.id, p.name, p.starttime
FROM (
    SELECT id, name, window_start AS starttime, window_end AS endtime
    FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
    GROUP BY id, name, window_start, window_end
) p
JOIN (
    SELECT seller, window_start AS starttime, window_end AS endtime
    FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
    GROUP BY seller, window_start, window_end
) a
ON p.id = a.seller AND p.starttime = a.starttime AND p.endtime = a.endtime
EMIT ON WINDOW CLOSE;

-- q9: winning bids
CREATE STREAM nexmark_q9 AS
SELECT id, item_name, description, initial_bid, reserve, date_time, expires, seller, category,
       extra, auction, bidder, price, bid_date_time, bid_extra
FROM (
    SELECT a.*, b.auction, b.bidder, b.price, b.date_time AS bid_date_time, b.extra AS bid_extra,
           ROW_NUMBER() OVER (PARTITION BY a.id ORDER BY b.price DESC, b.date_time ASC) AS rownum
    FROM auction a, bid b
    WHERE a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
)
WHERE rownum <= 1;

-- q10: log to file system, partitioned by date and hour
CREATE SINK nexmark_q10
INTO FILES (path = '/tmp/nexmark/q10', partition_by = 'dt,hm') FORMAT CSV
AS
SELECT auction, bidder, price, date_time, extra,
       to_char(date_time, 'YYYY-MM-DD') AS dt, to_char(date_time, 'HH24:MI') AS hm
FROM bid;

-- q11: user sessions
CREATE STREAM nexmark_q11 AS
SELECT b.bidder, count(*) AS bid_count,
       session(b.date_time, INTERVAL '10' SECOND) AS starttime,
       session_end(b.date_time, INTERVAL '10' SECOND) AS endtime
FROM bid b
GROUP BY b.bidder, session(b.date_time, INTERVAL '10' SECOND)
EMIT ON WINDOW CLOSE;

-- q12: processing-time windows
CREATE STREAM nexmark_q12 AS
SELECT b.bidder, count(*) AS bid_count,
       tumble(b.p_time, INTERVAL '10' SECOND) AS starttime,
       tumble_end(b.p_time, INTERVAL '10' SECOND) AS endtime
FROM (SELECT *, proctime() AS p_time FROM bid) b
GROUP BY b.bidder, tumble(b.p_time, INTERVAL '10' SECOND);

-- q13: bounded side input join
CREATE TABLE side_input (key BIGINT, value VARCHAR, PRIMARY KEY (key));

CREATE STREAM nexmark_q13 AS
SELECT b.auction, b.bidder, b.price, b.date_time, s.value
FROM (SELECT *, proctime() AS p_time FROM bid) b
JOIN side_input FOR SYSTEM_TIME AS OF b.p_time AS s
ON mod(b.auction, 10000) = s.key;

-- q14: calculation
CREATE STREAM nexmark_q14 AS
SELECT auction, bidder, 0.908 * price AS price,
       CASE
           WHEN EXTRACT(HOUR FROM date_time) >= 8 AND EXTRACT(HOUR FROM date_time) <= 18
               THEN 'dayTime'
           WHEN EXTRACT(HOUR FROM date_time) <= 6 OR EXTRACT(HOUR FROM date_time) >= 20
               THEN 'nightTime'
           ELSE 'otherTime'
       END AS bid_time_type,
       date_time, extra, count_char(extra, 'c') AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;

-- q15: bidding statistics report
CREATE STREAM nexmark_q15 AS
SELECT to_char(date_time, 'YYYY-MM-DD') AS day,
       count(*) AS total_bids,
       count(*) FILTER (WHERE price < 10000) AS rank1_bids,
       count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
       count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
       count(DISTINCT bidder) AS total_bidders,
       count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
       count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
       count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
       count(DISTINCT auction) AS total_auctions,
       count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
       count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
       count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
FROM bid
GROUP BY to_char(date_time, 'YYYY-MM-DD');

-- q16: channel statistics report
CREATE STREAM nexmark_q16 AS
SELECT channel,
       to_char(date_time, 'YYYY-MM-DD') AS day,
       max(to_char(date_time, 'HH24:MI')) AS minute,
       count(*) AS total_bids,
       count(*) FILTER (WHERE price < 10000) AS rank1_bids,
       count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
       count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
       count(DISTINCT bidder) AS total_bidders,
       count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
       count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
       count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
       count(DISTINCT auction) AS total_auctions,
       count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
       count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
       count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
FROM bid
GROUP BY channel, to_char(date_time, 'YYYY-MM-DD');

-- q17: auction statistics report
CREATE STREAM nexmark_q17 AS
SELECT auction,
       to_char(date_time, 'YYYY-MM-DD') AS day,
       count(*) AS total_bids,
       count(*) FILTER (WHERE price < 10000) AS rank1_bids,
       count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
       count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
       min(price) AS min_price,
       max(price) AS max_price,
       avg(price) AS avg_price,
       sum(price) AS sum_price
FROM bid
GROUP BY auction, to_char(date_time, 'YYYY-MM-DD');

-- q18: find last bid
CREATE STREAM nexmark_q18 AS
SELECT auction, bidder, price, channel, url, date_time, extra
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY date_time DESC) AS rank_number
    FROM bid
)
WHERE rank_number <= 1;

-- q19: auction top-10 price
CREATE STREAM nexmark_q19 AS
SELECT *
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number
    FROM bid
)
WHERE rank_number <= 10;

-- q20: expand bid with auction
CREATE STREAM nexmark_q20 AS
SELECT auction, bidder, price, channel, url, b.date_time, b.extra,
       item_name, description, initial_bid, reserve, a.date_time, expires, seller, category,
       a.extra
FROM bid AS b INNER JOIN auction AS a ON b.auction = a.id
WHERE a.category = 10;

-- q21: add channel id
CREATE STREAM nexmark_q21 AS
SELECT auction, bidder, price, channel,
       CASE
           WHEN lower(channel) = 'apple' THEN '0'
           WHEN lower(channel) = 'google' THEN '1'
           WHEN lower(channel) = 'facebook' THEN '2'
           WHEN lower(channel) = 'baidu' THEN '3'
           ELSE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2)
       END AS channel_id
FROM bid
WHERE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL
   OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu');

-- q22: get URL directories
CREATE STREAM nexmark_q22 AS
SELECT auction, bidder, price, channel,
       split_part(url, '/', 4) AS dir1,
       split_part(url, '/', 5) AS dir2,
       split_part(url, '/', 6) AS dir3
FROM bid;
