#!/usr/bin/env bash
# Checks `laminardb explain`: plans for a good script; for a bad one, exit status 1 and the
# error with its LDB code, the offending line and a caret under the column.
set -u
binary="$1"
here="$(cd "$(dirname "$0")" && pwd)"
failures=0

output=$("$binary" explain "$here/explain_ok.sql" 2>&1)
status=$?
if [[ $status -ne 0 ]] || ! grep -q "Aggregate window=tumble(ts, 1 min)" <<<"$output" \
    || ! grep -q "Scan SOURCE trades" <<<"$output"; then
  echo "FAIL: explain of a valid script (status $status):"; echo "$output"; failures=$((failures + 1))
fi

output=$("$binary" explain "$here/explain_error.sql" 2>&1)
status=$?
expected_caret="                 ^"
if [[ $status -ne 1 ]] || ! grep -q "LDB-2003" <<<"$output" \
    || ! grep -q "^GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE);$" <<<"$output" \
    || ! grep -qx -- "$expected_caret" <<<"$output"; then
  echo "FAIL: explain of a script with an error (status $status):"; echo "$output"; failures=$((failures + 1))
fi

# The connectors of the build bind as they do in `run`: the Nexmark sources explain.
output=$("$binary" explain "$here/../../bench/nexmark/sources.sql" 2>&1)
status=$?
if [[ $status -ne 0 ]] || ! grep -q "^SOURCE bid (auction BIGINT" <<<"$output"; then
  echo "FAIL: explain of FROM NEXMARK sources (status $status):"; echo "$output"
  failures=$((failures + 1))
fi

output=$("$binary" explain /nonexistent.sql 2>&1)
if [[ $? -ne 1 ]]; then echo "FAIL: a missing file must exit 1"; failures=$((failures + 1)); fi

if [[ $failures -eq 0 ]]; then echo "explain_test: 4 passed, 0 failed"; fi
exit $failures
