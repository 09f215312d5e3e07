#!/usr/bin/env bash
# Builds the release benchmarks and runs one: bench/run.sh datastore|apiserver [--seconds S] [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-datastore}
shift || true
if [ ! -f build/bench/build.ninja ]; then
  meson setup build/bench -Dbuildtype=release -Dtests=disabled >/dev/null
fi
targets="bench/$which/${which}_bench"
if [ "$which" = apiserver ]; then targets="$targets cmd/k1s"; fi
ninja -C build/bench $targets >/dev/null
exec "build/bench/bench/$which/${which}_bench" "$@"
