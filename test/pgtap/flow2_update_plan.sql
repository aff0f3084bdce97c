-- flow2_update_plan.sql — pgTAP: an UPDATE's refusal no longer depends on its plan for a key
-- condition (issue 17 items 2-3, follow-up of the insider review).  Updating the one PUBLIC row
-- of a table that also holds SECRET rows by `WHERE id = 4` under a sequential scan was refused:
-- the UPDATE policy's USING counted every row the scan passed as read, before the key condition
-- dropped it.  Now the rows the read policy lets on count (the user's own conditions see no
-- other): a leakproof key condition first narrows them; a function in the WHERE still sees —
-- and counts — every row the policies let through, so a stash through it is still refused.
BEGIN;
SELECT plan(7);
\i test/pgtap/people_fixture.psql

CREATE TABLE f2_doc (id integer PRIMARY KEY, body text, label tmac.label NOT NULL);
SELECT tmac.protect('f2_doc');
INSERT INTO f2_doc SELECT i, CASE WHEN i = 4 THEN 'public ' ELSE 'secret ' END || i,
                          (CASE WHEN i = 4 THEN 'PUBLIC' ELSE 'SECRET' END)::tmac.label
  FROM generate_series(1, 8) i;
GRANT SELECT, UPDATE ON f2_doc TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'flow2')$$);
CREATE FUNCTION f2_stash(t text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF t LIKE 'secret%' THEN PERFORM set_config('f2.stash', t, true); END IF;
  RETURN t NOT LIKE 'secret%';
END $$;

SET LOCAL ROLE t_alice;
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT lives_ok($$UPDATE f2_doc SET body = 'v2' WHERE id = 4$$,
                'UPDATE of the PUBLIC row by key under a sequential scan over SECRET rows is allowed');
SELECT lives_ok($$UPDATE f2_doc SET body = 'v3' WHERE id = 4 RETURNING body$$, '... with RETURNING too');
SELECT lives_ok($$UPDATE f2_doc SET body = 'v4' WHERE label = 'PUBLIC'$$,
                '... and by label (tmac.label''s = is leakproof: it runs before the read policy)');
SELECT throws_ok($$UPDATE f2_doc SET body = coalesce(current_setting('f2.stash', true), 'none') WHERE f2_stash(body)$$,
                 '42501', NULL, 'a function in the WHERE sees the SECRET rows: they count as read, the write-down is refused');
SELECT throws_ok($$UPDATE f2_doc SET body = (SELECT body FROM f2_doc WHERE id = 1) WHERE id = 4$$,
                 '42501', NULL, 'a sub-select of a SECRET row of the target table is a read');
SELECT lives_ok($$UPDATE f2_doc SET body = body || ' (reviewed)' WHERE id = 1$$,
                'a SECRET row keeping its label is updated');
SELECT throws_ok($$UPDATE f2_doc SET body = 'v6' WHERE id = 4$$, '42501', NULL,
                 'after reading SECRET, an update of the PUBLIC row is a write-down');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
