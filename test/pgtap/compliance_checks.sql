-- compliance_checks.sql — pgTAP: every check over persons, grants, reviews and the audit log.
-- For each: create the violation, see exactly one finding with the right code and subject,
-- fix it, see it gone.  Violations that tmac's own functions refuse are made by writing
-- the tables directly, as a careless migration or a superuser could.
BEGIN;
SELECT plan(57);
\i test/pgtap/people_fixture.psql

\i test/pgtap/dedupe_helpers.psql
-- the fixture's E1 holds access admin and approver: that conflict is the sod tests' business
SELECT tmac.grant_sod_exception(1, 'E1', 'fixture person holding both duties on purpose', now() + interval '1 day');
-- the organisation has its 情報管理責任者 (otherwise officer_missing, 63_appointments.sql)
SELECT tmac.appoint('D1', 'information_officer', 'D1', announced_how => '情報管理規程', announced_on => current_date);
-- ... its documents approved by 経営層, an internal audit and its electronic measures declared (otherwise
-- document_missing, internal_audit_missing, electronic_measure_missing)
\i test/pgtap/cert_fixture.psql
\i test/pgtap/cert_electronic_fixture.psql

SELECT is((SELECT count(*) FROM tmac.findings), 0::bigint, 'the fixture starts clean');

-- terminated_live_grant, terminated_login_enabled
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'x')$$) AS g1 \gset
UPDATE tmac.person SET status = 'terminated', terminated_at = now() WHERE person_id = 'A1';
SELECT is(pg_temp.n('terminated_live_grant'), 1::bigint, 'terminated_live_grant: one finding');
SELECT is(pg_temp.n('terminated_live_grant', 'person:A1'), 1::bigint, '... for person:A1');
SELECT is(pg_temp.n('terminated_login_enabled', 'person:A1'), 1::bigint, 'terminated_login_enabled: person:A1 can still log in');
SELECT is(pg_temp.n('terminated_login_enabled'), 1::bigint, '... exactly one');
SELECT pg_temp.as_role('t_bob', format('SELECT tmac.revoke(%s, %L)', :g1, 'terminated'));
SELECT is(pg_temp.n('terminated_live_grant'), 0::bigint, 'revoked: terminated_live_grant gone');
ALTER ROLE t_alice NOLOGIN;
SELECT is(pg_temp.n('terminated_login_enabled'), 0::bigint, 'NOLOGIN: terminated_login_enabled gone');
UPDATE tmac.person SET status = 'active', terminated_at = NULL WHERE person_id = 'A1';
ALTER ROLE t_alice LOGIN;

-- terminated_session_open: this very session belongs to a terminated person
-- (the HR feed refuses to map the bootstrap role, so the row is written directly)
INSERT INTO tmac.person (person_id, full_name, kind, login_role, status, terminated_at)
  VALUES ('S1', 'Session Holder', 'employee', current_user, 'terminated', now());
SELECT is(pg_temp.n('terminated_session_open'), 1::bigint, 'terminated_session_open: one finding');
SELECT is(pg_temp.n('terminated_session_open', 'person:S1'), 1::bigint, '... for person:S1');
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'terminated_session_open'), pg_backend_pid()::text,
  '... naming the open session''s pid');
UPDATE tmac.person SET login_role = NULL WHERE person_id = 'S1';
SELECT tmac.record_pledge('S1', 'termination', current_date);   -- the leaver signed one (else leaver_without_termination_pledge)
SELECT is(pg_temp.n('terminated_session_open'), 0::bigint, 'the role is no longer the person''s: gone');

-- grant_unapproved and grant_not_audited (a grant activated by its requester alone)
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'x')$$)::bigint AS g2 \gset
UPDATE tmac.access_grant SET status = 'active', approved_at = now() WHERE grant_id = :g2;
SELECT is(pg_temp.n('grant_unapproved'), 1::bigint, 'grant_unapproved: one finding');
SELECT is(pg_temp.n('grant_unapproved', 'grant:' || :g2), 1::bigint, '... for the grant');
SELECT is(pg_temp.n('grant_not_audited'), 1::bigint, 'grant_not_audited: one finding');
SELECT is(pg_temp.n('grant_not_audited', 'grant:' || :g2), 1::bigint, '... for the grant');
SELECT is((SELECT count(*) FROM tmac.sod_violations() WHERE violation = 'grant_not_audited' AND grant_id = :g2), 1::bigint,
  'sod_violations() lists it as grant_not_audited');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.audit_grant(%s)')$$, :g2), '42501', NULL,
  'the administrator who set it cannot audit it');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_dave', 'SELECT tmac.audit_grant(%s, ''confirmed'', ''checked the request'')')$$, :g2),
  'another administrator audits it');
