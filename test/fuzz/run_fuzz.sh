#!/usr/bin/env bash
# run_fuzz.sh — `make fuzz`: build and run the libFuzzer harness for the label parser.
#
# Usage: bash test/fuzz/run_fuzz.sh [SECONDS]   (default 60)
# Installs clang if missing, builds test/fuzz/label_fuzzer with ASan, UBSan and
# libFuzzer from src/label_parse.c, copies the seed corpus (test/fuzz/corpus)
# into a scratch directory so the committed corpus stays as it is, and fuzzes
# for SECONDS with inputs up to 8192 bytes (twice the parser's input limit).
# Reproducers land in test/fuzz/crash-* (or timeout-*, oom-*, leak-*); re-run
# one with test/fuzz/label_fuzzer FILE.  The log is test/fuzz/fuzz.log.
# Exits non-zero when the fuzzer finds a crash or an invariant violation.
set -uo pipefail
cd "$(dirname "$0")"
here=$(pwd)
seconds=${1:-60}

CLANG=$(command -v clang || command -v clang-14 || true)
if [ -z "$CLANG" ] || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "== installing clang and its fuzzer runtime"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq clang libclang-rt-14-dev >/dev/null; } || { echo "cannot install clang" >&2; exit 1; }
  CLANG=$(command -v clang || command -v clang-14)
fi

echo "== building label_fuzzer"
"$CLANG" -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -I../../src \
  -o label_fuzzer label_fuzzer.c ../../src/label_parse.c || { echo "build failed" >&2; exit 1; }

run=$here/corpus-run
rm -rf "$run"; mkdir -p "$run"
cp corpus/* "$run/"

echo "== fuzzing for ${seconds}s (log: test/fuzz/fuzz.log)"
./label_fuzzer -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
  -artifact_prefix="$here/" "$run" >"$here/fuzz.log" 2>&1
rc=$?
grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::average_exec_per_sec|cov:' "$here/fuzz.log" | tail -3
if [ $rc -ne 0 ]; then
  echo "FUZZER FOUND A PROBLEM (exit $rc):" >&2
  grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$here/fuzz.log" >&2
  exit $rc
fi
echo "fuzz: no crash in ${seconds}s"
