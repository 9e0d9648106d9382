"""Differential tests of the Nexmark queries: LaminarDB against SQLite.

For each query of bench/nexmark/queries/, the harness runs it over generated events
(`laminardb bench nexmark --query qN --dump-output FILE`), and SQLite computes the same query in
batch over the same rows, exported with `laminardb nexmark export`. The whole outputs are
compared as multisets of rows, column names and value texts included.

- A query that cannot run yet must be refused with an LDB-2xxx code (exit status 3); the test
  is then skipped with that code as the reason.
- A query that runs must have an oracle below: adding support for a query without its oracle
  fails this test.

Run by ctest (one entry per query, label `nexmark`) with LAMINARDB pointing at the binary and
NEXMARK_ORACLE_EVENTS (at least 100,000); by hand:

    LAMINARDB=build/release/laminardb /usr/bin/python3 -m pytest -q tests/nexmark/oracle_test.py

Value forms compared (those of `laminardb run --output jsonl`): integers as integers, DECIMAL as
its exact text with all scale digits, TIMESTAMP as PostgreSQL prints it (fraction without
trailing zeros), strings as they are. The oracles compute prices in integers and format them,
so no floating point enters the comparison, except for AVG (a DOUBLE, compared with a tolerance).

Oracles of windowed queries must spell the windows out (window_start = date_time rounded down
to the size, HOP as the union of the windows each row falls in, SESSION by gaps), not rely on a
windowing feature of the oracle.

Four kinds of output are checked:

- Append-only output (every row with weight +1) is compared as it is.
- A changelog (an unbounded GROUP BY, EMIT CHANGES: rows with weight +1 or -1) is consolidated
  in emission order: each row's running weight must stay 0 or 1 (a retraction removes a row
  that is there, an insertion never duplicates one), and the rows left with weight 1 at the end
  must equal the oracle's GROUP BY result. Columns listed as approximate (AVG, a DOUBLE) are
  compared with a relative tolerance, the other columns exactly.
- Processing-time windows depend on when rows are processed, which no batch evaluation knows:
  their oracle checks invariants only (see `check_processing_time_windows`).
- A Top-N whose ORDER BY ties (q9, q18, q19) keeps rows the query does not name: the oracle
  lists every row some tie-break would keep, with its rank range, and `check_top_n` asserts
  that the consolidated changelog is the first N rows of every partition under some order of
  the ties.

Join, OVER and Top-N oracles (q3-q9, q13, q18-q20) run at rates chosen per query (`rate`) so
that windows close and join states meet the watermark during the run; each says why.
"""

import collections
import csv
import datetime
import json
import math
import os
import re
import sqlite3
import subprocess
import tempfile
import time

import pytest

LAMINARDB = os.environ.get("LAMINARDB", "build/release/laminardb")
EVENTS = int(os.environ.get("NEXMARK_ORACLE_EVENTS", "100000"))
SEED = 7
QUERIES = [f"q{n}" for n in range(23)]

# Column types of the exported tables (the rest are text): SQLite stores these as integers.
INTEGER_COLUMNS = {
    "person": {"id"},
    "auction": {"id", "initial_bid", "reserve", "seller", "category"},
    "bid": {"auction", "bidder", "price"},
}


def canonical_timestamp(text):
    """'2015-07-15 00:00:01.500000' (CSV export) → '2015-07-15 00:00:01.5' (engine output)."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def decimal_thousandths(value):
    """An integer number of thousandths as DECIMAL(_, 3) text: 2105315132 → '2105315.132'."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 1000}.{value % 1000:03d}"


EPOCH = datetime.datetime(1970, 1, 1)


def timestamp_text(micros):
    """Microseconds since 1970 (no zone) as the engine prints a TIMESTAMP."""
    text = (EPOCH + datetime.timedelta(microseconds=micros)).strftime("%Y-%m-%d %H:%M:%S.%f")
    return canonical_timestamp(text)


def timestamp_micros(text):
    """The engine's TIMESTAMP text → microseconds since 1970."""
    value = datetime.datetime.fromisoformat(text)
    return (value - EPOCH) // datetime.timedelta(microseconds=1)


# A TIMESTAMP column of the export as microseconds since 1970, in SQLite's SQL: whole seconds by
# strftime('%s') of 'YYYY-MM-DD HH:MM:SS', plus the six fraction digits the export always writes.
def micros_sql(column):
    return (f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({column}, 21, 6) AS INTEGER))")


