#!/usr/bin/env bash
# Stops the S3 test server that start-s3.sh started in STATE_DIR, by the PID it recorded.
# Succeeds when nothing is running. The PID is signalled only if it still belongs to that
# server (a PID reused by another program is left alone).
#
#   scripts/services/stop-s3.sh STATE_DIR
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
state_dir=$1
state_file=$state_dir/server
[[ -f $state_file ]] || exit 0

pid=$(sed -n 's/^pid=//p' "$state_file")
is_our_server() {
  [[ -n $pid && -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q s3rver.js
}

if is_our_server; then
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    is_our_server || break
    sleep 0.1
  done
  if is_our_server; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  echo "stop-s3: stopped pid $pid"
fi
rm -f "$state_file" "$state_dir/s3.env"
