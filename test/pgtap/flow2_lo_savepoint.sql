-- flow2_lo_savepoint.sql — pgTAP: large-object writes after a protected read reach the handling
-- ledger even when a savepoint that wrote large objects before the read rolls back (the insider
-- review: the rolled-back writes made the counters fall below the transaction's baseline).  Its
-- own file: the scenario needs a transaction that has read nothing protected yet.
BEGIN;
SELECT plan(2);
\i test/pgtap/people_fixture.psql

CREATE TABLE f2_doc (id integer PRIMARY KEY, body text, label tmac.label NOT NULL);
SELECT tmac.protect('f2_doc');
INSERT INTO f2_doc VALUES (1, 'the secret formula', 'SECRET');
GRANT SELECT ON f2_doc TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'flow2')$$);

SET LOCAL ROLE t_alice;
SAVEPOINT s;
SELECT lo_from_bytea(0, convert_to(repeat('x', 2048 * 50), 'UTF8')) IS NOT NULL AS big;
SELECT count(*) FROM f2_doc;
ROLLBACK TO SAVEPOINT s;
SELECT lo_from_bytea(0, convert_to(body, 'UTF8')) IS NOT NULL AS copied FROM f2_doc WHERE id = 1;
RESET ROLE;
SELECT is((SELECT string_agg(action || '/' || level_rank, '; ') FROM tmac.handling_entry
            WHERE automatic AND target_table = 'large objects'),
          'copy/30', 'a large object written after the read is a copy at SECRET, whatever rolled back before');
SELECT is((SELECT count(*)::integer FROM pg_largeobject_metadata m WHERE m.lomowner = 't_alice'::regrole), 1,
          '(only the second large object exists)');

SELECT * FROM finish();
ROLLBACK;
