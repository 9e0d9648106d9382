#!/usr/bin/env bash
# Checks that `laminardb run` stops at the first error: exit status 1, the output of the
# statements before it on stdout, and on stderr the error with its LDB code and position, the
# offending line of the script and a caret under the column.
set -u
binary="$1"
here="$(cd "$(dirname "$0")" && pwd)"
failures=0
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

"$binary" run "$here/run_error.sql" --output jsonl >"$scratch/out" 2>"$scratch/err"
status=$?
expected_out='{"stream":"doubled","weight":1,"row":{"y":2}}'
expected_caret="          ^"
if [[ $status -ne 1 ]] || [[ "$(cat "$scratch/out")" != "$expected_out" ]] \
    || ! grep -q "^LDB-1102: .*(line 9, column 11)$" "$scratch/err" \
    || ! grep -qx "SELECT x, nope FROM s;" "$scratch/err" \
    || ! grep -qx -- "$expected_caret" "$scratch/err"; then
  echo "FAIL: a script with an unknown column (status $status)"
  echo "stdout:"; cat "$scratch/out"; echo "stderr:"; cat "$scratch/err"
  failures=$((failures + 1))
fi

# A syntax error in the second statement of a line: the caret is placed in the script.
printf 'CREATE SOURCE s (x BIGINT);\nSELECT 1; SELEC 2;\n' >"$scratch/syntax.sql"
"$binary" run "$scratch/syntax.sql" >"$scratch/out" 2>"$scratch/err"
status=$?
if [[ $status -ne 1 ]] || ! grep -q "^LDB-1001: .*(line 2, column 11)$" "$scratch/err" \
    || ! grep -qx "SELECT 1; SELEC 2;" "$scratch/err" \
    || ! grep -qx -- "          ^" "$scratch/err"; then
  echo "FAIL: a syntax error (status $status)"; cat "$scratch/err"; failures=$((failures + 1))
fi

"$binary" run /nonexistent.sql >/dev/null 2>&1
if [[ $? -ne 1 ]]; then echo "FAIL: a missing file must exit 1"; failures=$((failures + 1)); fi

if [[ $failures -eq 0 ]]; then echo "run_error_test: 3 passed, 0 failed"; fi
exit $failures
