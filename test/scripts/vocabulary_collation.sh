#!/usr/bin/env bash
# vocabulary_collation.sh — the vocabulary's one case-folding rule (ASCII letters only, see
# tmac_vocab_fold in src/vocabulary.c) holds in a database whose collation folds otherwise.
# In a Turkish ICU database upper('i') is 'İ', so SQL that compared upper() spellings took
# "teami" and "TEAMI" for two codes while label input (C, ASCII folding) took them for one.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).
set -uo pipefail

db=tmac_vocab_tr
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; }
fail() { echo "FAIL: $*"; cleanup; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

cleanup
psql -X -q -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'tr-TR'" \
  || fail "create a Turkish ICU database"
q -c "CREATE EXTENSION tmac" || fail "CREATE EXTENSION tmac"
[ "$(q -c "SELECT upper('i')")" = "İ" ] || fail "the database does not upper-case the Turkish way"
echo "ok 1 - a database whose collation upper-cases i to İ"

q -c "SELECT tmac.define_group('TEAMI', 'Team I')" >/dev/null || fail "define TEAMI"
out=$(q -c "SELECT tmac.define_group('teami', 'second team')" 2>&1) && fail "teami was accepted beside TEAMI"
grep -q 'group "TEAMI" already exists' <<<"$out" || fail "teami beside TEAMI: unexpected error: $out"
echo "ok 2 - teami is refused beside TEAMI: one spelling, whatever the collation"

[ "$(q -c "SELECT tmac.vocabulary_id('group', 'teami') = g.group_id FROM tmac.org_group g WHERE g.code = 'TEAMI'")" = t ] \
  || fail "vocabulary_id('group', 'teami')"
[ "$(q -c "SELECT tmac.label_groups('SECRET::teami'::tmac.label)")" = "{TEAMI}" ] || fail "label input of teami"
echo "ok 3 - the SQL lookup and label input both read teami as TEAMI"

q -c "SELECT tmac.define_group('IST', 'İstanbul')" >/dev/null || fail "define İstanbul"
[ "$(q -c "SELECT tmac.vocabulary_id('group', 'İSTANBUL') = g.group_id FROM tmac.org_group g WHERE g.code = 'IST'")" = t ] \
  || fail "İSTANBUL does not name İstanbul"
[ "$(q -c "SELECT tmac.vocabulary_id('group', 'istanbul', true) IS NULL")" = t ] || fail "istanbul names İstanbul"
echo "ok 4 - İ is matched exactly: İSTANBUL names İstanbul, istanbul does not"

cleanup
