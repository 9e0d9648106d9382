#!/usr/bin/env bash
# Checks `laminardb nexmark export` (CSV of generated rows) and `laminardb bench nexmark` (the
# harness): the report's fields, equal checksums for both input modes, the output dump, exit
# status 3 and the LDB code for a query that cannot run yet, and refused arguments.
set -u
binary="$1"
failures=0
passed=0
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

check() {  # check DESCRIPTION CONDITION-STATUS
  if [[ $2 -eq 0 ]]; then
    passed=$((passed + 1))
  else
    echo "FAIL: $1"
    failures=$((failures + 1))
  fi
}

json_field() {  # json_field FILE NAME: the raw value of "NAME": in a one-line JSON object
  grep -o "\"$2\":[^,}]*" "$1" | head -1 | cut -d: -f2-
}

# Export: header, one line per bid (1,000 events hold 920 bids), stdout equal to --output.
"$binary" nexmark export --table bid --events 1000 --seed 1 --format csv >"$scratch/bid.csv"
status=$?
[[ $status -eq 0 ]] && [[ "$(head -1 "$scratch/bid.csv")" == "auction,bidder,price,channel,url,date_time,extra" ]] \
  && [[ $(wc -l <"$scratch/bid.csv") -eq 921 ]] \
  && grep -q '^[0-9]*,[0-9]*,[0-9]*,[^,]*,https://www.nexmark.com/[^,]*,2015-07-15 00:00:00.[0-9]\{6\},[a-z]*$' "$scratch/bid.csv"
check "export of 1000 events of bid (status $status)" $?
"$binary" nexmark export --table bid --events 1000 --seed 1 --output "$scratch/bid2.csv"
cmp -s "$scratch/bid.csv" "$scratch/bid2.csv"
check "export --output writes what stdout gets" $?
"$binary" nexmark export --table bid --events 1000 --seed 2 >"$scratch/seed2.csv"
! cmp -s "$scratch/bid.csv" "$scratch/seed2.csv"
check "another seed gives other rows" $?
"$binary" nexmark export --table person --events 1000 >"$scratch/person.csv"
[[ $(wc -l <"$scratch/person.csv") -eq 21 ]] && head -1 "$scratch/person.csv" | grep -q '^id,name,'
check "export of person" $?
"$binary" nexmark export --table bid --events 10 --format json >/dev/null 2>"$scratch/err"
[[ $? -eq 2 ]] && grep -q "^LDB-2001: .*csv only" "$scratch/err"
check "export --format json is refused with LDB-2001" $?
"$binary" nexmark export --table bids --events 10 >/dev/null 2>&1
[[ $? -eq 2 ]]
check "export of an unknown table exits 2" $?

# The harness: JSON with the issue's fields; the same checksum from the connector and from
# pre-generated input; the dump holds every output row.
"$binary" bench nexmark --query q0 --events 20000 --json >"$scratch/q0.json"
status=$?
[[ $status -eq 0 ]] && [[ $(wc -l <"$scratch/q0.json") -eq 1 ]]
check "bench q0 --json exits 0 with one line (status $status)" $?
for field in events_per_sec events_per_sec_per_core p50_us p99_us peak_rss_mb output_rows \
    output_changes checksum generation_seconds; do
  grep -q "\"$field\":" "$scratch/q0.json"
  check "bench q0 --json has $field" $?
done
[[ "$(json_field "$scratch/q0.json" output_rows)" == "18400" ]] \
  && [[ "$(json_field "$scratch/q0.json" p50_us)" == "null" ]] \
  && [[ "$(json_field "$scratch/q0.json" mode)" == '"connector"' ]]
check "bench q0: 18400 rows, no latency in connector mode" $?
"$binary" bench nexmark --query q0 --events 20000 --pregenerate --json \
  --dump-output "$scratch/q0.jsonl" >"$scratch/q0p.json"
[[ $? -eq 0 ]] && [[ "$(json_field "$scratch/q0p.json" checksum)" == "$(json_field "$scratch/q0.json" checksum)" ]] \
  && [[ "$(json_field "$scratch/q0p.json" p50_us)" != "null" ]]
check "bench q0 --pregenerate: the connector's checksum, and a latency" $?
[[ $(wc -l <"$scratch/q0.jsonl") -eq 18400 ]] \
  && head -1 "$scratch/q0.jsonl" | grep -q '^{"stream":"nexmark_q0","weight":1,"row":{"auction":'
check "--dump-output writes every output row" $?
# A changelog (q15, an unbounded GROUP BY per day): net rows, and the changes that led there.
"$binary" bench nexmark --query q15 --events 20000 --rate 1 --batch-rows 1000 --json \
  --dump-output "$scratch/q15.jsonl" >"$scratch/q15.json"
[[ $? -eq 0 ]] && [[ "$(json_field "$scratch/q15.json" output_rows)" == "1" ]] \
  && [[ "$(json_field "$scratch/q15.json" output_changes)" == "$(wc -l <"$scratch/q15.jsonl")" ]] \
  && grep -q '^{"stream":"nexmark_q15","weight":-1,"row":{"day":"2015-07-15",' "$scratch/q15.jsonl"
check "bench q15: one net row, every change dumped with its weight" $?
"$binary" bench nexmark --query q2 --events 20000 >"$scratch/q2.txt"
[[ $? -eq 0 ]] && grep -q "events/s per core" "$scratch/q2.txt" && grep -q "checksum [0-9a-f]\{16\}$" "$scratch/q2.txt"
check "bench q2 prints a text report" $?

# A query that needs a connector not built yet (the FILES sink): exit 3 and its LDB-2xxx code.
"$binary" bench nexmark --query q10 --events 1000 >"$scratch/q10.txt" 2>&1
[[ $? -eq 3 ]] && grep -q "^nexmark q10: unsupported: LDB-2001: " "$scratch/q10.txt"
check "bench q10 is unsupported with LDB-2001 and exit status 3" $?
"$binary" bench nexmark --query q10 --events 1000 --json >"$scratch/q10.json" 2>&1
[[ $? -eq 3 ]] && grep -q '"supported":false,"error_code":"LDB-2001"' "$scratch/q10.json"
check "bench q10 --json says supported false with error_code" $?

# Refused arguments.
"$binary" bench nexmark --query q0 --workers 2 >/dev/null 2>"$scratch/err"
[[ $? -eq 2 ]] && grep -q "^LDB-2001: .*partitioning" "$scratch/err"
check "--workers 2 is refused with LDB-2001" $?
"$binary" bench nexmark --query q99 >/dev/null 2>"$scratch/err"
[[ $? -eq 2 ]] && grep -q "^LDB-1109: unknown Nexmark query 'q99'" "$scratch/err"
check "an unknown query is refused with LDB-1109" $?
"$binary" bench nexmark --query q0 --events ten >/dev/null 2>&1
[[ $? -eq 2 ]]
check "a non-numeric --events exits 2" $?
"$binary" bench nexmark >/dev/null 2>&1
[[ $? -eq 2 ]]
check "bench nexmark without --query exits 2" $?

echo "nexmark_test: $passed passed, $failures failed"
exit $failures
