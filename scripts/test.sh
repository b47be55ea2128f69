#!/usr/bin/env bash
# Builds cucm-emu and runs every test with CTest. Installs what is missing first.
#   scripts/test.sh              release build in build/, warnings as errors
#   scripts/test.sh --sanitize   ASan+UBSan build (clang) in build-asan/, the libFuzzer targets too
set -euo pipefail
cd "$(dirname "$0")/.."

# -O2 without -g: CMake's RelWithDebInfo default less its debug info, a third less compile time
# (the tests need no debug info; the sanitizer build has it). Not Release's -O3: GCC 12 then
# reports maybe-uninitialized false positives in std::optional, errors under -Werror. run.sh
# configures build/ the same way.
build=build
extra=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG")
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  # Clang: with ASan and UBSan at -O0 it compiles an Asio translation unit in 14 s where GCC 12
  # takes 25-28 s (capf/server.cpp), and the sanitizer build is CI's longest step. The release
  # build stays on GCC, so both compilers' warnings gate a change.
  # The fuzzers are built here as well, over the same instrumented libraries (CI runs them from
  # build-asan/ instead of compiling every library a third time).
  # Line tables, not full debug info: the sanitizers' reports still name file and line, and
  # the objects shrink by a quarter. Linked by lld: an instrumented test program links in 1.9 s
  # where GNU ld takes 8.8 s, and the build links about 130 of them (CI's longest steps).
  extra=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only
         -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld
         -DCUCM_SANITIZE=address,undefined -DCUCM_FUZZ=ON -DCUCM_BENCH=OFF)
  # Leaks fail a test; UBSan's reports carry a stack. Options already set are kept.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
fi

scripts/bootstrap.sh
cmake -S . -B "$build" -G Ninja -DCUCM_WERROR=ON "${extra[@]}" >/dev/null
cmake --build "$build"
# One more test than cores: the server tests wait on sockets and child processes part of the time
# (measured under ASan: 249 s at -j2, 225 s at -j3).
ctest --test-dir "$build" --output-on-failure -j "$(( $(nproc) + 1 ))"
