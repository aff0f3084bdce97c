-- indexscan_policy.sql — pgTAP: a protected scan reads through an index on the label column only
-- the levels its reader is cleared for (src/policy_index_support.c), and answers exactly as the
-- full scan does: for several persons, bitmap/index/index-only plans against forced sequential
-- scans; a prepared statement's generic plan across two roles and across a grant and a
-- revocation (the bound is computed when the plan runs, not when it is made); a view without
-- security_invoker (the owner's bound); parallel index-only and bitmap scans (the workers get the
-- leader's profile); a person on leave (the least bound); no label value in any plan, and no way
-- to ask for another role's bound.
BEGIN;
SELECT plan(31);
\i test/pgtap/people_fixture.psql
\i test/pgtap/parallel_count.psql

-- 30,000 rows, 91 % TOP_SECRET; the other nine kinds 300 rows each.
CREATE TABLE ix_doc (id integer, label tmac.label NOT NULL, body text);
INSERT INTO ix_doc
  SELECT i, (CASE i % 100 WHEN 0 THEN 'PUBLIC' WHEN 1 THEN 'INTERNAL' WHEN 2 THEN 'CONFIDENTIAL'
                          WHEN 3 THEN 'CONFIDENTIAL:PRJ-A' WHEN 4 THEN 'CONFIDENTIAL:PRJ-B'
                          WHEN 5 THEN 'SECRET::SALES' WHEN 6 THEN 'SECRET::DEV' WHEN 7 THEN 'PUBLIC::SALES'
                          WHEN 8 THEN 'INTERNAL::DEV-QA' ELSE 'TOP_SECRET' END)::tmac.label, repeat('x', 40)
    FROM generate_series(1, 30000) i;
CREATE INDEX ix_doc_label ON ix_doc (label);
SELECT tmac.protect('ix_doc');
CREATE ROLE t_nobody;                      -- maps to no person: reads nothing
GRANT SELECT, UPDATE ON ix_doc TO t_alice, t_dave, t_nobody;
ANALYZE ix_doc;
CREATE VIEW ix_owner_view AS SELECT id, label FROM ix_doc;   -- no security_invoker: decides as its owner
ALTER VIEW ix_owner_view OWNER TO t_dave;
GRANT SELECT ON ix_owner_view TO t_alice;
-- Dave (SALES): SECRET, no compartment.  Alice (DEV): no clearance yet.
SELECT pg_temp.granted($$SELECT tmac.request_clearance('D1', 'SECRET', now() + interval '30 days', 'design')$$);

-- The plan of q (EXPLAIN, COSTS OFF) as one text.
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
  line text;
  plan text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    plan := plan || line || E'\n';
  END LOOP;
  RETURN plan;
END
$$;
-- q's single value, run with the planner settings `off` switched off once its plan is checked: it
-- must match `must` and must not match `must_not` (either NULL: no such check), or `refusal` is raised.
CREATE FUNCTION pg_temp.value_planned(q text, off text[], must text, must_not text, refusal text)
  RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
  plan text;
  v text;
  setting text;
BEGIN
  FOREACH setting IN ARRAY off LOOP
    PERFORM set_config(setting, 'off', true);
  END LOOP;
  plan := pg_temp.plan_of(q);
  IF (must IS NOT NULL AND plan !~ must) OR (must_not IS NOT NULL AND plan ~ must_not) THEN
    RAISE EXCEPTION '%: %', refusal, plan;
  END IF;
  EXECUTE q INTO v;
  FOREACH setting IN ARRAY off LOOP
    EXECUTE format('RESET %I', setting);
  END LOOP;
  RETURN v;
END
$$;
-- q's single value under a plan that reads the policy through the index (refused otherwise), and
-- under a plan that reads every row (no index of any kind).
CREATE FUNCTION pg_temp.by_index(q text) RETURNS text LANGUAGE sql AS
$$ SELECT pg_temp.value_planned(q, '{enable_seqscan}', 'Index Cond: \(label <= (tmac\.)?readable_upper_bound\(', NULL,
                                'the policy is not an index condition') $$;
-- Where the bound lets most rows through, the index condition is not offered at all.
CREATE FUNCTION pg_temp.without_bound(q text) RETURNS text LANGUAGE sql AS
$$ SELECT pg_temp.value_planned(q, '{enable_seqscan}', NULL, 'readable_upper_bound', 'the policy is an index condition') $$;
CREATE FUNCTION pg_temp.by_scan(q text) RETURNS text LANGUAGE sql AS
$$ SELECT pg_temp.value_planned(q, '{enable_indexscan,enable_indexonlyscan,enable_bitmapscan}', NULL, 'Index|Bitmap',
                                'not a full scan') $$;
GRANT EXECUTE ON FUNCTION pg_temp.plan_of(text), pg_temp.value_planned(text, text[], text, text, text), pg_temp.by_index(text), pg_temp.without_bound(text),
  pg_temp.by_scan(text) TO PUBLIC;

-- 1. A selective person's count is planned through the index without forcing anything.
SET ROLE t_alice;
SELECT alike(pg_temp.plan_of('SELECT count(*) FROM ix_doc'),
            '%Index Cond: (label <= readable_upper_bound())%',
            'Alice (no clearance) counts through the label index: the policy became an index condition');
SELECT alike(pg_temp.plan_of('SELECT count(*) FROM ix_doc'), '%Filter: row_readable(label)%',
            'and the policy itself still rechecks every row the index returns');
SELECT unalike(pg_temp.plan_of('SELECT * FROM ix_doc'), '%::tmac.label%',
              'the plan shows the bound as a call, never a label value');
RESET ROLE;

-- 2. The same answers through the index and by a full scan, for several persons, with
-- index-only (count), bitmap or index (sum of ids) and ordered (min by label) plans.
CREATE TEMP TABLE ix_query (q text);
INSERT INTO ix_query VALUES ('SELECT count(*) FROM ix_doc'),
  ('SELECT count(*) || '' '' || coalesce(sum(id), 0) FROM ix_doc'),
  ('SELECT coalesce(string_agg(DISTINCT label::text, '','' ORDER BY label::text), ''-'') FROM ix_doc'),
  ('SELECT count(*) FROM ix_doc WHERE id % 7 = 0');
GRANT SELECT ON ix_query TO PUBLIC;
CREATE FUNCTION pg_temp.both_ways(r name, indexed boolean DEFAULT true) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
  q text;
  a text;
  b text;
  out text := '';
BEGIN
  EXECUTE format('SET ROLE %I', r);
  FOR q IN SELECT x.q FROM ix_query x LOOP
    a := CASE WHEN indexed THEN pg_temp.by_index(q) ELSE pg_temp.without_bound(q) END;
    b := pg_temp.by_scan(q);
    out := out || CASE WHEN a IS NOT DISTINCT FROM b THEN a ELSE format('DIFFERS (%s: %s vs %s)', q, a, b) END || '; ';
  END LOOP;
  RESET ROLE;
  RETURN out;
END
$$;
SELECT is(pg_temp.both_ways('t_alice'), '300; 300 4515000; PUBLIC; 42; ',
          'Alice (no clearance): index and full scan agree (PUBLIC only)');
SELECT is(pg_temp.both_ways('t_dave'), '1500; 1500 22459500; CONFIDENTIAL,INTERNAL,PUBLIC,PUBLIC::SALES,SECRET::SALES; 213; ',
          'Dave (SECRET, SALES): index and full scan agree (his group, no compartment)');
SELECT is(pg_temp.both_ways('t_nobody'), '300; 300 4515000; PUBLIC; 42; ',
          'a role that maps to no person: index and full scan agree (the lowest level, no group)');
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'CONFIDENTIAL', now() + interval '30 days', 'design')$$);
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design')$$);
SELECT is(pg_temp.both_ways('t_alice'),
          '1500; 1500 22459200; CONFIDENTIAL,CONFIDENTIAL:PRJ-A,INTERNAL,INTERNAL::DEV-QA,PUBLIC; 213; ',
          'Alice (CONFIDENTIAL, PRJ-A, DEV): index and full scan agree');
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'TOP_SECRET', now() + interval '30 days', 'design')$$) AS ts \gset
SELECT pg_temp.as_role('t_erin', format('SELECT tmac.approve(%s)', :ts));   -- a second approval
SELECT is(pg_temp.both_ways('t_alice', false),
          '29100; 29100 436555200; CONFIDENTIAL,CONFIDENTIAL:PRJ-A,INTERNAL,INTERNAL::DEV-QA,PUBLIC,SECRET::DEV,TOP_SECRET; 4156; ',
          'Alice (TOP_SECRET, PRJ-A, DEV) reads 97 %: the bound would pass all rows, so no index condition is offered; same answers');