# RE2 (the engine) and Python's re agree on this pattern: no back-references or look-around,
# and both return the leftmost match, whose second group is the text after 'channel_id=' up to
# the next '&' (an empty string when nothing follows).
def regexp_extract(text, pattern, group):
    if text is None:
        return None
    match = re.search(pattern, text)
    return match.group(group) if match else None


def split_part(text, delimiter, field):
    """PostgreSQL's split_part for a positive field number: '' past the last field."""
    if text is None:
        return None
    parts = text.split(delimiter)
    return parts[field - 1] if field <= len(parts) else ""


def count_char(text, character):
    return None if text is None else text.count(character)


class Oracle:
    """A query's SQLite version. `sql` returns the engine's columns in order; `convert` maps
    one SQLite row to the engine's value forms; `rate` spaces the event times.

    `changelog`: the engine emits insertions and retractions, consolidated before comparing.
    `duplicates`: the consolidated changelog may hold equal rows (a row's running weight may
    exceed 1, never drop below 0); otherwise each row is there at most once.
    `approximate`: positions of DOUBLE columns compared with a relative tolerance.
    `check`: instead of comparing, a function `check(engine_rows, oracle_rows, run)` that
    asserts invariants (`run` holds the wall-clock bounds of the run).
    `ties_sql`: SQL selecting the ties that would leave the result to an order the query does
    not fix; it must select nothing on the data of the test (otherwise choose another rate).
    `side_tables`: functions `load(connection)` creating the query's other tables in SQLite."""

    def __init__(self, tables, columns, sql, convert, rate=10_000_000, changelog=False,
                 duplicates=False, approximate=(), check=None, ties_sql=None, side_tables=()):
        self.tables = tables
        self.columns = columns
        self.sql = sql
        self.convert = convert
        self.rate = rate
        self.changelog = changelog
        self.duplicates = duplicates
        self.approximate = tuple(approximate)
        self.check = check
        self.ties_sql = ties_sql
        self.side_tables = tuple(side_tables)


def check_processing_time_windows(engine, expected, run):
    """q12's invariants. Which bids share a processing-time window depends on when the engine
    processed them, so the windows themselves cannot be predicted; what holds whatever the
    timing: each window is 10 s long and starts on a multiple of 10 s; it lies within the run
    (from the 10 s boundary before the start to the end); a (bidder, window) is emitted once;
    and every bid is counted in exactly one window of its bidder, so the counts of a bidder's
    windows add up to its number of bids (`expected`: bidder, count from SQLite)."""
    run_start, run_end = run
    seen = set()
    totals = collections.Counter()
    for bidder, bid_count, start_text, end_text in engine:
        start, end = timestamp_micros(start_text), timestamp_micros(end_text)
        assert end - start == 10_000_000, f"window {start_text} .. {end_text} is not 10 s"
        assert start % 10_000_000 == 0, f"window start {start_text} is not on a 10 s boundary"
        assert run_start - run_start % 10_000_000 <= start <= run_end, \
            f"window {start_text} outside the run"
        assert (bidder, start) not in seen, f"window {start_text} of bidder {bidder} emitted twice"
        seen.add((bidder, start))
        assert bid_count > 0
        totals[bidder] += bid_count
    assert totals == collections.Counter(dict(expected)), \
        describe_difference(list(totals.items()), expected)