SELECT is(pg_temp.n('grant_not_audited'), 0::bigint, 'audited: grant_not_audited gone');
SELECT pg_temp.as_role('t_bob', format('SELECT tmac.revoke(%s, %L)', :g2, 'unapproved'));
SELECT is(pg_temp.n('grant_unapproved'), 0::bigint, 'revoked: grant_unapproved gone');

-- grant_self_approved: requester approved; then grantee approved
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'x')$$) AS g3 \gset
UPDATE tmac.access_grant SET approved_by = ARRAY['B1'] WHERE grant_id = :g3;
SELECT is(pg_temp.n('grant_self_approved'), 1::bigint, 'grant_self_approved: one finding');
SELECT is(pg_temp.n('grant_self_approved', 'grant:' || :g3), 1::bigint, '... for the grant');
SELECT is((SELECT violation FROM tmac.sod_violations() WHERE grant_id = :g3 AND violation <> 'grant_not_audited'), 'self_approved',
  'sod_violations() says self_approved');
UPDATE tmac.access_grant SET approved_by = ARRAY['A1'] WHERE grant_id = :g3;
SELECT is((SELECT violation FROM tmac.sod_violations() WHERE grant_id = :g3), 'approver_is_grantee',
  'approved by the grantee: approver_is_grantee');
SELECT is(pg_temp.n('grant_self_approved', 'grant:' || :g3), 1::bigint, '... still one grant_self_approved finding');
UPDATE tmac.access_grant SET approved_by = ARRAY['C1'] WHERE grant_id = :g3;
SELECT is(pg_temp.n('grant_self_approved'), 0::bigint, 'a proper approver: gone');

-- approver_conflicting_duty: C1 approved g3, then becomes an access administrator too
GRANT tmac_access_admin TO t_carol;
SELECT is(pg_temp.n('approver_conflicting_duty'), 1::bigint, 'approver_conflicting_duty: one finding');
SELECT is(pg_temp.n('approver_conflicting_duty', 'person:C1'), 1::bigint, '... for the approver C1 (one finding per approver)');
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'approver_conflicting_duty'),
  '^C1 approved 1 live grant\(s\) \(' || :g3 || '\)', '... naming the grant C1 approved');
SELECT is(pg_temp.n('sod_conflict', 'person:C1'), 1::bigint, '... and C1 is an sod_conflict');
REVOKE tmac_access_admin FROM t_carol;
SELECT is(pg_temp.n('approver_conflicting_duty'), 0::bigint, 'duty removed: gone');

-- grant_expired_active
UPDATE tmac.access_grant SET validity = tstzrange(now() - interval '2 days', now() - interval '1 day') WHERE grant_id = :g3;
SELECT is(pg_temp.n('grant_expired_active'), 1::bigint, 'grant_expired_active: one finding');
SELECT is(pg_temp.n('grant_expired_active', 'grant:' || :g3), 1::bigint, '... for the grant');
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :g3), 'expired', '(tmac.grants already shows it expired)');
SELECT lives_ok($$SELECT tmac.run_maintenance()$$, 'maintenance runs');
SELECT is(pg_temp.n('grant_expired_active'), 0::bigint, 'gone');

-- access_without_pledge: a role change requires a new pledge
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'x')$$) AS g4 \gset
UPDATE tmac.person SET pledge_required_since = now() WHERE person_id = 'A1';
SELECT is(pg_temp.n('access_without_pledge'), 1::bigint, 'access_without_pledge: one finding');
SELECT is(pg_temp.n('access_without_pledge', 'person:A1'), 1::bigint, '... for person:A1');
SELECT tmac.record_pledge('A1', 'promotion', (now() AT TIME ZONE 'Asia/Tokyo')::date);
SELECT is(pg_temp.n('access_without_pledge'), 0::bigint, 'a new pledge: gone');

-- access_without_training (criterion I-5): a newly required course
SELECT tmac.configure('training_courses', 'export control');
SELECT is(pg_temp.n('access_without_training'), 1::bigint, 'access_without_training: one finding');
SELECT results_eq($$SELECT criterion, subject FROM tmac.findings WHERE check_code = 'access_without_training'$$,
  $$VALUES ('I-5'::text, 'person:A1'::text)$$, '... for person:A1 under I-5');
SELECT tmac.record_training('A1', 'export control', (now() AT TIME ZONE 'Asia/Tokyo')::date);
SELECT is(pg_temp.n('access_without_training'), 0::bigint, 'training recorded: gone');

