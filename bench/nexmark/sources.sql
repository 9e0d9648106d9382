-- The three Nexmark sources (schema and watermarks as in the Nexmark specification).
-- The harness runs this file before each query; events, rate and seed are set per run.

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
