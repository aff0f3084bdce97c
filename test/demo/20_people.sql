-- 20_people.sql — demo: people from the HR feed, four-eyes approval of access, termination.
-- HR hires four people; a 極秘 clearance and a 製品設計図 grant are requested by the access
-- administrator and approved by two different approvers; a termination ends all access at once.
\set SHOW_CONTEXT never

\echo '== 1. ○○株式会社: 営業部 and 開発部 exist (10_labels.sql); add 総務部, where access is administered'
SELECT tmac.define_group('GA', '総務部')\g /dev/null
SELECT code, name FROM tmac.org_group WHERE parent_id IS NULL ORDER BY code;

\echo '== 2. The DBA creates the login roles (tmac maps people to them, it never creates them)'
\echo '   and gives the HR feed, the access administrator and the two approvers their tmac roles'
CREATE ROLE hr_system LOGIN;
CREATE ROLE sato LOGIN;
CREATE ROLE suzuki LOGIN;
CREATE ROLE takahashi LOGIN;
CREATE ROLE kimura LOGIN;
GRANT tmac_hr TO hr_system;
GRANT tmac_access_admin TO sato;
GRANT tmac_approver TO suzuki, takahashi;
\echo '   and enrols the four logins as persons'' logins: the HR feed may map a person only to an enrolled role'
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['sato', 'suzuki', 'takahashi', 'kimura']::regrole[]) r \g /dev/null
SELECT login_role, enrolled_by FROM tmac.login_enrolment ORDER BY login_role;

\echo '== 3. HR hires four people by inserting into tmac.hr_event; tmac applies each event at once'
SET ROLE hr_system;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('HR-0001', 'E1001', 'hire', '{"full_name": "佐藤 花子", "title": "課長", "org_group": "総務部", "job_role": "access_admin", "login_role": "sato"}'),
  ('HR-0002', 'E1002', 'hire', '{"full_name": "鈴木 一郎", "title": "部長", "org_group": "開発部", "job_role": "manager", "login_role": "suzuki"}'),
  ('HR-0003', 'E1003', 'hire', '{"full_name": "高橋 誠", "title": "部長", "org_group": "営業部", "job_role": "manager", "login_role": "takahashi"}'),
  ('HR-0004', 'E1004', 'hire', '{"full_name": "木村 拓也", "title": "主任", "org_group": "開発部", "job_role": "engineer", "login_role": "kimura"}');
SELECT event_id, person_id, kind, outcome FROM tmac.hr_event ORDER BY event_id;
SELECT person_id, full_name, title, g.code AS org_group, job_role, login_role, status
  FROM tmac.person p LEFT JOIN tmac.org_group g ON g.group_id = p.org_group_id ORDER BY person_id;

\echo '== 4. HR records each one''s pledge (誓約書) and training (従業員教育): access requires both'
SELECT person_id,
       tmac.record_pledge(person_id, 'hire', current_date) IS NOT NULL AS pledge_recorded,
       tmac.record_training(person_id, '情報管理の基本', current_date) IS NOT NULL AS training_recorded
  FROM tmac.person ORDER BY person_id;
RESET ROLE;

\echo '== 5. The access administrator (佐藤) requests a 極秘 clearance and 製品設計図 access for 木村'
SET ROLE sato;
SELECT tmac.request_clearance('E1004', '極秘', now() + interval '1 year', '次期製品の設計') AS clearance_grant
\gset
SELECT tmac.request_access('E1004', '製品設計図', now() + interval '1 year', '次期製品の設計') AS blueprint_grant
\gset
RESET ROLE;
SELECT grant_id, person_id, kind, level, compartment, mode, status, requested_by
  FROM tmac.grants ORDER BY grant_id;

\echo '== 6. First approval (鈴木): a 極秘 (TOP_SECRET) clearance needs two approvers, so it stays pending;'
\echo '   the 製品設計図 grant needs one'
SET ROLE suzuki;
SELECT tmac.approve(:clearance_grant, '設計リーダーとして必要');
SELECT tmac.approve(:blueprint_grant, '設計リーダーとして必要');

\echo '== 7. Four eyes: the requester (佐藤) cannot approve: approving is another duty (tmac_approver);'
\echo '   and the same approver (鈴木) cannot give the second approval'
\set ON_ERROR_STOP 0
SET ROLE sato;
SELECT tmac.approve(:clearance_grant);   -- expect-error
SET ROLE suzuki;
SELECT tmac.approve(:clearance_grant);   -- expect-error
\set ON_ERROR_STOP 1

\echo '== 8. A second, different approver (高橋) makes the clearance active'
SET ROLE takahashi;
SELECT tmac.approve(:clearance_grant, '承認');
RESET ROLE;
SELECT grant_id, person_id, kind, level, compartment, status, requested_by, approved_by,
       valid_until::date AS valid_until
  FROM tmac.grants ORDER BY grant_id;

\echo '== 9. 木村 leaves the company: HR feeds the termination'
\set ECHO none
SELECT max(entry_id) AS audit_before FROM tmac.audit_log
\gset
\set ECHO queries
SET ROLE hr_system;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
VALUES ('HR-0005', 'E1004', 'terminate', '{"note": "自己都合退職"}');
RESET ROLE;

\echo '== 10. In the same transaction every grant ended (reason terminated) and the login was disabled'
SELECT person_id, full_name, status FROM tmac.person WHERE person_id = 'E1004';
SELECT grant_id, kind, level, compartment, status, end_reason FROM tmac.grants
 WHERE person_id = 'E1004' ORDER BY grant_id;
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'kimura';

\echo '== 11. The audit log holds each change of the termination, hash-chained; the chain is intact (no rows)'
SELECT entry_id, actor, category, action,
       coalesce(subject, (detail ->> 'count') || ' rows') AS subject
  FROM tmac.audit_log WHERE entry_id > :audit_before ORDER BY entry_id;
SELECT * FROM tmac.verify_audit_log();
