-- sod_rules.sql — pgTAP: SoD duties and rules, detection through role chains,
-- preventive checks in tmac.grant_role / tmac.assign_duty, exceptions.
BEGIN;
SELECT plan(35);

-- built-in rules, symmetric
SELECT results_eq(
  $$SELECT name, duty_a, duty_b FROM tmac.sod_rule WHERE builtin ORDER BY rule_id$$,
  $$VALUES ('access admin vs approver'::text, 'access_admin'::text, 'approver'::text),
           ('access admin vs auditor', 'access_admin', 'auditor'),
           ('HR feed vs access admin', 'hr_feed', 'access_admin')$$,
  'the three built-in rules');
SELECT throws_ok($$SELECT tmac.define_sod_rule('reversed', 'approver', 'access_admin')$$,
  '42710', NULL, 'a rule is symmetric: the reversed pair is a duplicate');
SELECT throws_ok($$SELECT tmac.define_sod_rule('x', 'nope', 'approver')$$,
  '42704', NULL, 'unknown duty');
SELECT throws_ok($$SELECT tmac.define_sod_rule('x', 'approver', 'approver')$$,
  '22023', NULL, 'a rule needs two different duties');
SELECT throws_ok($$SELECT tmac.define_sod_rule('x', 'approver', 'key_custodian', 'urgent')$$,
  '22023', NULL, 'bad severity');

-- a plain GRANT through a chain of roles is detected afterwards
CREATE ROLE sod_t_alice LOGIN;
CREATE ROLE sod_t_team;
GRANT tmac_access_admin TO sod_t_team;
CREATE ROLE sod_t_sub;
GRANT sod_t_team TO sod_t_sub;
GRANT sod_t_sub TO sod_t_alice;
SELECT is((SELECT count(*) FROM tmac.sod_violations() WHERE login_role = 'sod_t_alice'), 0::bigint,
  'one duty is no violation');
GRANT tmac_approver TO sod_t_alice;
SELECT results_eq(
  $$SELECT violation, rule_id, severity FROM tmac.sod_violations() WHERE login_role = 'sod_t_alice'$$,
  $$VALUES ('duty_conflict'::text, 1, 'critical'::text)$$,
  'a plain GRANT through a three-role chain is detected');
SELECT matches((SELECT detail FROM tmac.sod_violations() WHERE login_role = 'sod_t_alice'),
  'tmac_access_admin > sod_t_team > sod_t_sub > sod_t_alice', 'the detail shows the membership chain');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'sod_conflict' AND subject = 'role:sod_t_alice'), 1::bigint,
  'one sod_conflict finding for the role');
-- NOINHERIT does not hide membership (the member can SET ROLE)
ALTER ROLE sod_t_alice NOINHERIT;
SELECT is((SELECT count(*) FROM tmac.sod_violations() WHERE login_role = 'sod_t_alice'), 1::bigint,
  'NOINHERIT membership still counts');
REVOKE tmac_approver FROM sod_t_alice;
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'sod_conflict' AND subject = 'role:sod_t_alice'), 0::bigint,
  'fixed: the finding is gone');

-- preventive: tmac.grant_role refuses, through the group too
CREATE ROLE sod_t_bob LOGIN;
SELECT lives_ok($$SELECT tmac.grant_role('tmac_auditor', 'sod_t_bob')$$, 'a single duty is granted');
SELECT ok(pg_has_role('sod_t_bob', 'tmac_auditor', 'MEMBER'), 'grant_role did the GRANT');
SELECT throws_ok($$SELECT tmac.grant_role('sod_t_team', 'sod_t_bob')$$, '42501',
  'segregation of duties: sod_t_bob would hold both "access_admin" and "auditor"',
  'grant_role refuses a role whose parent is a conflicting duty');
SELECT ok(NOT pg_has_role('sod_t_bob', 'sod_t_team', 'MEMBER'), 'nothing was granted');
CREATE ROLE sod_t_group2;
GRANT sod_t_group2 TO sod_t_bob;
SELECT throws_ok($$SELECT tmac.grant_role('tmac_access_admin', 'sod_t_group2')$$, '42501', NULL,
  'granting to a group is checked for every login role beneath it');
