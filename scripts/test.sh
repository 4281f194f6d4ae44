#!/usr/bin/env bash
# Installs, builds and runs Huizhen's whole test suite (unit, integration,
# browser). Exits non-zero when a test fails.
#
# With --sanitizers as the first argument (as .ci/run does), it also builds
# with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer into
# build-test-asan/ and runs the unit and integration suites there, through
# `meson test --setup asan` (options and suppressions: tests/sanitizers/).
# Further arguments go to `meson test`, in both runs.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=0
if [[ ${1:-} == --sanitizers ]]; then
  sanitizers=1
  shift
fi

bash scripts/deps.sh
[ -f build-test/build.ninja ] || meson setup build-test
ninja -C build-test
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

status=0
test_logs=()

# The hardening suite's log search reads what this run's programs write
# below test-logs, so each run starts with it empty.
rm -rf build-test/test-logs build-test/meson-logs/testlog.json
meson test -C build-test --print-errorlogs --num-processes 2 "$@" || status=$?
test_logs+=(build-test/meson-logs/testlog.json)

if ((sanitizers)); then
  [ -f build-test-asan/build.ninja ] ||
    meson setup build-test-asan -Db_sanitize=address,undefined
  ninja -C build-test-asan
  rm -rf build-test-asan/test-logs build-test-asan/meson-logs/testlog-asan.json
  meson test -C build-test-asan --setup asan --print-errorlogs --num-processes 2 "$@" || status=$?
  test_logs+=(build-test-asan/meson-logs/testlog-asan.json)
fi

# One line per run, then the closing line that CI reads, over all runs:
# "N passed, N failed, N skipped".
python3 - "${test_logs[@]}" <<'PY'
import json, os, sys
total = {"OK": 0, "FAIL": 0, "SKIP": 0}
for path in sys.argv[1:]:
    counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
    if not os.path.exists(path):
        print(f"{path}: missing, so that run is counted as one failure")
        counts["FAIL"] = 1
    else:
        with open(path) as log:
            for line in log:
                result = json.loads(line)["result"]
                key = "OK" if result in ("OK", "EXPECTEDFAIL") else "SKIP" if result == "SKIP" else "FAIL"
                counts[key] += 1
    if len(sys.argv) > 2:
        run = path.split("/")[0]
        print(f"{run}: {counts['OK']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    for key in total:
        total[key] += counts[key]
print(f"{total['OK']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
PY
exit "$status"
