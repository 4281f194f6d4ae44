#!/usr/bin/env bash
# Installs, builds and runs the Huizhen demo: scheduler and relay on
# 127.0.0.1 with the default config and a demo dataset. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build

# The demo dataset goes into an empty database; keep an older one aside.
mkdir -p var
if [ -e var/huizhen.db ]; then
  backup="var/huizhen.db.$(date +%Y%m%d-%H%M%S)"
  # The -wal file may hold the last commits of a scheduler that was killed.
  for suffix in "" -wal -shm; do
    [ -e "var/huizhen.db$suffix" ] && mv "var/huizhen.db$suffix" "$backup$suffix"
  done
  echo "Moved the previous database to $backup"
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
