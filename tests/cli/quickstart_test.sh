#!/usr/bin/env bash
# Checks that examples/quickstart.sql runs (what `make run` shows) and emits the expected rows.
set -u
binary="$1"
here="$(cd "$(dirname "$0")" && pwd)"
script="$here/../../examples/quickstart.sql"
failures=0

output=$("$binary" run "$script" 2>&1)
status=$?
if [[ $status -ne 0 ]] || ! grep -qx -- "-- stream large_trades (+2 rows)" <<<"$output" \
    || ! grep -qx -- "-- stream whale_alerts (+1 row)" <<<"$output" \
    || ! grep -q "^| XOM    | 118.2 |   2500 |   295500 | 2024-05-01 09:31:07 |$" <<<"$output" \
    || ! grep -q "^| MSFT   | Microsoft |$" <<<"$output" \
    || ! grep -q "^| XOM    | Energy |   295500 |$" <<<"$output"; then
  echo "FAIL: run examples/quickstart.sql (status $status):"; echo "$output"
  failures=$((failures + 1))
fi

output=$("$binary" run "$script" --output jsonl 2>&1)
status=$?
expected='{"stream":"whale_alerts","weight":1,"row":{"symbol":"AAPL","notional":948500,"alert":"whale"}}'
if [[ $status -ne 0 ]] || ! grep -qxF "$expected" <<<"$output" \
    || [[ $(grep -c '"stream":"large_trades"' <<<"$output") -ne 3 ]]; then
  echo "FAIL: run examples/quickstart.sql --output jsonl (status $status):"; echo "$output"
  failures=$((failures + 1))
fi

if [[ $failures -eq 0 ]]; then echo "quickstart_test: 2 passed, 0 failed"; fi
exit $failures
