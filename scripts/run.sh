#!/usr/bin/env bash
# Builds cucm-emu (installing what is missing first) and runs it. With no arguments it runs
# the demo: cluster keys are generated on first run in the data directory, then the seed-004
# encrypted-config files are built for a demo phone and checked as a phone checks them.
#   scripts/run.sh                 -> cucm-emu demo
#   scripts/run.sh pki show        -> any other cucm-emu command
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >&2
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" >/dev/null  # as test.sh
cmake --build build --target cucm-emu >&2
if [ $# -eq 0 ]; then set -- demo; fi
exec build/app/cucm-emu "$@"
