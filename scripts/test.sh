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

# Runs `meson test` in build dir $1 (further arguments: meson test options),
# then runs each failed test once more. Media tests on a shared 2-core
# machine can miss a timing bound once; a test that fails twice fails the
# run, and every retried test is named in the output. Appends the logs that
# count to test_logs.
run_tests() {
  local dir=$1 setup=$2
  shift 2
  # meson names its logs testlog-SETUP.json when a setup is given.
  local suffix="" setup_args=()
  if [[ -n $setup ]]; then
    suffix="-$setup"
    setup_args=(--setup "$setup")
  fi
  local log="$dir/meson-logs/testlog$suffix.json"
  local retry_log="$dir/meson-logs/testlog-retry$suffix.json"
  rm -rf "$dir/test-logs" "$log" "$retry_log"

  if meson test -C "$dir" "${setup_args[@]}" --print-errorlogs --num-processes 2 "$@"; then
    test_logs+=("$log")
    return
  fi
  test_logs+=("$log")
  local failed
  mapfile -t failed < <(python3 - "$log" <<'PY'
import json, os, sys
if os.path.exists(sys.argv[1]):
    with open(sys.argv[1]) as log:
        for line in log:
            entry = json.loads(line)
            if entry["result"] not in ("OK", "EXPECTEDFAIL", "SKIP"):
                # "huizhen:integration / NAME" in the log; meson test takes NAME.
                print(entry["name"].split(" / ")[-1])
PY
  )
  if ((${#failed[@]} == 0)); then
    status=1
    return
  fi
  echo "Retrying once: ${failed[*]}"
  meson test -C "$dir" --no-rebuild "${setup_args[@]}" --logbase testlog-retry \
    --print-errorlogs --num-processes 1 "${failed[@]}" || status=1
  test_logs+=("$retry_log")
}

# The composer's two longest tests run in the plain build only: they hold
# lip sync to 80 ms, which ASan's slowdown of the peers skews.
composer_tests=(-e 'compose-three-party' -e 'compose-scheduler-restart')
mapfile -t plain_tests < <(meson test -C build-test --no-rebuild --list "$@" |
  sed -n 's|^[^ ]* / ||p')
run_tests build-test "" "${plain_tests[@]}"

if ((sanitizers)); then
  [ -f build-test-asan/build.ninja ] ||
    meson setup build-test-asan -Db_sanitize=address,undefined
  ninja -C build-test-asan
  # These run in the plain build only (the two composer tests too, see
  # above). The 200-cycle join/leave soak takes
  # longer under ASan than CI's 90 minutes allow. The other three measure
  # decoded frame rate and time to first frame, which ASan's slowdown
  # skews. Under ASan, relay-late-joiner's first frame took 2.0 to 4.2 s on
  # the shared machine (bound 2 s). relay-hostile-churn bounds the relay's
  # RSS after 100 connections, which ASan's quarantine of freed memory
  # raises from about 100 to 265 MB; its descriptors and threads still
  # come back there.
  mapfile -t asan_tests < <(meson test -C build-test-asan --setup asan --no-rebuild --list "$@" |
    sed -n 's|^[^ ]* / ||p' |
    grep -vx -e 'relay-join-leave-churn' -e 'relay-loss-repaired' -e 'relay-late-viewer' \
      -e 'relay-late-joiner' -e 'relay-hostile-churn' "${composer_tests[@]}")
  run_tests build-test-asan asan "${asan_tests[@]}"
fi

# The error lines of each test that failed for good, then one line per run,
# then the closing line that CI reads, over all runs: "N passed, N failed,
# N skipped".
python3 - "${test_logs[@]}" <<'PY'
import json, os, re, sys
# A retry log follows the log it retries; its result replaces the first one.
runs = {}
outputs = {}
ERROR_LINE = re.compile(r"not ok|error:|Error|ERROR|Bail out|assert", re.IGNORECASE)
for path in sys.argv[1:]:
    run = path.split("/")[0]
    results = runs.setdefault(run, {})
    if not os.path.exists(path):
        print(f"{path}: missing, so that run is counted as one failure")
        results[path] = "FAIL"
        continue
    with open(path) as log:
        for line in log:
            entry = json.loads(line)
            if "/testlog-retry" in path and entry["name"] in results:
                print(f"{run}: {entry['name']} failed once, then {entry['result']} on retry")
            results[entry["name"]] = entry["result"]
            outputs[(run, entry["name"])] = entry.get("stdout") or ""
for run, results in runs.items():
    for name, result in results.items():
        if result in ("OK", "EXPECTEDFAIL", "SKIP"):
            continue
        lines = [line for line in outputs.get((run, name), "").splitlines() if ERROR_LINE.search(line)]
        print(f"{run}: {name}: {result}; its first error lines:")
        for line in lines[:30]:
            print(f"    {line[:300]}")
total = {"OK": 0, "FAIL": 0, "SKIP": 0}
for run, results in runs.items():
    counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
    for result in results.values():
        key = "OK" if result in ("OK", "EXPECTEDFAIL") else "SKIP" if result == "SKIP" else "FAIL"
        counts[key] += 1
    if len(runs) > 1:
        print(f"{run}: {counts['OK']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    for key in total:
        total[key] += counts[key]
print(f"{total['OK']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
PY
exit "$status"
