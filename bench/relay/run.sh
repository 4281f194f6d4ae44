#!/bin/bash
# Runs the relay benchmark: huizhen-relay (with its shared send threads,
# and with a webrtcbin per subscriber) and Janus's VideoRoom (Debian's
# janus package, with its default of one event loop per handle and with
# event_loops = 2) side by side on this machine, for each N in
# BENCH_SUBSCRIBERS. Needs root (network namespace, apt-get).
#
#   bash bench/relay/run.sh                       # N = 10 50 100, 20 s windows
#   BENCH_SUBSCRIBERS="10" BENCH_WINDOW=10 bash bench/relay/run.sh
#
# Writes RESULTS_DIR/results.jsonl (one line per run), table.md and
# machine.txt; RESULTS_DIR defaults to bench/relay/results/UTC-TIME.
set -euo pipefail
cd "$(dirname "$0")/../.."

subscribers=${BENCH_SUBSCRIBERS:-10 50 100}
window=${BENCH_WINDOW:-20}
relays=${BENCH_RELAYS:-huizhen huizhen-webrtcbin janus janus-el2}
out=${RESULTS_DIR:-bench/relay/results/$(date -u +%Y%m%dT%H%M%SZ)}
build=build-bench

packages=(janus python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
          gir1.2-gst-plugins-bad-1.0 gir1.2-soup-3.0 gstreamer1.0-nice
          gstreamer1.0-plugins-good gstreamer1.0-plugins-bad iproute2)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" relay/huizhen-relay >/dev/null

mkdir -p "$out"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
  echo "kernel: $(uname -r)"
  echo "janus: $(dpkg-query -W -f '${Version}' janus)"
  echo "gstreamer: $(dpkg-query -W -f '${Version}' libgstreamer1.0-0)"
  echo "libnice: $(dpkg-query -W -f '${Version}' libnice10)"
  echo "huizhen: $(git rev-parse --short HEAD)"
  echo "window_s: $window"
} > "$out/machine.txt"
cat "$out/machine.txt" >&2

for n in $subscribers; do
  for relay in $relays; do
    case $relay in
      huizhen) options=(--relay huizhen --build-dir "$build") ;;
      huizhen-webrtcbin) options=(--relay huizhen --build-dir "$build" --send-threads 0) ;;
      janus) options=(--relay janus) ;;
      janus-el2) options=(--relay janus --janus-event-loops 2) ;;
      *) echo "unknown relay $relay" >&2; exit 2 ;;
    esac
    echo "bench: $relay, N=$n" >&2
    /usr/bin/python3 bench/relay/bench.py "${options[@]}" --subscribers "$n" --window "$window" \
      | tee -a "$out/results.jsonl"
  done
done
/usr/bin/python3 bench/relay/table.py "$out/results.jsonl" > "$out/table.md"
cat "$out/table.md"