def check_top_n(partition, limit, rank_column=None):
    """The invariants of a Top-N per partition (ROW_NUMBER() ... <= limit) whose ORDER BY may
    tie, for q9, q18 and q19. Which of equal rows ROW_NUMBER numbers first is not fixed, so
    the oracle cannot name the rows; it gives every row that some tie-break would keep (the
    candidates: the row's columns without the rank, then its rank range `rank_lo` = 1 + the
    rows ordered strictly before it, `rank_hi` = the rows ordered before or with it, and
    `partition_rows`), and the check asserts:

    - each engine row is a candidate (all its columns equal to one row of the input), no row
      twice;
    - its rank (rank_column, or 1 without one) lies within the candidate's rank range;
    - each partition that has rows in the input has exactly ranks 1 .. min(limit, rows).

    Rank ranges of different ORDER BY values are disjoint, so these hold exactly when the engine
    kept the first `limit` rows of every partition under some order of the ties: a row of a
    value that must be kept (its rank_hi <= limit) cannot be missing, since only rows of its
    own value may take its ranks. `partition` gives the positions of the PARTITION BY columns
    in the engine's rows."""
    def check(engine, candidates, run):
        del run
        rank_ranges, partition_rows = {}, {}
        for *row, rank_lo, rank_hi, rows in candidates:
            row = tuple(row)
            assert row not in rank_ranges, f"two equal input rows: {row}"
            rank_ranges[row] = (rank_lo, rank_hi)
            partition_rows[tuple(row[i] for i in partition)] = rows
        ranks = collections.defaultdict(list)
        seen = set()
        for row in engine:
            rank = 1 if rank_column is None else row[rank_column]
            if rank_column is not None:
                row = row[:rank_column] + row[rank_column + 1:]
            assert row in rank_ranges, f"not among the first {limit} of its partition: {row}"
            assert row not in seen, f"emitted twice: {row}"
            seen.add(row)
            rank_lo, rank_hi = rank_ranges[row]
            assert rank_lo <= rank <= rank_hi, \
                f"rank {rank} outside {rank_lo}..{rank_hi} of the ORDER BY: {row}"
            ranks[tuple(row[i] for i in partition)].append(rank)
        missing = set(partition_rows) - set(ranks)
        assert not missing, f"{len(missing)} partitions without rows, e.g. {sorted(missing)[:5]}"
        for key, kept in ranks.items():
            expected = list(range(1, min(limit, partition_rows[key]) + 1))
            assert sorted(kept) == expected, f"partition {key}: ranks {sorted(kept)}"
    return check


def top_n_candidates_sql(columns, source, partition, order, limit):
    """SQL of the candidates of check_top_n: the rows of `source` (a table or a subquery) that
    some tie-break would rank within `limit` in their partition, with their rank ranges."""
    return f"""
        SELECT {columns}, rank_lo, rank_hi, partition_rows
        FROM (SELECT *, rank() OVER ranked AS rank_lo, count(*) OVER ranked AS rank_hi,
                     count(*) OVER (PARTITION BY {partition}) AS partition_rows
              FROM {source}
              WINDOW ranked AS (PARTITION BY {partition} ORDER BY {order}))
        WHERE rank_lo <= {limit}
        """


QUERIES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                           "bench", "nexmark", "queries")


def side_input_rows():
    """The rows q13.sql inserts into its table side_input (key 0..9999, value the key's decimal
    text), read from the file, so that SQLite joins with the rows the engine holds."""
    with open(os.path.join(QUERIES_DIR, "q13.sql")) as file:
        sql = file.read()
    inserts = sql[sql.index("INSERT INTO side_input"):sql.index("CREATE STREAM")]
    return [(int(key), value) for key, value in re.findall(r"\((\d+), '([^']*)'\)", inserts)]


def load_side_input(connection):
    rows = side_input_rows()
    assert sorted(key for key, _ in rows) == list(range(10_000)), \
        "q13.sql must insert keys 0..9999 into side_input, each once"
    connection.execute("CREATE TABLE side_input (key INTEGER PRIMARY KEY, value TEXT)")
    connection.executemany("INSERT INTO side_input VALUES (?, ?)", rows)


# The join of q4, q6 and q9: the bids of an auction while it is open. The export writes every
# TIMESTAMP with six fraction digits, so text order is time order and BETWEEN compares times.
AUCTION_BIDS = """
    auction AS a JOIN bid AS b
    ON a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
    """

# q4 and q6's inner query: each auction's highest bid while open, and its last bid's time.
AUCTION_FINAL = f"""
    SELECT a.id, a.category, a.seller, max(b.price) AS final, max(b.date_time) AS date_time
    FROM {AUCTION_BIDS}
    GROUP BY a.id, a.category, a.seller
    """

# Hop windows of q5 spelled out: a row at ts lies in the five windows of 10 s starting at
# floor(ts / 2 s) * 2 s - k * 2 s, k = 0..4 (those with start <= ts < start + 10 s).
HOPS = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(5))

AUCTION_COLUMNS = ["id", "item_name", "description", "initial_bid", "reserve", "date_time",
                   "expires", "seller", "category", "extra"]
BID_COLUMNS = ["auction", "bidder", "price", "channel", "url", "date_time", "extra"]


def timestamps_canonical(*positions):
    """A row converter that prints the TIMESTAMP columns at `positions` as the engine does."""
    def convert(row):
        return tuple(canonical_timestamp(v) if i in positions else v for i, v in enumerate(row))
    return convert


# The price bands of q15-q17 (rank1, rank2, rank3), counted with CASE rather than FILTER.
PRICE_BANDS = ("price < 10000", "price >= 10000 AND price < 1000000", "price >= 1000000")


