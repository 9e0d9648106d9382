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

Three kinds of output are checked:

- Append-only output (every row with weight +1) is compared as it is.
- A changelog (an unbounded GROUP BY, EMIT CHANGES: rows with weight +1 or -1) is consolidated
  in emission order: each row's running weight must stay 0 or 1 (a retraction removes a row
  that is there, an insertion never duplicates one), and the rows left with weight 1 at the end
  must equal the oracle's GROUP BY result. Columns listed as approximate (AVG, a DOUBLE) are
  compared with a relative tolerance, the other columns exactly.
- Processing-time windows depend on when rows are processed, which no batch evaluation knows:
  their oracle checks invariants only (see `check_processing_time_windows`).
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
    `approximate`: positions of DOUBLE columns compared with a relative tolerance.
    `check`: instead of comparing, a function `check(engine_rows, oracle_rows, run)` that
    asserts invariants (`run` holds the wall-clock bounds of the run)."""

    def __init__(self, tables, columns, sql, convert, rate=10_000_000, changelog=False,
                 approximate=(), check=None):
        self.tables = tables
        self.columns = columns
        self.sql = sql
        self.convert = convert
        self.rate = rate
        self.changelog = changelog
        self.approximate = tuple(approximate)
        self.check = check


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


def consolidate(changes):
    """The rows a changelog leaves, checking on the way that each row's running weight stays
    0 or 1: an unbounded GROUP BY holds one row per group, so a retraction must remove a row
    that is there and an insertion must not duplicate one."""
    weights = collections.Counter()
    for row, weight in changes:
        weights[row] += weight
        assert 0 <= weights[row] <= 1, f"running weight {weights[row]} after {weight:+d} {row}"
    return [row for row, weight in weights.items() if weight == 1]


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
    engine = consolidate(changes) if oracle.changelog else append_only_rows(changes)
    assert report["output_rows"] == len(engine)
    expected = sqlite_rows(workdir, oracle)
    assert len(expected) > 0, "the oracle selects nothing: the test would prove little"
    if oracle.check:
        oracle.check(engine, expected, run)
    else:
        compare(engine, expected, oracle.approximate)
