-- people_bench.sql — make-bench additions for people and grants (SPEC §9).
--
--   createdb tmac_bench && psql -X -d tmac_bench -c 'CREATE EXTENSION tmac' \
--     && psql -X -d tmac_bench -f test/bench/people_bench.sql
-- Use a scratch database: the 10,000 grants are committed first (tmac never deletes
-- them; rows inserted in the same transaction would make every update re-check
-- its foreign keys), then each measurement is rolled back.  Prints: the time to terminate a
-- person holding 10,000 grants (target < 200 ms), and HR events per second for a
-- 100,000-event COPY-style load (INSERT ... SELECT; COPY goes through the same trigger).
\set ON_ERROR_STOP 1
\timing off
SELECT tmac.define_compartment('BENCH', 'Bench compartment');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
VALUES ('bench-hire', 'BENCH1', 'hire', '{"full_name":"Bench Person"}');
INSERT INTO tmac.access_grant (person_id, kind, compartment_id, mode, validity, status, reason, requested_by,
                               approved_by, approved_at)
SELECT 'BENCH1', 'compartment', (SELECT compartment_id FROM tmac.compartment WHERE code = 'BENCH'), 'read',
       tstzrange(now(), now() + interval '1 year'), 'active', 'bench ' || i, 'BENCH0', '{BENCH9}', now()
  FROM generate_series(1, 10000) i;
VACUUM ANALYZE tmac.access_grant;
BEGIN;
SELECT clock_timestamp() AS t0 \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('bench-term', 'BENCH1', 'terminate');
SELECT format('terminate a person holding 10,000 grants: %s ms (target < 200 ms)',
              round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000)) AS result;
ROLLBACK;
BEGIN;
SELECT clock_timestamp() AS t1 \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
SELECT 'bench-e' || i, 'BP' || i, 'hire', now() - interval '1 day', jsonb_build_object('full_name', 'Bench ' || i)
  FROM generate_series(1, 100000) i;
SELECT format('HR feed: 100,000 hire events in %s s = %s events/s',
              round(extract(epoch FROM clock_timestamp() - :'t1'::timestamptz)::numeric, 2),
              round(100000 / extract(epoch FROM clock_timestamp() - :'t1'::timestamptz))) AS result;
ROLLBACK;