-- 3. A prepared statement: one generic plan, its bound computed when it runs, for whoever runs it.
SET plan_cache_mode = force_generic_plan;
SET enable_seqscan = off;
SET ROLE t_dave;
PREPARE ix_count AS SELECT count(*) || ' ' || sum(id) FROM ix_doc;
SELECT alike(pg_temp.plan_of('EXECUTE ix_count'), '%readable_upper_bound()%',
            'the prepared statement''s generic plan reads the label index');
SELECT is(pg_temp.plan_of('EXECUTE ix_count'), pg_temp.plan_of('EXECUTE ix_count'), 'and keeps one plan');
EXECUTE ix_count;
SELECT is((SELECT count(*) || ' ' || sum(id) FROM ix_doc), '1500 22459500', 'Dave executes it: his rows');
RESET ROLE;
SET ROLE t_alice;
EXECUTE ix_count;
SELECT is(pg_temp.as_role('t_alice', 'EXECUTE ix_count'), '29100 436555200',
          'Alice executes the statement Dave prepared: her rows');
SELECT is(pg_temp.as_role('t_dave', 'EXECUTE ix_count'), '1500 22459500', 'and Dave again his');
RESET ROLE;
-- Alice prepares with a low clearance; a grant and then a revocation come between executions.
SELECT tmac.revoke(grant_id, 'project left') FROM tmac.grants
 WHERE person_id = 'A1' AND kind = 'clearance' AND status = 'active';