def band_counts_sql():
    return ", ".join(["count(*)"] + [f"sum(CASE WHEN {band} THEN 1 ELSE 0 END)"
                                     for band in PRICE_BANDS])


def band_distinct_sql(column):
    return ", ".join([f"count(DISTINCT {column})"] + [
        f"count(DISTINCT CASE WHEN {band} THEN {column} END)" for band in PRICE_BANDS])


BAND_COLUMNS = ["total_bids", "rank1_bids", "rank2_bids", "rank3_bids"]
DISTINCT_COLUMNS = [f"{rank}_{what}" for what in ("bidders", "auctions")
                    for rank in ("total", "rank1", "rank2", "rank3")]

ORACLES = {
    # Rate 3 events/s: timestamps with fractions (.333333, .666666), printed without zeros.
    "q0": Oracle(
        ["bid"], ["auction", "bidder", "price", "date_time", "extra"],
        "SELECT auction, bidder, price, date_time, extra FROM bid",
        lambda r: (r[0], r[1], r[2], canonical_timestamp(r[3]), r[4]),
        rate=3),
    # 0.908 * price is DECIMAL(24,3): price * 908 thousandths, exactly.
    "q1": Oracle(
        ["bid"], ["auction", "bidder", "price", "date_time", "extra"],
        "SELECT auction, bidder, price * 908, date_time, extra FROM bid",
        lambda r: (r[0], r[1], decimal_thousandths(r[2]), canonical_timestamp(r[3]), r[4]),
        rate=3),
    "q2": Oracle(
        ["bid"], ["auction", "price"],
        "SELECT auction, price FROM bid WHERE auction % 123 = 0",
        lambda r: tuple(r)),
    # Regular (unbounded) joins. Their state_ttl is processing time (1 hour): nothing expires
    # during a test run, so the result is the plain join, append-only. Each auction has one
    # seller, each bid one auction: no row is emitted twice.
    "q3": Oracle(
        ["auction", "person"], ["name", "city", "state", "id"],
        """
        SELECT p.name, p.city, p.state, a.id
        FROM auction AS a JOIN person AS p ON a.seller = p.id
        WHERE a.category = 10 AND p.state IN ('or', 'id', 'ca')
        """,
        lambda r: tuple(r)),
    # Each open auction's highest bid, then AVG per category: a changelog of 5 final rows, one
    # per category, AVG (a DOUBLE) compared with a tolerance. Rate 100 events/s: an auction is
    # open 16.7 s on average (1,666 events), longer than the 4 s watermark lag, so watermarks
    # pass auctions' expiry times during the 1,000 s of the run.
    "q4": Oracle(
        ["auction", "bid"], ["category", "avg_final"],
        f"SELECT category, avg(final) FROM ({AUCTION_FINAL}) GROUP BY category",
        lambda r: tuple(r),
        rate=100, changelog=True, approximate=[1]),
    # The hot auctions of each hop window (all of them when several share the highest count).
    # Rate 100 events/s: 1,000 s of event time, 504 windows (all closed at the end of the
    # input) of 920 bids, shorter than the 16.7 s during which an auction is the hot one, so
    # the counts vary from window to window. The output has no window column: equal
    # (auction, num) rows of overlapping windows are compared as a multiset.
    "q5": Oracle(
        ["bid"], ["auction", "num"],
        f"""
        WITH windows AS (
          SELECT auction, {micros_sql('date_time')} / 2000000 * 2000000 - k * 2000000 AS start
          FROM bid, ({HOPS})),
        counts AS (SELECT auction, start, count(*) AS num FROM windows GROUP BY auction, start),
        maxima AS (SELECT start, max(num) AS maxn FROM counts GROUP BY start)
        SELECT counts.auction, counts.num
        FROM counts JOIN maxima ON counts.start = maxima.start AND counts.num >= maxima.maxn
        """,
        lambda r: tuple(r),
        rate=100),
    # AVG of the last 10 auctions' highest bids of each seller, ordered by each auction's last
    # bid: a changelog on a changelog (an auction's row moves when a new bid raises its price
    # or time). Two rows of a seller can have the same average, so the final rows are a
    # multiset. Rate 100 events/s: bid times differ (10 ms apart), so no seller has two auctions
    # with the same last-bid time and the order of the frame is fixed (ties_sql).
    "q6": Oracle(
        ["auction", "bid"], ["seller", "avg_final"],
        f"""
        SELECT seller, avg(final) OVER (PARTITION BY seller ORDER BY date_time
                                        ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
        FROM ({AUCTION_FINAL})
        """,
        lambda r: tuple(r),
        rate=100, changelog=True, duplicates=True, approximate=[1],
        ties_sql=f"""
        SELECT seller, date_time FROM ({AUCTION_FINAL})
        GROUP BY seller, date_time HAVING count(*) > 1
        """),
    # The bids whose price is the highest of a tumbling 10 s window, with the query's bounds:
    # date_time BETWEEN window_end - 10 s AND window_end, both ends included, so a bid exactly
    # at window_end (the next window's first instant) matches too when its price equals this
    # window's maximum. Every such bid is kept (no tie-break). Rate 100 events/s: 100 windows
    # of 920 bids.
    "q7": Oracle(
        ["bid"], ["auction", "price", "bidder", "date_time", "extra"],
        f"""
        WITH timed AS (
          SELECT auction, price, bidder, date_time, extra, {micros_sql('date_time')} AS ts
          FROM bid),
        maxima AS (
          SELECT ts / 10000000 * 10000000 + 10000000 AS window_end, max(price) AS maxprice
          FROM timed GROUP BY window_end)
        SELECT b.auction, b.price, b.bidder, b.date_time, b.extra
        FROM timed AS b JOIN maxima AS m
          ON b.price = m.maxprice AND b.ts BETWEEN m.window_end - 10000000 AND m.window_end
        """,
        timestamps_canonical(3),
        rate=100),
    # People who opened an auction in the tumbling 10 s window of their registration. Rate
    # 1,000 events/s: 10 windows of 200 people and 600 auctions.
    "q8": Oracle(
        ["person", "auction"], ["id", "name", "starttime"],
        f"""
        WITH p AS (
          SELECT DISTINCT id, name, {micros_sql('date_time')} / 10000000 * 10000000 AS start
          FROM person),
        a AS (
          SELECT DISTINCT seller, {micros_sql('date_time')} / 10000000 * 10000000 AS start
          FROM auction)
        SELECT p.id, p.name, p.start FROM p JOIN a ON p.id = a.seller AND p.start = a.start
        """,
        lambda r: (r[0], r[1], timestamp_text(r[2])),
        rate=1000),
    # Each auction's winning bid: highest price, then earliest time, among the bids while it is
    # open (check_top_n, which would accept any of tied bids; at rate 100 events/s bid times
    # differ, so there are none). A changelog: a higher bid replaces the winner.
    "q9": Oracle(
        ["auction", "bid"],
        AUCTION_COLUMNS + ["auction", "bidder", "price", "bid_date_time", "bid_extra"],
        top_n_candidates_sql(
            "id, item_name, description, initial_bid, reserve, date_time, expires, seller, "
            "category, extra, auction, bidder, price, bid_date_time, bid_extra",
            f"""(SELECT a.*, b.auction, b.bidder, b.price, b.date_time AS bid_date_time,
                        b.extra AS bid_extra
                 FROM {AUCTION_BIDS})""",
            "id", "price DESC, bid_date_time ASC", 1),
        timestamps_canonical(5, 6, 13),
        rate=100, changelog=True, check=check_top_n(partition=[0], limit=1)),
    # Sessions spelled out: a bidder's bids sorted by time, a new session wherever a bid comes
    # 10 s or more after the previous one (sessions are half-open, [first, last + 10 s): a bid
    # exactly 10 s after the previous one starts a new session); a session runs from its first
    # bid to its last + 10 s. The default frame of
    # SUM() OVER (ORDER BY ts) takes in every bid of the same time, so ties are counted once.
    # Rate 250 events/s: 100,000 events span 400 s, so sessions close all along the run
    # (1 to hundreds of bids each, a few with bids exactly 10 s apart). Event times never
    # decrease, so no bid is late and the engine must count every one.
    "q11": Oracle(
        ["bid"], ["bidder", "bid_count", "starttime", "endtime"],
        f"""
        WITH timed AS (SELECT bidder, {micros_sql('date_time')} AS ts FROM bid),
        marked AS (
          SELECT bidder, ts,
                 CASE WHEN ts - lag(ts) OVER (PARTITION BY bidder ORDER BY ts) < 10000000
                      THEN 0 ELSE 1 END AS opens
          FROM timed),
        numbered AS (
          SELECT bidder, ts, sum(opens) OVER (PARTITION BY bidder ORDER BY ts) AS session
          FROM marked)
        SELECT bidder, count(*), min(ts), max(ts) + 10000000
        FROM numbered GROUP BY bidder, session
        """,
        lambda r: (r[0], r[1], timestamp_text(r[2]), timestamp_text(r[3])),
        rate=250),
    # Processing-time windows: invariants only (check_processing_time_windows).
    "q12": Oracle(
        ["bid"], ["bidder", "bid_count", "starttime", "endtime"],
        "SELECT bidder, count(*) FROM bid GROUP BY bidder",
        lambda r: tuple(r),
        check=check_processing_time_windows),
    # The processing-time temporal join of q13 against side_input, which q13.sql fills (keys
    # 0..9999) before the stream is created, so before any bid flows and with no change after:
    # every bid finds the row of key auction % 10000 (auction ids are positive), whatever its
    # processing time. SQLite reads the same rows from q13.sql.
    "q13": Oracle(
        ["bid"], ["auction", "bidder", "price", "date_time", "value"],
        """
        SELECT b.auction, b.bidder, b.price, b.date_time, s.value
        FROM bid AS b JOIN side_input AS s ON b.auction % 10000 = s.key
        """,
        timestamps_canonical(3),
        side_tables=[load_side_input]),
    # Rate 1 event/s: 100,000 events span 27.8 hours, so every hour of the day (and each
    # branch of the CASE) occurs. EXTRACT(HOUR) of a TIMESTAMP (no zone) is the hour written
    # in it. The price range is compared in thousandths: 0.908 * price > 1000000 exactly when
    # price * 908 > 1000000000.
    "q14": Oracle(
        ["bid"],
        ["auction", "bidder", "price", "bid_time_type", "date_time", "extra", "c_counts"],
        """
        SELECT auction, bidder, price * 908,
               CASE WHEN hour >= 8 AND hour <= 18 THEN 'dayTime'
                    WHEN hour <= 6 OR hour >= 20 THEN 'nightTime'
                    ELSE 'otherTime' END,
               date_time, extra, count_char(extra, 'c')
        FROM (SELECT *, CAST(strftime('%H', date_time) AS INTEGER) AS hour FROM bid)
        WHERE price * 908 > 1000000000 AND price * 908 < 50000000000
        """,
        lambda r: (r[0], r[1], decimal_thousandths(r[2]), r[3], canonical_timestamp(r[4]),
                   r[5], r[6]),
        rate=1),
    # Unbounded GROUP BY per day (EMIT CHANGES): the consolidated changelog against GROUP BY.
    # Rate 1 event/s: 100,000 events span two days. to_char(date_time, 'YYYY-MM-DD') and
    # 'HH24:MI' are the date and the hours and minutes written in the export.
    "q15": Oracle(
        ["bid"], ["day"] + BAND_COLUMNS + DISTINCT_COLUMNS,
        f"""
        SELECT substr(date_time, 1, 10) AS day, {band_counts_sql()},
               {band_distinct_sql('bidder')}, {band_distinct_sql('auction')}
        FROM bid GROUP BY day
        """,
        lambda r: tuple(r),
        rate=1, changelog=True),
    # Per (channel, day): 4 hot channels and up to 10,000 others.
    "q16": Oracle(
        ["bid"], ["channel", "day", "minute"] + BAND_COLUMNS + DISTINCT_COLUMNS,
        f"""
        SELECT channel, substr(date_time, 1, 10) AS day, max(substr(date_time, 12, 5)),
               {band_counts_sql()}, {band_distinct_sql('bidder')},
               {band_distinct_sql('auction')}
        FROM bid GROUP BY channel, day
        """,
        lambda r: tuple(r),
        rate=1, changelog=True),
    # Per (auction, day); avg(price) is a DOUBLE, compared with a tolerance.
    "q17": Oracle(
        ["bid"],
        ["auction", "day"] + BAND_COLUMNS + ["min_price", "max_price", "avg_price", "sum_price"],
        f"""
        SELECT auction, substr(date_time, 1, 10) AS day, {band_counts_sql()},
               min(price), max(price), avg(price), sum(price)
        FROM bid GROUP BY auction, day
        """,
        lambda r: tuple(r),
        rate=1, changelog=True, approximate=[8]),
    # Dedup: the last bid of each (bidder, auction) by date_time, a changelog (a later bid
    # replaces the kept one); check_top_n accepts any of bids with the same last time. Rate
    # 1,000,000 events/s: bid times differ (1 us apart), so there are none.
    "q18": Oracle(
        ["bid"], BID_COLUMNS,
        top_n_candidates_sql(", ".join(BID_COLUMNS), "bid", "bidder, auction",
                             "date_time DESC", 1),
        timestamps_canonical(5),
        rate=1_000_000, changelog=True, check=check_top_n(partition=[1, 0], limit=1)),
    # The 10 highest bids of each auction with their rank_number. Prices tie (a sixth of them
    # lie between 100 and 1,000 cents), and ORDER BY price leaves the order of equal prices
    # open: check_top_n checks each auction's ranks 1..min(10, bids) against the rank ranges
    # of the prices, whichever of tied bids the engine kept.
    "q19": Oracle(
        ["bid"], BID_COLUMNS + ["rank_number"],
        top_n_candidates_sql(", ".join(BID_COLUMNS), "bid", "auction", "price DESC", 10),
        timestamps_canonical(5),
        rate=1_000_000, changelog=True,
        check=check_top_n(partition=[0], limit=10, rank_column=7)),
    "q20": Oracle(
        ["bid", "auction"],
        BID_COLUMNS + ["item_name", "description", "initial_bid", "reserve",
                       "auction_date_time", "expires", "seller", "category", "auction_extra"],
        """
        SELECT b.auction, b.bidder, b.price, b.channel, b.url, b.date_time, b.extra,
               a.item_name, a.description, a.initial_bid, a.reserve, a.date_time, a.expires,
               a.seller, a.category, a.extra
        FROM bid AS b JOIN auction AS a ON b.auction = a.id
        WHERE a.category = 10
        """,
        timestamps_canonical(5, 11, 12)),
    "q21": Oracle(
        ["bid"], ["auction", "bidder", "price", "channel", "channel_id"],
        """
        SELECT auction, bidder, price, channel,
               CASE WHEN lower(channel) = 'apple' THEN '0'
                    WHEN lower(channel) = 'google' THEN '1'
                    WHEN lower(channel) = 'facebook' THEN '2'
                    WHEN lower(channel) = 'baidu' THEN '3'
                    ELSE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END
        FROM bid
        WHERE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL
           OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')
        """,
        lambda r: tuple(r)),
    "q22": Oracle(
        ["bid"], ["auction", "bidder", "price", "channel", "dir1", "dir2", "dir3"],
        """
        SELECT auction, bidder, price, channel, split_part(url, '/', 4),
               split_part(url, '/', 5), split_part(url, '/', 6)
        FROM bid
        """,
        lambda r: tuple(r)),
}


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="nexmark-oracle-") as path:
        yield path


