-- q20: expand bid with auction
CREATE STREAM nexmark_q20
WITH (state_ttl = '1 hour')  -- an unbounded join needs a bound on its state
AS
SELECT auction, bidder, price, channel, url, b.date_time, b.extra,
       item_name, description, initial_bid, reserve, a.date_time AS auction_date_time, expires,
       seller, category, a.extra AS auction_extra
FROM bid AS b INNER JOIN auction AS a ON b.auction = a.id
WHERE a.category = 10;
