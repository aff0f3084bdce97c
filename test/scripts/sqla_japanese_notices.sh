#!/usr/bin/env bash
# sqla_japanese_notices.sh — the core SQL's NOTICEs and WARNINGs speak the session's language.
#
# pgTAP cannot see a NOTICE or a WARNING, so this reads what psql prints: tmac.schedule_jobs()'s
# NOTICE (the job it scheduled, 57_maintenance.sql) and tmac.rename_level()'s WARNING about
# another session's temporary table that hashes labels (30_vocabulary_api.sql), with its DETAIL
# and HINT — in Japanese under lc_messages = 'ja_JP.UTF-8', in English (word for word as before
# the catalog) under 'C'.  Every change is rolled back.  Runs on the test server's tmac_test
# (pg_cron there: test/test.conf), like the other scripts.
set -euo pipefail
db=tmac_test
fail=0
check() {   # check NAME PATTERN TEXT: TEXT holds PATTERN (a fixed string)
  if grep -qF -- "$2" <<<"$3"; then echo "ok - $1"; else echo "not ok - $1"; echo "  expected: $2"; fail=1; fi
}

# another session holds a temporary table with a hash index on a label, until we end it
PGAPPNAME=sqla_notices_holder psql -X -q -d $db \
  -c "CREATE TEMP TABLE sqla_hashed (l tmac.label)" \
  -c "CREATE INDEX ON sqla_hashed USING hash (l)" \
  -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
holder=$!
trap 'psql -X -q -d $db -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"'"'sqla_notices_holder'"'"'" >/dev/null 2>&1 || true; wait $holder 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ "$(psql -X -At -d $db -c "SELECT count(*) FROM tmac.label_hash_dependents() WHERE other_session")" -gt 0 ] && break
  sleep 0.1
done

run() {   # run LC_MESSAGES: the messages psql prints for the two acts
  psql -X -q -d $db -v ON_ERROR_STOP=1 2>&1 <<EOF
BEGIN;
SET LOCAL lc_messages = '$1';
SELECT tmac.schedule_jobs('*/7 * * * *') AS job \gset
SELECT tmac.define_level('SQLA_L', 7, 'エスキューエル');
SELECT tmac.rename_level('SQLA_L', 'SQLA_M');
ROLLBACK;
EOF
}

ja=$(run 'ja_JP.UTF-8')
check "ja: schedule_jobs' NOTICE" "NOTICE:  tmac.run_maintenance() を pg_cron のジョブ " "$ja"
check "ja: the NOTICE names the schedule" "（*/7 * * * *）として登録しました" "$ja"
check "ja: rename_level's WARNING" "WARNING:  ラベルをハッシュする他のセッションの一時リレーションはそのまま残ります: " "$ja"
check "ja: its DETAIL" "DETAIL:  このセッションからは再構築できません。" "$ja"
check "ja: its HINT" "HINT:  該当するセッションでそれらを削除して作り直すか、セッションを終了してください。" "$ja"

c=$(run C)
check "C: schedule_jobs' NOTICE" "NOTICE:  tmac.run_maintenance() is scheduled as pg_cron job " "$c"
check "C: the NOTICE names the schedule" " (*/7 * * * *)" "$c"
check "C: rename_level's WARNING" "WARNING:  the temporary relations of other sessions that hash labels are left as they are: " "$c"
check "C: its DETAIL" "DETAIL:  They cannot be rebuilt from this session; until their session ends, their hash indexes miss rows under the new code and their hash partitions hold rows in the wrong partitions." "$c"
check "C: its HINT" "HINT:  Those sessions drop and create them again, or end." "$c"

if [ $fail != 0 ]; then
  echo "---- ja:"; echo "$ja"; echo "---- C:"; echo "$c"
fi
exit $fail
