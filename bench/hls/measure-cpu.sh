#!/usr/bin/env bash
# Measures the CPU time that huizhen-relay spends on one teaching round
# with HLS output and on the same round without it. Both runs use
# tests/relay/test-relay-hls: an hz-test-peer presenter publishes a VP8
# test pattern and an Opus tone for 12 s. The difference is the cost of
# the HLS branch (decode, scale, x264enc, voaacenc, hlssink2).
#
# Usage: bench/hls/measure-cpu.sh BUILD_DIR [RUNS]
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [RUNS]}
runs=${2:-3}
build=$(cd "$build" && pwd)
source_root=$(cd "$(dirname "$0")/../.." && pwd)
test_binary=$build/tests/relay/test-relay-hls
ticks_per_second=$(getconf CLK_TCK)

# Prints the CPU seconds (user + system) of the huizhen-relay started by
# the test run whose PID is $1, sampled until the run ends.
relay_cpu_seconds() {
  local test_pid=$1 relay_pid="" ticks=0 stat
  while kill -0 "$test_pid" 2>/dev/null; do
    if [[ -z $relay_pid ]]; then
      relay_pid=$(pgrep -P "$test_pid" -x huizhen-relay || true)
    fi
    if [[ -n $relay_pid ]] && stat=$(cat "/proc/$relay_pid/stat" 2>/dev/null); then
      # Fields 14 and 15 are utime and stime in clock ticks; the command
      # name in field 2 has no spaces here.
      ticks=$(awk '{ print $14 + $15 }' <<<"$stat")
    fi
    sleep 0.1
  done
  awk -v t="$ticks" -v hz="$ticks_per_second" 'BEGIN { printf "%.2f", t / hz }'
}

run_case() {
  local path=$1 pid
  HUIZHEN_BUILD_ROOT=$build HUIZHEN_SOURCE_ROOT=$source_root LC_ALL=C.UTF-8 \
    "$test_binary" -p "$path" --hz-test-peer="$build/tests/tools/hz-test-peer" \
    >/dev/null 2>&1 &
  pid=$!
  relay_cpu_seconds "$pid"
  wait "$pid" || { echo " (test $path failed)" >&2; return 1; }
}

echo "case,run,relay_cpu_s"
for ((i = 1; i <= runs; i++)); do
  echo "hls,$i,$(run_case /relay-hls/playlist-decodes)"
  echo "no-hls,$i,$(run_case /relay-hls/round-without-hls)"
done