def export_table(workdir, table, rate):
    path = os.path.join(workdir, f"{table}-{rate}.csv")
    if not os.path.exists(path):
        subprocess.run([LAMINARDB, "nexmark", "export", "--table", table, "--events",
                        str(EVENTS), "--seed", str(SEED), "--rate", str(rate), "--format", "csv",
                        "--output", path], check=True)
    return path


def sqlite_rows(workdir, oracle):
    connection = sqlite3.connect(":memory:")
    connection.create_function("regexp_extract", 3, regexp_extract, deterministic=True)
    connection.create_function("split_part", 3, split_part, deterministic=True)
    connection.create_function("count_char", 2, count_char, deterministic=True)
    for table in oracle.tables:
        with open(export_table(workdir, table, oracle.rate), newline="") as file:
            reader = csv.reader(file)
            header = next(reader)
            integers = [name in INTEGER_COLUMNS[table] for name in header]
            columns = ", ".join(
                f"{name} {'INTEGER' if integer else 'TEXT'}" for name, integer in zip(header, integers))
            connection.execute(f"CREATE TABLE {table} ({columns})")
            placeholders = ", ".join("?" for _ in header)
            connection.executemany(
                f"INSERT INTO {table} VALUES ({placeholders})",
                ([int(v) if integer else v for v, integer in zip(row, integers)] for row in reader))
    for load in oracle.side_tables:
        load(connection)
    if oracle.ties_sql:
        ties = connection.execute(oracle.ties_sql).fetchmany(5)
        assert not ties, f"the order the query relies on has ties at rate {oracle.rate}: {ties}"
    return [oracle.convert(row) for row in connection.execute(oracle.sql)]


