-- statcount_check.sql — pgTAP: the check activity_counters_public.  In a database with a
-- protected table, each of PostgreSQL's per-table and per-index tuple and block counters PUBLIC
-- may execute is a finding (they count the rows the policy hid: attack24_stat_counters.sql);
-- tmac.restrict_activity_counters() clears them; granting one back brings its finding back.
BEGIN;
SELECT plan(7);
CREATE TABLE sc_doc (id int, label tmac.label NOT NULL);

-- No protected table: no finding.
SELECT is((SELECT count(*)::int FROM tmac.check_activity_counters_public()), 0,
          'without protected tables the public counters are not a finding');
SELECT tmac.protect('sc_doc');
SELECT results_eq($$SELECT DISTINCT criterion, severity FROM tmac.findings WHERE check_code = 'activity_counters_public'$$,
                  $$VALUES ('V'::text, 'high'::text)$$, 'with one, they are findings of criterion V, severity high');
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'activity_counters_public'), 27,
          'one per counter PUBLIC may execute (27)');
SELECT ok(EXISTS (SELECT FROM tmac.findings WHERE check_code = 'activity_counters_public'
                     AND subject = 'function:pg_stat_get_xact_tuples_returned(oid)'
                     AND detail LIKE '%SELECT tmac.restrict_activity_counters()%'),
          'the finding names the function and the remedy');
SELECT is((SELECT count(*)::int FROM tmac.restrict_activity_counters()), 27, 'the remedy revokes them');
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'activity_counters_public'), 0, 'fixed: no finding left');
GRANT EXECUTE ON FUNCTION pg_stat_get_tuples_fetched(oid) TO PUBLIC;
SELECT results_eq($$SELECT subject FROM tmac.findings WHERE check_code = 'activity_counters_public'$$,
                  $$VALUES ('function:pg_stat_get_tuples_fetched(oid)'::text)$$, 'granted back to PUBLIC: a finding again');

SELECT * FROM finish();
ROLLBACK;
