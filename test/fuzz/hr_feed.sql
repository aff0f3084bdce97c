-- hr_feed.sql — feeds the HR event table with edge events as the HR feed's role (in the mode the
-- database is in: strict refuses a bad event, lenient records it as rejected), one event per
-- subtransaction, then the same events again as one multi-row INSERT per kind (the set path), and
-- prints one line "BAD <event> <SQLSTATE> <message>" per error tmac did not mean (the events are
-- the same on every run: chosen by a hash of their parts' names) (as
-- sql_functions.sql: internal errors, exhausted resources, SQL tmac built that PostgreSQL could not
-- run, constraint violations reported by PostgreSQL).  Run by test/scripts/fuzz_sql.sh.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE TEMP TABLE fuzz_event AS
WITH kinds(kind) AS (VALUES ('hire'), ('transfer'), ('promotion'), ('leave'), ('return'), ('terminate'), ('rehire'),
                            (''), ('HIRE'), ('fire'), (NULL)),
     persons(person_id) AS (VALUES ('E1001'), ('E1006'), ('FZ-NEW'), (''), (NULL), (repeat('x', 3000)), ('E1001 ')),
     instants(instant, effective_at) AS (VALUES ('null', NULL::timestamptz), ('-inf', '-infinity'), ('inf', 'infinity'),
                                       ('bc', '4713-01-01 00:00 BC'), ('last year', now() - interval '1 year'),
                                       ('tomorrow', now() + interval '1 day')),
     attrs(attributes) AS (VALUES ('{}'::jsonb), ('[]'), ('"x"'), ('null'),
       ('{"full_name":"ファズ 太郎","login_role":"fz_new","org_group":"DEV","job_role":"engineer"}'),
       ('{"full_name":123,"login_role":["a"],"org_group":{"x":1},"job_role":null}'),
       ('{"full_name":"","login_role":"","org_group":"NO-SUCH","job_role":""}'),
       ('{"login_role":"postgres","full_name":"superuser?"}'),
       ('{"login_role":"tmac_admin","full_name":"a group role"}'),
       ('{"full_name":"x","manager":"E1001","employment":"contractor","agency":"","clearance":"TOP_SECRET"}'),
       ('{"org_group":"DEV","job_role":"manager","keep":true,"effective_at":"garbage"}'))
SELECT 'fz-' || row_number() OVER () AS event_id, p.person_id, k.kind, i.effective_at, a.attributes
  FROM kinds k, persons p, instants i, attrs a
 WHERE hashtext(coalesce(k.kind, '') || coalesce(p.person_id, '') || i.instant || a.attributes::text) % 7 = 0;
CREATE TEMP TABLE fuzz_result(event text, sqlstate text, message text);
DO $fuzz$
DECLARE
  e record; st text; msg text; con text; col text;
BEGIN
  SET LOCAL statement_timeout = '5s';
  FOR e IN SELECT * FROM fuzz_event ORDER BY event_id LOOP
    BEGIN
      INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
      VALUES (e.event_id, e.person_id, e.kind, e.effective_at, e.attributes);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, con = CONSTRAINT_NAME, col = COLUMN_NAME;
      IF st LIKE 'XX%' OR st LIKE '53%' OR st LIKE '54%' OR st IN ('42601', '42883', '42P01', '42725')
         OR (st LIKE '23%' AND (con <> '' OR col <> '') AND NOT (st = '23505' AND con = 'hr_event_pkey')) THEN
        INSERT INTO fuzz_result VALUES (format('%s %s %s %s %s', e.event_id, e.person_id, e.kind, e.effective_at, e.attributes), st, msg);
      END IF;
    END;
  END LOOP;
  -- the set path: all events of a kind in one statement (ids made new)
  FOR e IN SELECT DISTINCT kind FROM fuzz_event LOOP
    BEGIN
      INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
      SELECT f.event_id || '-set', f.person_id, f.kind, f.effective_at, f.attributes FROM fuzz_event f
       WHERE f.kind IS NOT DISTINCT FROM e.kind;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, con = CONSTRAINT_NAME, col = COLUMN_NAME;
      IF st LIKE 'XX%' OR st LIKE '53%' OR st LIKE '54%' OR st IN ('42601', '42883', '42P01', '42725')
         OR (st LIKE '23%' AND (con <> '' OR col <> '')) THEN
        INSERT INTO fuzz_result VALUES (format('set of kind %s', e.kind), st, msg);
      END IF;
    END;
  END LOOP;
END
$fuzz$;
SELECT 'events tried: ' || count(*) FROM fuzz_event;
SELECT 'BAD ' || left(event, 160) || ' ' || sqlstate || ' ' || left(message, 200) FROM fuzz_result ORDER BY 1;