SET ROLE t_alice;
PREPARE ix_count_alice AS SELECT count(*) FROM ix_doc;
SELECT is(pg_temp.as_role('t_alice', 'EXECUTE ix_count_alice'), '300',
          'Alice without a clearance: PUBLIC rows only');
RESET ROLE;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'CONFIDENTIAL', now() + interval '30 days', 'design')$$) AS conf \gset
SELECT is(pg_temp.as_role('t_alice', 'EXECUTE ix_count_alice'), '1500',
          'a clearance granted after the plan was made is honoured by its next execution (the bound grew)');
SELECT tmac.revoke(:conf, 'no longer needed');
SELECT is(pg_temp.as_role('t_alice', 'EXECUTE ix_count_alice'), '300',
          'a revocation between two executions of the cached plan is honoured');
SELECT alike(pg_temp.as_role('t_alice', $$SELECT string_agg(p, E'\n') FROM (SELECT pg_temp.plan_of('EXECUTE ix_count_alice') p) s$$),
            '%readable_upper_bound()%', 'and the plan still reads the index');
RESET enable_seqscan;
RESET plan_cache_mode;
DEALLOCATE ix_count;
DEALLOCATE ix_count_alice;

-- 4. A view without security_invoker: the bound is its owner's (Dave, SECRET), not Alice's.
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'INTERNAL', now() + interval '30 days', 'design')$$);
SET ROLE t_alice;
SELECT alike(pg_temp.by_index('SELECT count(*) FROM ix_owner_view') || pg_temp.plan_of('SELECT count(*) FROM ix_owner_view'),
            '%readable_upper_bound(''' || 't_dave'::regrole::oid || '''::oid)%',
            'through the view the index bound is computed for the view''s owner');
SELECT is(pg_temp.by_index('SELECT count(*) || '' '' || sum(id) FROM ix_owner_view'), '1500 22459500',
          'through the view Alice reads what Dave may read, by the index');
SELECT is(pg_temp.by_index('SELECT count(*) FROM ix_doc'), pg_temp.by_scan('SELECT count(*) FROM ix_doc'),
          'directly she reads her own rows, by the index as by a full scan');
RESET ROLE;

-- 5. Parallel plans: the workers evaluate the bound and the policy with the leader's profile.
CREATE FUNCTION pg_temp.parallel_plan(q text, kind text) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
  r record;
  plan text;
BEGIN
  SET LOCAL enable_seqscan = off;
  SET LOCAL min_parallel_index_scan_size = 0;
  IF kind = 'bitmap' THEN
    SET LOCAL enable_indexscan = off;
    SET LOCAL enable_indexonlyscan = off;
  ELSE
    SET LOCAL enable_bitmapscan = off;
  END IF;
  SET LOCAL parallel_setup_cost = 0;
  SET LOCAL parallel_tuple_cost = 0;
  SET LOCAL min_parallel_table_scan_size = 0;
  SET LOCAL max_parallel_workers_per_gather = 2;
  plan := pg_temp.plan_of(q);
  r := pg_temp.parallel_count(q);
  RESET enable_seqscan; RESET min_parallel_index_scan_size; RESET enable_indexscan;
  RESET enable_indexonlyscan; RESET enable_bitmapscan;
  RETURN CASE WHEN plan ~ ('Parallel ' || CASE kind WHEN 'bitmap' THEN 'Bitmap Heap Scan' ELSE 'Index' END)
               AND plan ~ 'readable_upper_bound' AND r.workers > 0
              THEN r.n::text ELSE format('no parallel %s plan (%s workers): %s', kind, r.workers, plan) END;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.parallel_plan(text, text) TO PUBLIC;
SET ROLE t_dave;
SELECT is(pg_temp.parallel_plan('SELECT count(*) FROM ix_doc', 'index'), '1500',
          'a parallel index-only scan: Dave''s 1,500 rows, with workers launched');
SELECT is(pg_temp.parallel_plan('SELECT sum(id) FROM ix_doc', 'bitmap'), '22459500',
          'a parallel bitmap heap scan: the same rows');
RESET ROLE;
SET ROLE t_alice;
SELECT is(pg_temp.parallel_plan('SELECT count(*) FROM ix_owner_view', 'index'), '1500',
          'in parallel through the view: the owner''s rows');
SELECT is(pg_temp.parallel_plan('SELECT count(*) FROM ix_doc', 'index'), pg_temp.by_scan('SELECT count(*) FROM ix_doc'),
          'in parallel directly: Alice''s own rows');
RESET ROLE;

-- 6. Writes: UPDATE reads through the index for row_writable too, and changes the same rows.
SET ROLE t_dave;
SELECT alike(pg_temp.plan_of('UPDATE ix_doc SET body = body'), '%readable_upper_bound()%',
            'an UPDATE''s policy (row_writable) is an index condition too');
RESET ROLE;

-- 7. Nobody can ask for another role's bound: the function takes no argument in SQL.
SELECT throws_ok($$SELECT tmac.readable_upper_bound('t_dave'::regrole::oid)$$, '42883', NULL,
                 'readable_upper_bound has no signature taking a role');
SELECT is(pg_temp.as_role('t_dave', 'SELECT tmac.label_rank(tmac.readable_upper_bound())'), '30',
          'one''s own bound is one''s own level (Dave: SECRET, rank 30)');

-- 8. A cursor keeps the access of its opening (cursor_access.c): the bound its first fetch
-- computes is the pinned profile's, so a revocation between opening and fetching narrows nothing.
CREATE FUNCTION pg_temp.drain(c refcursor) RETURNS bigint LANGUAGE plpgsql AS
$$
DECLARE
  r record;
  n bigint := 0;
BEGIN
  LOOP
    FETCH c INTO r;
    EXIT WHEN NOT FOUND;
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.drain(refcursor) TO PUBLIC;
SET enable_seqscan = off;
SET ROLE t_dave;
SELECT alike(pg_temp.plan_of('SELECT id FROM ix_doc'), '%readable_upper_bound()%',
             'the cursor''s query reads the label index');
DECLARE ix_cursor CURSOR FOR SELECT id FROM ix_doc;
RESET ROLE;
SELECT tmac.revoke(grant_id, 'moved') FROM tmac.grants
 WHERE person_id = 'D1' AND kind = 'clearance' AND status = 'active';
SET ROLE t_dave;
SELECT is(pg_temp.drain('ix_cursor'), 1500::bigint,
          'a cursor opened before a revocation returns what its opening allowed, through the index');
CLOSE ix_cursor;
SELECT is(pg_temp.by_index('SELECT count(*) FROM ix_doc'), '600',
          'the next statement honours the revocation (PUBLIC and PUBLIC::SALES)');
RESET ROLE;
RESET enable_seqscan;

-- 9. A person on leave reads nothing: the bound is the least label, the index returns no row.
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
VALUES ('ix-leave', 'D1', 'leave', now() - interval '1 minute', '{}');
SELECT is(pg_temp.both_ways('t_dave'), '0; 0 0; -; 0; ',
          'Dave on leave: index and full scan agree (nothing)');

SELECT * FROM finish();
ROLLBACK;