def wall_clock_micros():
    """Now, in microseconds since 1970 UTC: what the engine's clock (and proctime()) reads."""
    return time.time_ns() // 1000


def run_harness(workdir, query, rate):
    """Runs the query; returns the process result, the dump's path and the wall-clock bounds
    of the run in microseconds."""
    dump = os.path.join(workdir, f"{query}.jsonl")
    start = wall_clock_micros()
    result = subprocess.run(
        [LAMINARDB, "bench", "nexmark", "--query", query, "--events", str(EVENTS), "--seed",
         str(SEED), "--rate", str(rate), "--json", "--dump-output", dump],
        capture_output=True, text=True)
    return result, dump, (start, wall_clock_micros())


def engine_changes(dump, columns):
    """The dumped output as (row, weight) in emission order."""
    changes = []
    with open(dump) as file:
        for line in file:
            # parse_float=str keeps DECIMAL values as their exact text.
            record = json.loads(line, parse_float=str)
            assert record["weight"] in (1, -1), f"weight {record['weight']}: {line}"
            assert list(record["row"]) == columns, f"columns {list(record['row'])}, not {columns}"
            changes.append((tuple(record["row"].values()), record["weight"]))
    return changes


def append_only_rows(changes):
    for row, weight in changes:
        assert weight == 1, f"an append-only query emitted a retraction: {row}"
    return [row for row, _ in changes]