-- HR feed vs access admin through assign_duty
CREATE ROLE sod_t_carol LOGIN;
SELECT lives_ok($$SELECT tmac.assign_duty('sod_t_carol', 'hr_feed')$$, 'assign_duty grants a role duty');
SELECT throws_ok($$SELECT tmac.assign_duty('sod_t_carol', 'access_admin')$$, '42501', NULL,
  'HR feed vs access admin is refused');

-- tmac duties held by assignment
SELECT lives_ok($$SELECT tmac.define_sod_rule('custodian vs requester', 'key_custodian', 'requester', 'medium')$$,
  'a rule over tmac duties');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('sod-h1', 'P-SOD-1', 'hire', '{"full_name":"Sato"}');
SELECT lives_ok($$SELECT tmac.assign_duty('P-SOD-1', 'key_custodian')$$, 'an assigned duty');
SELECT throws_ok($$INSERT INTO tmac.duty_assignment (person_id, duty) VALUES ('P-SOD-1', 'requester')$$,
  '42501', NULL, 'a direct INSERT of a conflicting duty is refused too');
SELECT throws_ok($$INSERT INTO tmac.duty_assignment (person_id, duty) VALUES ('P-SOD-1', 'approver')$$,
  '42809', NULL, 'a role duty cannot be assigned by row');

-- exceptions: justification, another approver, bounded mandatory expiry
SELECT throws_ok($$SELECT tmac.grant_sod_exception(2, NULL, 'covering for a colleague on leave', NULL, 'sod_t_bob')$$,
  '22004', NULL, 'the expiry is mandatory');
SELECT throws_ok($$SELECT tmac.grant_sod_exception(2, NULL, 'covering for a colleague on leave', now() + interval '2 years', 'sod_t_bob')$$,
  '22023', NULL, 'the expiry is bounded by sod_exception_max');
SELECT throws_ok($$SELECT tmac.grant_sod_exception(2, NULL, 'short', now() + interval '30 days', 'sod_t_bob')$$,
  '23514', NULL, 'a justification is required');
SELECT throws_ok($$SELECT tmac.grant_sod_exception(2, NULL, 'I approve my own conflict', now() + interval '30 days', 'postgres')$$,
  '42501', NULL, 'the approver is not the person');
SELECT throws_ok($$SELECT tmac.grant_sod_exception(2, 'NOBODY', 'covering for a colleague on leave', now() + interval '30 days')$$,
  '23503', NULL, 'an exception names a registered person (or an unmapped login role)');
SELECT lives_ok($$SELECT tmac.grant_sod_exception(2, NULL, 'covering for a colleague on leave', now() + interval '30 days', 'sod_t_bob')$$,
  'an exception by someone else');
SELECT is((SELECT approved_by FROM tmac.sod_exception WHERE login_role = 'sod_t_bob'), 'postgres',
  'the approver is stamped from the session');
SELECT lives_ok($$SELECT tmac.grant_role('sod_t_team', 'sod_t_bob')$$, 'with a current exception the grant passes');
SELECT is((SELECT count(*) FROM tmac.sod_violations() WHERE login_role = 'sod_t_bob'), 0::bigint,
  'an excepted conflict is no violation');
SELECT throws_ok($$UPDATE tmac.sod_exception SET expires_at = expires_at + interval '1 year' WHERE login_role = 'sod_t_bob'$$,
  '42501', NULL, 'an exception cannot be extended in place');

-- the limit is configurable
SELECT lives_ok($$SELECT tmac.configure_compliance('sod_exception_max', '3 years')$$, 'the maximum is configurable');
SELECT throws_ok($$SELECT tmac.configure_compliance('sod_exception_max', 'soon')$$, '22023', NULL, 'and validated');
SELECT throws_ok($$SELECT tmac.configure_compliance('no_such', '1')$$, '42704', NULL, 'unknown settings are refused');

SELECT * FROM finish();
ROLLBACK;
