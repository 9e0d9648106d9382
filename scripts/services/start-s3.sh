#!/usr/bin/env bash
# Starts an S3-compatible test server (@20minutes/s3rver 5.0.0, which verifies SigV4
# signatures) on 127.0.0.1, on a port the kernel picks, and waits until it answers.
#
#   scripts/services/start-s3.sh STATE_DIR [--bucket NAME] [--node-cache DIR]
#                                          [--exit-with PID] [--skip-if-no-node]
#
# STATE_DIR receives the server's data (data/), its log (s3rver.log), its port and PID
# (server) and the connection settings as shell assignments (s3.env: S3_ENDPOINT, S3_BUCKET,
# S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_PID). Stop it with stop-s3.sh STATE_DIR.
#
# The npm packages are installed with `npm ci` from the pinned package-lock.json into
# --node-cache (default STATE_DIR/node), once: later starts reuse them. Nothing is installed
# globally. --exit-with PID stops the server when that process ends. With --skip-if-no-node a
# machine without node gets STATE_DIR/unavailable (the reason) and exit status 0, so tests
# can skip; otherwise a missing node is an error.
set -euo pipefail

usage() {
  echo "usage: $0 STATE_DIR [--bucket NAME] [--node-cache DIR] [--exit-with PID]" \
    "[--skip-if-no-node]" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
state_dir=$1
shift
bucket=test-bucket
node_cache=
exit_with=
skip_if_no_node=false
while [[ $# -gt 0 ]]; do
  case $1 in
    --bucket) bucket=${2:?}; shift 2 ;;
    --node-cache) node_cache=${2:?}; shift 2 ;;
    --exit-with) exit_with=${2:?}; shift 2 ;;
    --skip-if-no-node) skip_if_no_node=true; shift ;;
    *) usage ;;
  esac
done

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/s3rver" && pwd)
mkdir -p "$state_dir"
state_dir=$(cd "$state_dir" && pwd)
node_cache=${node_cache:-$state_dir/node}
mkdir -p "$node_cache"
node_cache=$(cd "$node_cache" && pwd)

# A server left over from an earlier run of this state directory is stopped first.
"$(dirname "${BASH_SOURCE[0]}")/stop-s3.sh" "$state_dir" >/dev/null
rm -f "$state_dir/unavailable" "$state_dir/s3.env"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if $skip_if_no_node; then
    echo "node and npm are not installed; the S3 tests need them" >"$state_dir/unavailable"
    echo "start-s3: node is not installed; S3 tests will be skipped"
    exit 0
  fi
  echo "start-s3: node and npm are required" >&2
  exit 1
fi

# Install the pinned packages once. The lock serialises concurrent starts that share a cache.
(
  flock 9
  if ! cmp -s "$source_dir/package-lock.json" "$node_cache/package-lock.json" ||
    [[ ! -d $node_cache/node_modules/@20minutes/s3rver ]]; then
    echo "start-s3: npm ci into $node_cache"
    cp "$source_dir/package.json" "$source_dir/package-lock.json" "$node_cache/"
    (cd "$node_cache" && npm ci --no-audit --no-fund --loglevel=error >"$node_cache/npm.log" 2>&1) ||
      { cat "$node_cache/npm.log" >&2; exit 1; }
  fi
) 9>"$node_cache/.lock"

rm -rf "$state_dir/data"
mkdir -p "$state_dir/data"
arguments=(--directory "$state_dir/data" --bucket "$bucket" --state-file "$state_dir/server")
[[ -n $exit_with ]] && arguments+=(--exit-with "$exit_with")
# --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which
# node >= 17 rejects without it.
NODE_OPTIONS=--openssl-legacy-provider NODE_PATH="$node_cache/node_modules" \
  node "$source_dir/s3rver.js" "${arguments[@]}" </dev/null >"$state_dir/s3rver.log" 2>&1 &
launched_pid=$!

# s3rver.js writes the state file once it listens.
for _ in $(seq 1 300); do
  [[ -s $state_dir/server ]] && break
  if ! kill -0 "$launched_pid" 2>/dev/null; then
    echo "start-s3: the server exited during startup:" >&2
    cat "$state_dir/s3rver.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ ! -s $state_dir/server ]]; then
  echo "start-s3: the server did not start within 30 s:" >&2
  cat "$state_dir/s3rver.log" >&2
  kill "$launched_pid" 2>/dev/null || true
  exit 1
fi
port=$(sed -n 's/^port=//p' "$state_dir/server")
pid=$(sed -n 's/^pid=//p' "$state_dir/server")

# It listens; check that it answers a connection too.
answered=false
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    answered=true
    break
  fi
  sleep 0.1
done
if ! $answered; then
  echo "start-s3: nothing answers on 127.0.0.1:$port" >&2
  "$(dirname "${BASH_SOURCE[0]}")/stop-s3.sh" "$state_dir" >/dev/null
  exit 1
fi

cat >"$state_dir/s3.env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$port
S3_BUCKET=$bucket
S3_REGION=us-east-1
S3_ACCESS_KEY=S3RVER
S3_SECRET_KEY=S3RVER
S3_PID=$pid
EOF
echo "start-s3: http://127.0.0.1:$port/$bucket port=$port pid=$pid"
