#!/usr/bin/env bash
# Installs, builds and runs Huizhen's whole test suite (unit, integration,
# browser). Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
[ -f build-test/build.ninja ] || meson setup build-test
ninja -C build-test
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

status=0
meson test -C build-test --print-errorlogs --num-processes 2 "$@" || status=$?

# One closing line that CI reads: "N passed, N failed, N skipped".
python3 - build-test/meson-logs/testlog.json <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line)["result"]
        key = "OK" if result in ("OK", "EXPECTEDFAIL") else "SKIP" if result == "SKIP" else "FAIL"
        counts[key] += 1
print(f"{counts['OK']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
PY
exit "$status"
