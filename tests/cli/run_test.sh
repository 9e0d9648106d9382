#!/usr/bin/env bash
# Checks `laminardb run --output jsonl`: the output of run.sql must equal run_expected.jsonl byte
# for byte, with nothing on stderr; the same script from stdin gives the same output; table
# output names the streams.
set -u
binary="$1"
here="$(cd "$(dirname "$0")" && pwd)"
failures=0
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

"$binary" run "$here/run.sql" --output jsonl >"$scratch/out.jsonl" 2>"$scratch/err.txt"
status=$?
if [[ $status -ne 0 ]] || [[ -s "$scratch/err.txt" ]] \
    || ! diff -u "$here/run_expected.jsonl" "$scratch/out.jsonl"; then
  echo "FAIL: run --output jsonl (status $status), stderr:"; cat "$scratch/err.txt"
  failures=$((failures + 1))
fi

"$binary" run --output jsonl - <"$here/run.sql" >"$scratch/stdin.jsonl" 2>&1
if [[ $? -ne 0 ]] || ! cmp -s "$here/run_expected.jsonl" "$scratch/stdin.jsonl"; then
  echo "FAIL: run --output jsonl - (stdin)"; cat "$scratch/stdin.jsonl"; failures=$((failures + 1))
fi

output=$("$binary" run "$here/run.sql" 2>&1)
status=$?
if [[ $status -ne 0 ]] || ! grep -qx -- "-- stream big (+2 rows)" <<<"$output" \
    || ! grep -qx "INSERT 0 3" <<<"$output" || ! grep -qF "| AAPL   | Apple \"Inc.\" | 1980-12-12 |" <<<"$output"; then
  echo "FAIL: run with table output (status $status):"; echo "$output"; failures=$((failures + 1))
fi

"$binary" run "$here/run.sql" --output xml >/dev/null 2>&1
if [[ $? -ne 2 ]]; then echo "FAIL: an unknown --output must exit 2"; failures=$((failures + 1)); fi

if [[ $failures -eq 0 ]]; then echo "run_test: 4 passed, 0 failed"; fi
exit $failures
