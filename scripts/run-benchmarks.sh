#!/usr/bin/env bash
# Runs every Google Benchmark binary of a build and prints the medians of 5 repetitions.
# Usage: scripts/run-benchmarks.sh [build-dir] [extra benchmark flags...]
# Results (JSON) go to <build-dir>/bench-results/.
set -euo pipefail
build_dir=${1:-build/release}
shift || true
out_dir="$build_dir/bench-results"
mkdir -p "$out_dir"
shopt -s nullglob
binaries=("$build_dir"/bench/*_benchmark)
if [[ ${#binaries[@]} -eq 0 ]]; then
  echo "no benchmark binaries in $build_dir/bench (build with the release preset first)" >&2
  exit 1
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%Y-%m-%d)"
for binary in "${binaries[@]}"; do
  name=$(basename "$binary")
  echo "== $name"
  "$binary" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="$out_dir/$name.json" --benchmark_out_format=json "$@" \
    | grep -E '^(Benchmark|-|BM_.*_median)'
done