def consolidate(changes, duplicates=False):
    """The rows a changelog leaves, checking on the way that each row's running weight stays
    0 or 1: an unbounded GROUP BY holds one row per group, so a retraction must remove a row
    that is there and an insertion must not duplicate one. With `duplicates` (a result that may
    hold equal rows) the running weight may exceed 1 but never drops below 0."""
    weights = collections.Counter()
    highest = None if duplicates else 1
    for row, weight in changes:
        weights[row] += weight
        assert weights[row] >= 0 and (highest is None or weights[row] <= highest), \
            f"running weight {weights[row]} after {weight:+d} {row}"
    return [row for row, weight in weights.items() for _ in range(weight)]


def compare(engine, expected, approximate):
    """Whole-output comparison as multisets; `approximate` columns with a relative tolerance
    (the other columns exactly, then the approximate values of rows paired by them)."""
    def exact_part(row):
        return tuple(None if i in approximate else v for i, v in enumerate(row))

    engine_exact = [exact_part(row) for row in engine]
    expected_exact = [exact_part(row) for row in expected]
    assert collections.Counter(engine_exact) == collections.Counter(expected_exact), \
        describe_difference(engine_exact, expected_exact)
    if not approximate:
        return

    def sort_key(row):
        return (repr(exact_part(row)), tuple(float(row[i]) for i in approximate))

    for mine, theirs in zip(sorted(engine, key=sort_key), sorted(expected, key=sort_key)):
        for i in approximate:
            assert math.isclose(float(mine[i]), float(theirs[i]), rel_tol=1e-12), \
                f"column {i}: engine {mine}, SQLite {theirs}"


