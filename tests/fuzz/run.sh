#!/usr/bin/env bash
# Runs libFuzzer targets of a -Dfuzzing=true build, one after the other.
#
#   tests/fuzz/run.sh BUILDDIR [TARGET...]
#
# TARGET is a name from tests/fuzz/meson.build (token, sdp-offer, ...); all
# targets run when none is given. Each run starts from the seed corpus in
# tests/fuzz/corpus/TARGET and writes new inputs to BUILDDIR/fuzz-runs/TARGET,
# so the committed corpus only changes by hand. A crash, leak or timeout
# input lands in BUILDDIR/fuzz-runs/TARGET-crash-* (or -leak-, -timeout-).
#
# Environment: FUZZ_RUNS (executions per target, default 10000000),
# FUZZ_MAX_TIME (seconds per target, default 3600), FUZZ_MAX_LEN (bytes per
# input; by default 65536 for targets that read SDP or whole request bodies
# and 4096 for the others, whose inputs are short lines and files).
set -euo pipefail

if (($# < 1)); then
  echo "usage: $0 BUILDDIR [TARGET...]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
shift
source_dir=$(cd "$(dirname "$0")" && pwd)
runs=${FUZZ_RUNS:-10000000}
max_time=${FUZZ_MAX_TIME:-3600}

default_max_len () {
  case $1 in
    sdp-* | signalling-message | sched-request) echo 65536 ;;
    *) echo 4096 ;;
  esac
}

targets=("$@")
if ((${#targets[@]} == 0)); then
  for binary in "$build"/tests/fuzz/fuzz-*; do
    name=${binary##*/fuzz-}
    [[ -x $binary && ! -d $binary && $name != replay-* ]] && targets+=("$name")
  done
fi

status=0
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/fuzz-$target"
  work="$build/fuzz-runs/$target"
  log="$build/fuzz-runs/$target.log"
  if [[ ! -x $binary ]]; then
    echo "$target: $binary not found; build with CC=clang meson setup BUILDDIR -Dfuzzing=true" >&2
    status=1
    continue
  fi
  max_len=${FUZZ_MAX_LEN:-$(default_max_len "$target")}
  mkdir -p "$work"
  echo "$target: $runs executions at most, $max_time s at most, inputs up to $max_len bytes; log $log"
  # libFuzzer reports a leaking input like a crash (-detect_leaks=1 is its
  # default with AddressSanitizer).
  if ! "$binary" -runs="$runs" -max_total_time="$max_time" -max_len="$max_len" \
      -timeout=25 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-runs/$target-" \
      "$work" "$source_dir/corpus/$target" >"$log" 2>&1; then
    echo "$target: FINDING, see $log" >&2
    status=1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" || true
done
exit "$status"
