#!/usr/bin/env bash
# vocab_fuzz_corpus.sh — the fuzz harnesses, replayed on their seed corpora.
#
# `make fuzz` (test/fuzz/run_fuzz.sh) fuzzes for minutes with clang and
# libFuzzer; `make test` runs this instead: each harness (label_fuzzer.c over
# src/label_parse.c, vocabulary_fuzzer.c over src/vocabulary_text.c) is built
# with the system compiler, ASan and UBSan and test/fuzz/corpus_driver.c, and
# run over its committed corpus (test/fuzz/corpus, test/fuzz/corpus_vocabulary),
# so the harnesses keep compiling and the parsers keep their promises on
# every seed.  A crash or a broken invariant fails the test.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CC=${CC:-cc}
flags=(-g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror -I../../src)
if echo 'int main(void){return 0;}' | "$CC" -x c -fsanitize=address,undefined -o "$out/probe" - 2>/dev/null; then
  flags+=(-fsanitize=address,undefined -fno-sanitize-recover=all)
fi
rc=0
run() {
  local harness=$1 parser=$2 corpus=$3
  if ! "$CC" "${flags[@]}" -o "$out/$harness" corpus_driver.c "$harness.c" "../../src/$parser"; then
    echo "not ok - $harness does not build"; rc=1; return
  fi
  if "$out/$harness" "$corpus"/* >"$out/$harness.log" 2>&1; then
    echo "ok - $harness: $(tail -1 "$out/$harness.log")"
  else
    echo "not ok - $harness on $corpus:"; cat "$out/$harness.log"; rc=1
  fi
}
run label_fuzzer label_parse.c corpus
run vocabulary_fuzzer vocabulary_text.c corpus_vocabulary
exit $rc