def describe_difference(engine, oracle):
    engine_count, oracle_count = collections.Counter(engine), collections.Counter(oracle)
    only_engine = list((engine_count - oracle_count).elements())[:5]
    only_oracle = list((oracle_count - engine_count).elements())[:5]
    return (f"engine {len(engine)} rows, SQLite {len(oracle)} rows\n"
            f"only from the engine (first 5): {only_engine}\n"
            f"only from SQLite (first 5): {only_oracle}")


def test_events_meet_the_issue_floor():
    assert EVENTS >= 100_000, "the oracle tests run on at least 100,000 events"


@pytest.mark.parametrize("query", QUERIES)
def test_query_matches_sqlite(workdir, query):
    oracle = ORACLES.get(query)
    result, dump, run = run_harness(workdir, query, oracle.rate if oracle else 10_000_000)
    if result.returncode == 3:
        report = json.loads(result.stdout)
        assert report["supported"] is False
        assert re.fullmatch(r"LDB-2\d{3}", report["error_code"]), report
        pytest.skip(f"{query} is not supported yet: {report['error']}")
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    assert oracle is not None, f"{query} runs now: write its SQLite oracle in this file"
    report = json.loads(result.stdout)
    changes = engine_changes(dump, oracle.columns)
    assert report["output_changes"] == len(changes)
    engine = (consolidate(changes, oracle.duplicates) if oracle.changelog
              else append_only_rows(changes))
    assert report["output_rows"] == len(engine)
    expected = sqlite_rows(workdir, oracle)
    assert len(expected) > 0, "the oracle selects nothing: the test would prove little"
    if oracle.check:
        oracle.check(engine, expected, run)
    else:
        compare(engine, expected, oracle.approximate)
