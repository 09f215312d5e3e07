#!/usr/bin/env bash
# Builds the release benchmarks and runs one: bench/run.sh datastore|apiserver [--seconds S] [--quick]
#   bench/run.sh scheduler [--pods 1000,10000] [--nodes 100,1000] [--replicas 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-datastore}
shift || true
if [ ! -f build/bench/build.ninja ]; then
  meson setup build/bench -Dbuildtype=release -Dtests=disabled >/dev/null
fi
if [ "$which" = scheduler ]; then
  ninja -C build/bench cmd/k1s >/dev/null
  K1S_BIN=build/bench/cmd/k1s exec python3 bench/scheduler/scheduler_bench.py "$@"
fi
targets="bench/$which/${which}_bench"
if [ "$which" = apiserver ]; then targets="$targets cmd/k1s"; fi
ninja -C build/bench $targets >/dev/null
exec "build/bench/bench/$which/${which}_bench" "$@"
