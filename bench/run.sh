#!/usr/bin/env bash
# Builds the release benchmarks and runs one: bench/run.sh datastore [--seconds S] [--quick] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-datastore}
shift || true
if [ ! -f build/bench/build.ninja ]; then
  meson setup build/bench -Dbuildtype=release -Dtests=disabled >/dev/null
fi
ninja -C build/bench "bench/$which/${which}_bench" >/dev/null
exec "build/bench/bench/$which/${which}_bench" "$@"
