#!/usr/bin/env bash
# The test command: installs what the tests need, builds k1s with AddressSanitizer and UBSan, runs
# every test (unit and integration; pass meson test flags through, e.g. --suite unit), and ends with
# one line "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. tests/packages.sh

echo "[1/3] checking packages"
if ! k1s_install_packages "${k1s_build_packages[@]}" "${k1s_test_packages[@]}"; then
  echo "could not install the packages k1s needs"
  echo "0 passed, 1 failed"
  exit 1
fi

# ccache (meson uses it when installed): let clones in other folders share the cache, so a fresh
# clone of a tree already built here recompiles nothing that did not change.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

build=${K1S_TEST_BUILD_DIR:-build/test}
echo "[2/3] building $build (-O1 with line tables, address+undefined sanitizers)"
if [ ! -f "$build/build.ninja" ]; then
  mkdir -p "$(dirname "$build")"
  # -O1 -g1 rather than -O2 -g: about half the compile time on 2 cores, and sanitizer reports still
  # name files and lines.
  if ! meson setup "$build" -Doptimization=1 -Ddebug=false -Dcpp_args=-g1 -Db_sanitize=address,undefined -Db_lundef=false \
      >"$root/$build.setup.log" 2>&1; then
    cat "$root/$build.setup.log"
    echo "0 passed, 1 failed"
    exit 1
  fi
fi
if ! ninja -C "$build" -j"$(nproc)"; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "[3/3] running tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
status=$?

log="$build/meson-logs/testlog.json"
python3 - "$log" "$status" <<'PY'
import json, sys
path, status = sys.argv[1], int(sys.argv[2])
counts = {}
try:
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                r = json.loads(line)
                counts[r["result"]] = counts.get(r["result"], 0) + 1
except OSError:
    pass
passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
failed = counts.get("FAIL", 0) + counts.get("UNEXPECTEDPASS", 0) + counts.get("TIMEOUT", 0) + counts.get("ERROR", 0)
skipped = counts.get("SKIP", 0)
if status != 0 and failed == 0:
    failed = 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
PY
exit $status
