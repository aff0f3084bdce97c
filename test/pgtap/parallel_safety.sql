-- parallel_safety.sql — pgTAP: every read-only function of schema tmac is PARALLEL SAFE where
-- that is true, and the safe ones do run inside a parallel worker.
--
-- A STABLE or IMMUTABLE function that is not PARALLEL SAFE keeps every query that calls it out
-- of a parallel plan.  The first test lists those of schema tmac and compares them with an
-- allowlist, each with the reason it cannot be safe (a callee that is not, a subtransaction, a
-- backend's own state); a new read-only function fails here until it is marked or listed.
-- Then the read-only helpers, the access-profile functions and every zero-argument check run
-- with force_parallel_mode = on, which puts them in a worker (SECURITY DEFINER and
-- SET search_path included).
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
SET LOCAL search_path = pg_catalog, public;

CREATE TEMP TABLE not_parallel_safe (fn text PRIMARY KEY, reason text NOT NULL);
INSERT INTO not_parallel_safe VALUES
  ('tmac.invoker()', 'C, restricted: the role of the outermost act is this backend''s own state'),
  ('tmac.hr_feed_applying()', 'C, restricted: the HR feed''s applying flag is this backend''s own state'),
  ('tmac.label_hash_dependents()', 'sql, restricted: pg_my_temp_schema() (a worker has no temporary schema of the leader)'),
  ('tmac.deny_reason_as(name,tmac.label)', 'C, restricted: decides for another role with a profile fetch of the leader'),
  ('tmac.explain_access(text,tmac.label)', 'C: fetches the named person''s access profile with a new query, which a worker cannot'),
  ('tmac.restore_closing_command(pg_ddl_command)', 'C: reads an event trigger''s pg_ddl_command, valid in its own backend only'),
  ('tmac.verify_audit_log()', 'calls txid_current_if_assigned(), parallel unsafe'),
  ('tmac.check_audit_log_broken()', 'calls tmac.verify_audit_log()'),
  ('tmac.acting_person(text)', 'calls tmac.acting_role(), which inspects the backend''s call and security context'),
  ('tmac.reviewer(text)', 'calls tmac.acting_person()'),
  ('tmac.hr_validate_login_role(tmac.hr_event)', 'calls tmac.hr_error() (VOLATILE, parallel unsafe)'),
  ('tmac.hidden_rows_for(regclass,name)', 'C, restricted: reads a protected table''s heap itself, and decides for another role with a profile fetch of the leader'),
  ('tmac.hidden_rows(regclass)', 'calls tmac.hidden_rows_for()'),
  ('tmac.asset_is_theirs(tmac.asset,text)', 'calls tmac.deny_reason_as() (restricted)'),
  ('tmac.may_confirm_return(tmac.handling_entry,text)', 'calls tmac.asset_is_theirs() (restricted)'),
  ('tmac.compliance_check_results()', 'runs each check through tmac.run_check_as_owner() in a subtransaction (EXCEPTION block)'),
  ('tmac.compliance_report_html(integer)', 'calls tmac.compliance_check_results()'),
  ('tmac.compliance_run()', 'calls tmac.compliance_check_results()'),
  ('tmac.ledger_csv(regclass)', 'plpgsql: runs a query over the ledger view its caller names (dynamic SQL, with the caller''s rights)'),
  ('tmac.compliance_status_of(tmac.check_result[])', 'calls tmac.population_counts()'),
  ('tmac.population_counts()', 'counts each population in a subtransaction (EXCEPTION block)'),
  ('tmac.check_object_labels()', 'an EXCEPTION block: a subtransaction, refused in parallel mode'),
  ('tmac.check_terminated_session_open()', 'reads pg_stat_activity (pg_stat_get_activity is parallel restricted)'),
  ('tmac.access_failures_at(text,tmac.label,timestamp with time zone,boolean)', 'C: fetches the named person''s access profile at an instant with a new query, which a worker cannot (as explain_access)'),
  ('tmac.access_refused(text,text[],tmac.label[],timestamp with time zone,boolean)', 'calls tmac.access_failures_at()'),
  ('tmac.key_access_refused(tmac.physical_key,text,timestamp with time zone)', 'calls tmac.access_refused()'),
  ('tmac.entry_refused(bigint,text,text,timestamp with time zone)', 'calls tmac.access_refused()'),
  ('tmac.access_profiles_at(text[],timestamp with time zone[])', 'sets work_mem and planner switches for its query (SET clauses), which a worker cannot'),
  ('tmac.cross_register_findings()', 'calls tmac.access_refused() and tmac.access_profiles_at()'),
  ('tmac.rows_above_label(regclass,tmac.label)', 'C: reads a protected table''s heap itself (as hidden_rows_for)'),
  ('tmac.bound_rows_above()', 'calls tmac.rows_above_label() in an EXCEPTION block (a subtransaction)'),
  ('tmac.check_cross_registers()', 'calls tmac.cross_register_findings() and tmac.bound_rows_above()'),
  -- the kept verdicts (86_verdicts.sql)
  ('tmac.decide_reads_set(text[],bigint[],text[],timestamp with time zone[],tmac.label[])', 'calls tmac.access_profiles_at(), and sets planner switches for its query (SET clauses)'),
  ('tmac.decide_reads(text[],bigint[],text[],timestamp with time zone[],tmac.label[])', 'calls tmac.access_failures_at() and tmac.decide_reads_set()'),
  ('tmac.decide_acts(text[],bigint[],text[],timestamp with time zone[],bigint[])', 'calls tmac.decide_reads()'),
  ('tmac.act_verdicts_of(text[],boolean)', 'calls tmac.decide_reads() and tmac.decide_reads_set()'),
  ('tmac.act_failures(boolean)', 'calls tmac.act_verdicts_of()');

SELECT is((SELECT string_agg(x, '; ' ORDER BY x) FROM (
             SELECT p.oid::regprocedure::text || ' is ' || CASE p.proparallel WHEN 'r' THEN 'PARALLEL RESTRICTED'
                                                                          ELSE 'PARALLEL UNSAFE' END AS x
               FROM pg_proc p
              WHERE p.pronamespace = 'tmac'::regnamespace AND p.provolatile IN ('s', 'i') AND p.proparallel <> 's'
                AND p.oid::regprocedure::text NOT IN (SELECT fn FROM not_parallel_safe)
             UNION ALL
             SELECT n.fn || ' is listed but PARALLEL SAFE, VOLATILE or gone' FROM not_parallel_safe n
              WHERE NOT EXISTS (SELECT FROM pg_proc p WHERE p.pronamespace = 'tmac'::regnamespace
                                  AND p.oid::regprocedure::text = n.fn AND p.provolatile IN ('s', 'i')
                                  AND p.proparallel <> 's')) d),
          NULL::text, 'every STABLE or IMMUTABLE function of schema tmac is PARALLEL SAFE or listed with its reason');

-- In a worker.  Gather on top shows the plan ran there.
SET LOCAL force_parallel_mode = on;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
CREATE FUNCTION pg_temp.in_worker(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  plan text;
BEGIN
  EXECUTE 'EXPLAIN (COSTS OFF) ' || q INTO plan;   -- the first line: Gather when it may run in a worker
  EXECUTE q;
  RETURN plan LIKE 'Gather%';
END
$$;
SELECT is((SELECT string_agg(q, '; ') FROM unnest(ARRAY[
             $$SELECT count(*) FROM tmac.person_state_at('A1', now())$$,
             $$SELECT count(*) FROM tmac.pledge_window('A1', now(), NULL)$$,
             $$SELECT count(*) FROM tmac.training_window('A1', now())$$,
             $$SELECT count(*) FROM tmac.access_profile_of('A1', now())$$,
             $$SELECT count(*) FROM tmac.access_profile('t_alice', now())$$,
             $$SELECT count(*) FROM tmac.access_prerequisites('A1', now())$$,
             $$SELECT count(*) FROM tmac.access_as_of('A1', now())$$,
             $$SELECT count(*) FROM tmac.access_rights_ledger_as_of(now())$$,
             $$SELECT count(*) FROM tmac.prerequisite_status(now())$$,
             $$SELECT count(*) FROM tmac.access_grant g WHERE tmac.grant_in_force(g, now(), 'active', NULL, NULL)$$,
             $$SELECT tmac.setting_value('review_period')$$,
             $$SELECT tmac.vocabulary_id('group', 'dev')$$,
             $$SELECT tmac.decision_reason('pledge', false)$$,
             $$SELECT tmac.sod_person_of('t_alice')$$]) q
            WHERE NOT pg_temp.in_worker(q)),
          NULL::text, 'the person, grant and access-profile helpers run in a parallel worker');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, '; ') FROM pg_proc p
            WHERE p.pronamespace = 'tmac'::regnamespace AND p.proparallel = 's' AND p.pronargs = 0 AND p.proretset
              AND NOT pg_temp.in_worker(format('SELECT count(*) FROM %s', p.oid::regprocedure))),
          NULL::text, 'every parallel-safe check and report function runs in a parallel worker');
SELECT ok(NOT pg_temp.in_worker($$SELECT count(*) FROM tmac.compliance_check_results()$$),
          'a function that is not parallel safe keeps its query out of a worker');

SELECT * FROM finish();
ROLLBACK;
