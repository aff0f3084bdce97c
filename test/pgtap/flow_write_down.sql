-- flow_write_down.sql — pgTAP: no write-down (issue 17, item 2).  A transaction that read protected
-- rows may not write a protected row whose label does not dominate what it read, whatever the
-- statement shape (INSERT … SELECT, UPDATE with a sub-select, MERGE, a PL/pgSQL loop), unless the
-- writer is a declassifier (then audited with both labels); tmac.configure('write_down', …).
BEGIN;
SELECT plan(24);
\i test/pgtap/people_fixture.psql

CREATE TABLE flow_doc (id integer PRIMARY KEY, body text, label tmac.label NOT NULL);
SELECT tmac.protect('flow_doc');
INSERT INTO flow_doc VALUES (1, 'the secret formula', 'SECRET'), (2, 'a public note', 'PUBLIC'),
                            (3, 'another secret', 'SECRET');
GRANT SELECT, INSERT, UPDATE ON flow_doc TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'flow')$$);
CREATE FUNCTION flow_loop() RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT id, body FROM flow_doc WHERE id = 1 LOOP
    INSERT INTO flow_doc VALUES (r.id + 100, r.body, 'PUBLIC');
  END LOOP;
END $$;

SET LOCAL ROLE t_alice;
SELECT lives_ok($$INSERT INTO flow_doc VALUES (10, 'public before any read', 'PUBLIC')$$,
                'before reading anything a public row is written');
SELECT is((SELECT body FROM flow_doc WHERE id = 1), 'the secret formula', 'alice reads the SECRET row');
SELECT throws_ok($$INSERT INTO flow_doc SELECT 11, body, 'PUBLIC' FROM flow_doc WHERE id = 1$$,
                 '42501', NULL, 'INSERT … SELECT of a SECRET row as PUBLIC is refused');
SELECT throws_like($$INSERT INTO flow_doc SELECT 11, body, 'PUBLIC' FROM flow_doc WHERE id = 1$$,
                   '%labelled PUBLIC%after reading SECRET%', '... naming both labels');
SELECT throws_ok($$UPDATE flow_doc SET body = (SELECT body FROM flow_doc WHERE id = 1) WHERE id = 2$$,
                 '42501', NULL, 'UPDATE of a PUBLIC row with a SECRET row''s text is refused');
SELECT throws_ok($$UPDATE flow_doc d SET body = s.body FROM flow_doc s WHERE s.id = 1 AND d.id = 2$$,
                 '42501', NULL, 'UPDATE … FROM a SECRET row into a PUBLIC row is refused');
SELECT throws_ok($$MERGE INTO flow_doc d USING (SELECT 12 AS id, body FROM flow_doc WHERE id = 1) s ON d.id = s.id
                   WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.body, 'PUBLIC')$$,
                 '42501', NULL, 'MERGE … INSERT of a SECRET row as PUBLIC is refused');
SELECT throws_ok($$SELECT flow_loop()$$, '42501', NULL, 'a PL/pgSQL loop writing down row by row is refused');
SELECT throws_ok($$UPDATE flow_doc SET body = 'x' WHERE id = 2$$, '42501', NULL,
                 'after reading SECRET, even a plain update of a PUBLIC row is a write-down');
SELECT lives_ok($$UPDATE flow_doc SET body = body || ' (reviewed)' WHERE id = 3$$,
                'a plain UPDATE of a SECRET row keeping its label is allowed');
SELECT lives_ok($$INSERT INTO flow_doc SELECT 13, body, 'SECRET' FROM flow_doc WHERE id = 1$$,
                'a copy at the same level is allowed');
SELECT lives_ok($$UPDATE flow_doc SET label = 'SECRET', body = (SELECT body FROM flow_doc WHERE id = 1) WHERE id = 10$$,
                'raising a PUBLIC row to SECRET with SECRET text is allowed');
SELECT is(tmac.can_write('PUBLIC'), true, 'can_write is a question, not a write');
RESET ROLE;
SELECT is((SELECT count(*)::integer FROM flow_doc WHERE label = 'PUBLIC'::tmac.label AND body LIKE '%secret%'), 0,
          'no SECRET text reached a PUBLIC row');

-- The setting: audit records instead of refusing; allow lets it through; anything else is refused.
SELECT throws_ok($$SELECT tmac.configure('write_down', 'sometimes')$$, '22023', NULL, 'write_down takes refuse, audit or allow');
SELECT tmac.configure('write_down', 'audit');
SELECT is((SELECT count(*)::integer FROM tmac.findings WHERE check_code = 'handling_forbidden' AND subject = 'setting:write_down'),
          1, 'write_down = audit is a finding (a weakening setting)');
SELECT count(*) AS audit_before FROM tmac.audit_log WHERE action = 'write_down' \gset
SET LOCAL ROLE t_alice;
SELECT lives_ok($$INSERT INTO flow_doc SELECT 20 + id, body, 'PUBLIC' FROM flow_doc WHERE id IN (1, 3)$$,
                'with write_down = audit the write-down succeeds');
RESET ROLE;
SELECT is((SELECT (count(*) - :audit_before)::integer || '/' || max(detail->>'from') || '/' || max(detail->>'to')
             FROM tmac.audit_log WHERE action = 'write_down'),
          '1/SECRET/PUBLIC', '... audited once for the statement and table, with both labels');
SET LOCAL ROLE t_alice;
SELECT lives_ok($$INSERT INTO flow_doc SELECT 25, body, 'PUBLIC' FROM flow_doc WHERE id = 1$$, 'a second statement');
RESET ROLE;
SELECT is((SELECT (count(*) - :audit_before)::integer FROM tmac.audit_log WHERE action = 'write_down'), 2,
          '... is audited again');
SELECT tmac.configure('write_down', 'allow');
SET LOCAL ROLE t_alice;
SELECT lives_ok($$INSERT INTO flow_doc SELECT 30, body, 'PUBLIC' FROM flow_doc WHERE id = 1$$,
                'with write_down = allow the write-down succeeds');
RESET ROLE;
SELECT tmac.configure('write_down', 'refuse');
SELECT is((SELECT count(*)::integer FROM tmac.findings WHERE subject = 'setting:write_down'), 0,
          'back to refuse: the finding is gone');

-- A declassifier may write down; it is audited as a declassification with both labels.
GRANT tmac_declassifier TO t_alice;
SELECT count(*) AS decl_before FROM tmac.audit_log WHERE category = 'declassification' AND action = 'write_down' \gset
SET LOCAL ROLE t_alice;
SELECT lives_ok($$INSERT INTO flow_doc SELECT 40, body, 'PUBLIC' FROM flow_doc WHERE id = 1$$,
                'a declassifier may write down');
RESET ROLE;
SELECT is((SELECT (count(*) - :decl_before)::integer || '/' || max(detail->>'from') || '/' || max(detail->>'to') || '/' || max(detail->>'by')
             FROM tmac.audit_log WHERE category = 'declassification' AND action = 'write_down'),
          '1/SECRET/PUBLIC/t_alice', '... audited as a declassification with both labels');

SELECT * FROM finish();
ROLLBACK;
