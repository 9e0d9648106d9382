-- q13: bounded side input join
CREATE TABLE side_input (key BIGINT, value VARCHAR, PRIMARY KEY (key));

CREATE STREAM nexmark_q13 AS
SELECT b.auction, b.bidder, b.price, b.date_time, s.value
FROM (SELECT *, proctime() AS p_time FROM bid) b
JOIN side_input FOR SYSTEM_TIME AS OF b.p_time AS s
ON mod(b.auction, 10000) = s.key;