-- grant_not_reviewed: approved over review_period ago, fixed by an access review keeping it
UPDATE tmac.access_grant SET approved_at = now() - interval '1 year' WHERE grant_id = :g4;
SELECT is(pg_temp.n('grant_not_reviewed'), 1::bigint, 'grant_not_reviewed: one finding');
SELECT is(pg_temp.n('grant_not_reviewed', 'grant:' || :g4), 1::bigint, '... for the grant');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('A1 yearly', person_id => 'A1')$$)::bigint AS r1 \gset
SELECT pg_temp.as_role('t_dave', format('SELECT tmac.review_decide(%s, %s, ''keep'')', :r1, :g4));
SELECT is(pg_temp.n('grant_not_reviewed'), 0::bigint, 'kept in a review: gone');

-- review_undecided: a review past its deadline with an item nobody decided
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'y')$$) AS g5 \gset
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('PRJ-B', compartment => 'PRJ-B')$$)::bigint AS r2 \gset
UPDATE tmac.access_review SET started_at = now() - interval '40 days', deadline = now() - interval '10 days' WHERE review_id = :r2;
SELECT is(pg_temp.n('review_undecided'), 1::bigint, 'review_undecided: one finding');
SELECT is(pg_temp.n('review_undecided', 'review:' || :r2), 1::bigint, '... for the review');
SELECT pg_temp.as_role('t_dave', format('SELECT tmac.review_decide(%s, %s, ''keep'')', :r2, :g5));
SELECT is(pg_temp.n('review_undecided'), 0::bigint, 'decided: gone');

-- review_population_altered
UPDATE tmac.access_review_item SET valid_until = valid_until + interval '1 year' WHERE review_id = :r2;
SELECT is(pg_temp.n('review_population_altered'), 1::bigint, 'review_population_altered: one finding');
SELECT is(pg_temp.n('review_population_altered', 'review:' || :r2), 1::bigint, '... for the review');
UPDATE tmac.access_review_item SET valid_until = valid_until - interval '1 year' WHERE review_id = :r2;
SELECT is(pg_temp.n('review_population_altered'), 0::bigint, 'restored: gone');

-- audit_log_broken
SELECT max(entry_id) - 3 AS victim FROM tmac.audit_log \gset
SELECT actor AS orig_actor FROM tmac.audit_log WHERE entry_id = :victim \gset
SET CONSTRAINTS ALL IMMEDIATE;  -- fire the audit log's deferred head update, so ALTER can run
ALTER TABLE tmac.audit_log DISABLE TRIGGER protect;
UPDATE tmac.audit_log SET actor = 'mallory' WHERE entry_id = :victim;
SELECT results_eq($$SELECT criterion, check_code, subject FROM tmac.findings WHERE check_code = 'audit_log_broken'$$,
  $$VALUES ('V'::text, 'audit_log_broken'::text, 'audit_log'::text)$$, 'audit_log_broken: one finding');
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'audit_log_broken'), 'entry ' || :victim,
  '... naming the changed entry');
UPDATE tmac.audit_log SET actor = :'orig_actor' WHERE entry_id = :victim;
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE tmac.audit_log ENABLE TRIGGER protect;
SELECT is(pg_temp.n('audit_log_broken'), 0::bigint, 'restored: gone');

-- column_label_exceeds_table (criterion I-2)
CREATE TABLE public.cc_designs (id int, spec text);
SECURITY LABEL FOR tmac ON TABLE public.cc_designs IS 'CONFIDENTIAL';
SELECT tmac.register_asset('CC-1', 'designs', '技術', 'electronic', manager => 'C1');
SELECT tmac.bind_table('CC-1', 'public.cc_designs');
SECURITY LABEL FOR tmac ON COLUMN public.cc_designs.spec IS 'SECRET:PRJ-A';
SELECT results_eq($$SELECT criterion, subject FROM tmac.findings WHERE check_code = 'column_label_exceeds_table'$$,
  $$VALUES ('I-2'::text, 'table:public.cc_designs'::text)$$, 'column_label_exceeds_table: one finding for the table');
SECURITY LABEL FOR tmac ON TABLE public.cc_designs IS 'SECRET:PRJ-A';
SELECT is(pg_temp.n('column_label_exceeds_table'), 0::bigint, 'table label raised: gone');

-- (the inventory entry carries a label too: asset_unlabelled, 87_checks_cross.sql)
SELECT tmac.update_asset('CC-1', '{"label":"SECRET:PRJ-A"}');
SELECT is((SELECT count(*) FROM tmac.findings), 0::bigint, 'everything fixed: no findings left');
SELECT * FROM finish();
ROLLBACK;
