-- dedupe_bench_conn.sql — the fixture of the connection benchmarks (connect_bench.sh,
-- login_gate_bench.sh), \i'd from the repository's top: tmac installed, one person C001 (login
-- role bench_conn, enrolled by the DBA, pledge and training current) with an active SECRET
-- clearance in group DEV.
CREATE EXTENSION tmac;
SELECT tmac.define_compartment('PRJ-A', 'project A'), tmac.define_group('DEV', 'development');
CREATE ROLE bench_conn LOGIN;
SELECT tmac.enrol_login('bench_conn');   -- a DBA enrols the login roles persons may be mapped to
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  VALUES ('bench-c1', 'C001', 'hire', now() - interval '1 day',
          '{"full_name": "C", "org_group": "DEV", "job_role": "engineer", "login_role": "bench_conn"}');
SELECT tmac.record_pledge('C001', 'hire', current_date - 1), tmac.record_training('C001', 'basics', current_date - 1);
INSERT INTO tmac.access_grant (person_id, kind, level_rank, compartment_id, mode, validity, status, reason,
                               requested_by, approved_by, approved_at, bound_job_role, bound_org_group_id)
  VALUES ('C001', 'clearance', 30, NULL, NULL, tstzrange(now() - interval '1 hour', now() + interval '30 days'),
          'active', 'benchmark', 'BENCH-ADMIN', '{BENCH-APPROVER}', now() - interval '1 hour', 'engineer', tmac.vocabulary_id('group', 'DEV'));
