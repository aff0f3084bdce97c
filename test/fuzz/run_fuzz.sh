#!/usr/bin/env bash
# run_fuzz.sh — `make fuzz`: build and run the libFuzzer harnesses of tmac's parsers.
#
# Usage: bash test/fuzz/run_fuzz.sh [SECONDS]   (default 60, per harness)
# Installs clang if missing and builds, with ASan, UBSan and libFuzzer:
#  - label_fuzzer from src/label_parse.c (the label's text form; seed corpus
#    test/fuzz/corpus, inputs up to 8192 bytes, twice the parser's limit);
#  - vocabulary_fuzzer from src/vocabulary_text.c (the vocabulary copy and the
#    needed codes; seed corpus test/fuzz/corpus_vocabulary, inputs up to
#    65536 bytes).
# Each seed corpus is copied into a scratch directory so the committed one
# stays as it is, then each harness fuzzes for SECONDS.  Reproducers land in
# test/fuzz/crash-* (or timeout-*, oom-*, leak-*); re-run one with
# test/fuzz/<harness> FILE.  The logs are test/fuzz/<harness>.log.
# Exits non-zero when a fuzzer finds a crash or an invariant violation.
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

build() {
  echo "== building $1"
  "$CLANG" -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Werror -I../../src \
    -o "$1" "$1.c" "../../src/$2" || { echo "build failed: $1" >&2; exit 1; }
}

fuzz() {
  local harness=$1 corpus=$2 max_len=$3 run=$here/$4 rc
  rm -rf "$run"; mkdir -p "$run"
  cp "$corpus"/* "$run/"
  echo "== fuzzing $harness for ${seconds}s (log: test/fuzz/$harness.log)"
  "./$harness" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$here/" "$run" >"$here/$harness.log" 2>&1
  rc=$?
  grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::average_exec_per_sec|cov:' "$here/$harness.log" | tail -3
  if [ $rc -ne 0 ]; then
    echo "FUZZER FOUND A PROBLEM in $harness (exit $rc):" >&2
    grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$here/$harness.log" >&2
    exit $rc
  fi
}

build label_fuzzer label_parse.c
build vocabulary_fuzzer vocabulary_text.c
fuzz label_fuzzer corpus 8192 corpus-run
fuzz vocabulary_fuzzer corpus_vocabulary 65536 corpus-run-vocabulary
echo "fuzz: no crash in ${seconds}s per harness"
