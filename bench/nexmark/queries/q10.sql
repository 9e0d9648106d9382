-- q10: log to file system, partitioned by date and hour
CREATE SINK nexmark_q10
INTO FILES (path = '/tmp/nexmark/q10', partition_by = 'dt,hm') FORMAT CSV
AS
SELECT auction, bidder, price, date_time, extra,
       to_char(date_time, 'YYYY-MM-DD') AS dt, to_char(date_time, 'HH24:MI') AS hm
FROM bid;
