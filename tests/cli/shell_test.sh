#!/usr/bin/env bash
# Checks `laminardb shell` with statements piped in (no terminal, so no readline and no
# prompts): multi-line statements, emitted rows printed after the statement that caused them,
# \timing, SELECT results as tables, and an error that is reported without ending the session.
set -u
binary="$1"
failures=0
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

"$binary" shell >"$scratch/out" 2>"$scratch/err" <<'SQL'
CREATE SOURCE s (x BIGINT, name VARCHAR);
CREATE STREAM big AS
  SELECT x, upper(name) AS loud   -- a comment; not the end
  FROM s
  WHERE x > 1;
\timing
INSERT INTO s VALUES (1, 'a'), (5, 'e;');
\timing off
SELEC 1;
INSERT INTO s VALUES (7, 'g'); SELECT 1 + 1 AS two;
\?
\nonsense
SELECT 'last'
SQL
status=$?
out="$(cat "$scratch/out")"
err="$(cat "$scratch/err")"
check() {  # check DESCRIPTION COMMAND...
  local description="$1"
  shift
  if ! "$@"; then echo "FAIL: $description"; failures=$((failures + 1)); fi
}
check "exit status 0 (was $status)" test "$status" -eq 0
check "tags are printed" grep -qx "CREATE STREAM" <<<"$out"
check "the first emitted row" grep -qx "| 5 | E;   |" <<<"$out"
check "the stream header" grep -qx -- "-- stream big (+1 row)" <<<"$out"
check "\\timing prints the time" grep -q "^Time: [0-9.]* ms$" <<<"$out"
check "timing printed only while on" test "$(grep -c "^Time:" <<<"$out")" -eq 1
check "the error has its code" grep -q "^LDB-1001: " <<<"$err"
check "the error shows the line" grep -qx "SELEC 1;" <<<"$err"
check "the error has a caret" grep -qxF "^" <<<"$err"
check "the session goes on after the error" grep -qx "| 7 | G    |" <<<"$out"
check "SELECT results are tables" grep -qx "|   2 |" <<<"$out"
check "\\? prints help" grep -q "^  \\\\timing" <<<"$out"
check "unknown commands are reported" grep -q "unknown command \\\\nonsense" <<<"$err"
check "the end of input ends the last statement" grep -qx "| last     |" <<<"$out"

# \q ends the session: what follows is not executed.
out=$(printf 'SELECT 1 AS one;\n\\q\nSELECT 2 AS two;\n' | "$binary" shell 2>&1)
check "\\q quits (status $?)" test "$(grep -c "one\|two" <<<"$out")" -eq 1

if [[ $failures -ne 0 ]]; then
  echo "stdout:"; cat "$scratch/out"; echo "stderr:"; cat "$scratch/err"
else
  echo "shell_test: 15 passed, 0 failed"
fi
exit $failures
