#!/usr/bin/env bash
# Installs, builds and runs the Huizhen demo: scheduler and relay on
# 127.0.0.1 with the default config and a demo dataset. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build

# The demo dataset goes into an empty database; keep an older one aside,
# with its recordings: session ids start at 1 again, so old recordings
# would otherwise be listed under the new demo's sessions.
mkdir -p var
stamp="$(date +%Y%m%d-%H%M%S)"
if [ -e var/huizhen.db ]; then
  backup="var/huizhen.db.$stamp"
  # The -wal file may hold the last commits of a scheduler that was killed.
  for suffix in "" -wal -shm; do
    if [ -e "var/huizhen.db$suffix" ]; then
      mv "var/huizhen.db$suffix" "$backup$suffix"
    fi
  done
  echo "Moved the previous database to $backup"
fi
if [ -e var/recordings ]; then
  mv var/recordings "var/recordings.$stamp"
  echo "Moved the previous recordings to var/recordings.$stamp"
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

build/scheduler/huizhen-scheduler --config config/huizhen.conf --demo &
pids+=($!)
# The relay reads the token secret that the scheduler creates on first start.
for _ in $(seq 50); do [ -s var/token.secret ] && break; sleep 0.1; done
build/relay/huizhen-relay --config config/huizhen.conf &
pids+=($!)

echo
echo "Huizhen demo: open the join URLs above in Chromium or Firefox on this machine."
echo "Press Ctrl-C to stop."
wait -n
