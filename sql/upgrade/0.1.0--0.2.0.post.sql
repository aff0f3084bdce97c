-- Hand-written part of sql/tmac--0.1.0--0.2.0.sql, run after the generated creations,
-- replacements and shipped rows, before the generated removals, privileges and comments
-- (test/upgrade/make_upgrade.sh includes it).  Put here data migration, changes to the
-- objects tmac.protect() created on users' tables, and whatever make_upgrade.sh reports
-- as not generated.

-- tmac.protect() changed in 0.2.0 (partitions and inheritance children, an audited
-- registry), but the policies and the trigger it puts on a table did not:
-- test/scripts/upgrade.sh compares those of a table protected under 0.1.0 with a fresh
-- protect(), so tables protected before the upgrade need nothing here.

-- 0.2.0 lets the HR feed act on a person's login role (NOLOGIN and tmac roles stripped at
-- termination, LOGIN back at rehire) only when a DBA enrolled it (tmac.enrol_login).
-- 0.1.0 had no enrolment and acted on every mapped role, so the roles persons are mapped
-- to now are enrolled here, by whoever runs the update (audited like any enrolment):
-- without this, terminating someone after the upgrade would leave their login working.
-- A role enrol_login would refuse (see tmac.login_role_refusal) stays unenrolled.
INSERT INTO tmac.login_enrolment (login_role, enrolled_by)
SELECT DISTINCT p.login_role, current_user
  FROM tmac.person p JOIN pg_catalog.pg_roles r ON r.rolname = p.login_role
 WHERE tmac.login_role_refusal(p.login_role) IS NULL
 ORDER BY 1;
-- Each enrolled login may do what every person may (tmac_person: record handling, report
-- incidents), as tmac.enrol_login grants from 0.2.0 on.
DO $person_role$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT e.login_role FROM tmac.login_enrolment e JOIN pg_catalog.pg_roles x ON x.rolname = e.login_role
            WHERE e.withdrawn_at IS NULL ORDER BY 1 LOOP
    EXECUTE pg_catalog.format('GRANT tmac_person TO %I', r.login_role);
  END LOOP;
END
$person_role$;

-- 0.2.0 keeps a copy of the vocabulary on schema tmac (label provider tmac_vocabulary), which
-- is what lets a plain pg_restore or pg_upgrade read labels before tmac's tables are loaded
-- (sql/install/80_restore.sql).  A database upgraded from 0.1.0 gets its first copy here.
DO $copy$
BEGIN
  EXECUTE pg_catalog.format('SECURITY LABEL FOR tmac_vocabulary ON SCHEMA tmac IS %L',
                            tmac.vocabulary_copy_text());
END
$copy$;

-- 0.2.0 has one settings system (sql/install/51_settings.sql): the compliance settings
-- (sod_exception_max, review_period, review_undecided, review_deadline_default) are rows of
-- tmac.setting like every other setting.  The values 0.1.0 kept in
-- tmac.compliance_setting_value move there with who changed them and when (the insert is
-- audited like any change of tmac.setting); the generated removals then drop the old table,
-- its defaults, the view tmac.compliance_setting and the function tmac.compliance_setting.
INSERT INTO tmac.setting (key, value, changed_at, changed_by)
SELECT v.key, v.value, v.changed_at, v.changed_by
  FROM tmac.compliance_setting_value v
 ORDER BY v.key;

-- 0.2.0 stores a person's group and a grant's bound group as the group's id (as labels
-- store ids), where 0.1.0 stored its code and rewrote every copy on a rename.  0.1.0 kept
-- those codes equal to tmac.org_group.code (its rename trigger), so each maps to one id; the
-- old columns are removed after this part.  The rows change through UPDATE, so the audit log
-- records the conversion of each.  A code that names no group stops the upgrade.
UPDATE tmac.person p SET org_group_id = g.group_id
  FROM tmac.org_group g WHERE g.code = p.org_group;
UPDATE tmac.access_grant a SET bound_org_group_id = g.group_id
  FROM tmac.org_group g WHERE g.code = a.bound_org_group;
DO $groups$
DECLARE
  lost text;
BEGIN
  SELECT string_agg(DISTINCT x, ', ') INTO lost FROM (
    SELECT p.org_group FROM tmac.person p WHERE p.org_group IS NOT NULL AND p.org_group_id IS NULL
    UNION ALL
    SELECT a.bound_org_group FROM tmac.access_grant a WHERE a.bound_org_group IS NOT NULL AND a.bound_org_group_id IS NULL) u(x);
  IF lost IS NOT NULL THEN
    RAISE EXCEPTION 'group codes that name no organisation group: %', lost
      USING ERRCODE = 'data_exception',
            HINT = 'Define those groups (tmac.define_group) or correct the persons under 0.1.0, then update again.';
  END IF;
END
$groups$;

-- 0.2.0 records the role a person logs in as by its OID too (tmac.person.login_role_oid), so
-- the login gate, the termination and the findings follow the role whatever it is renamed to.
-- Persons of 0.1.0 get the OID of the role that has their login name now (audited per person,
-- as any change of tmac.person); a role renamed before the upgrade cannot be recognised here.
UPDATE tmac.person p SET login_role_oid = r.oid
  FROM pg_catalog.pg_roles r WHERE r.rolname = p.login_role AND p.login_role_oid IS NULL;

-- 0.2.0's login gate (76_login_gate.sql) starts from the persons already there: terminated
-- persons and persons on leave are refused from the moment the upgrade commits.
SELECT tmac.login_gate_sync();

-- 0.2.0 hashes a label by the codes it names, not by this database's ids (src/label_compare.c),
-- so that a table hash-partitioned on a label restores into another database.  The new library
-- hashes differently from 0.1.0's: hash indexes on labels are rebuilt here, and a table
-- hash-partitioned on a label (its rows sit in the partitions of the old hash) refuses the
-- update, naming the tables, rather than leave rows where queries no longer look for them.
DO $hash$
DECLARE
  parted text;
  ix regclass;
BEGIN
  SELECT pg_catalog.string_agg(d.relid::text, ', ') INTO parted FROM tmac.label_hash_dependents() d
   WHERE d.partitioned AND NOT d.other_session;
  IF parted IS NOT NULL THEN
    RAISE EXCEPTION 'tables are hash-partitioned on a tmac.label column: %', parted
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'tmac 0.2.0 hashes a label by the codes it names, not by internal ids, so their rows would be in the wrong partitions.',
            HINT = 'Under 0.1.0, partition them by LIST or RANGE on the label (or by hash on another column), or copy their rows out (CREATE TABLE … AS SELECT * FROM …) and drop them; run ALTER EXTENSION tmac UPDATE, then create them again and insert the rows through the partitioned table.';
  END IF;
  -- (not other sessions' temporary relations, which end with their sessions; not partitioned
  -- indexes, whose partitions' indexes are rebuilt one by one)
  FOR ix IN SELECT d.relid FROM tmac.label_hash_dependents() d JOIN pg_catalog.pg_class c ON c.oid = d.relid
             WHERE NOT d.partitioned AND NOT d.other_session AND c.relkind = 'i' LOOP
    EXECUTE pg_catalog.format('REINDEX INDEX %s', ix);
  END LOOP;
END
$hash$;

-- 0.2.0's protected tables carry the codes of the vocabulary for a partial dump (security
-- label provider tmac_vocabulary_needed, 61_protect.sql): the tables protected under 0.1.0
-- get them here.
DO $needed$
DECLARE
  t regclass;
BEGIN
  FOR t IN SELECT p.relid FROM tmac.protected_table p ORDER BY 1 LOOP
    EXECUTE pg_catalog.format('SECURITY LABEL FOR tmac_vocabulary_needed ON TABLE %s IS %L', t, tmac.vocabulary_needed_text());
  END LOOP;
END
$needed$;

-- The settings' foreign key, dropped in the pre part while date_time_zone became time_zone.
ALTER TABLE tmac.setting ADD CONSTRAINT setting_key_fkey FOREIGN KEY (key) REFERENCES tmac.setting_default;

-- The audit entry of the pre part's rename of date_time_zone to time_zone.
SELECT tmac.audit_append('setting', 'UPDATE', 'time_zone',
                         pg_catalog.jsonb_build_object('renamed_from', 'date_time_zone', 'value', v,
                                                       'by', 'ALTER EXTENSION tmac UPDATE'))
  FROM (SELECT pg_catalog.current_setting('tmac_upgrade.time_zone_renamed', true) AS v) r
 WHERE r.v <> '';

-- 0.2.0 builds a bulk HR load's audit entries with two C aggregates (54_hr_feed.sql); their
-- step and final functions are generated above, the aggregates are not.
CREATE AGGREGATE tmac.hr_event_audit_detail(text, text, text, timestamptz, jsonb, timestamptz, name) (
  SFUNC = tmac.hr_event_audit_detail_step, STYPE = internal,
  FINALFUNC = tmac.hr_event_audit_detail_final, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE);
CREATE AGGREGATE tmac.hr_feed_keys_detail(text, text, text) (
  SFUNC = tmac.hr_feed_keys_detail_step, STYPE = internal,
  FINALFUNC = tmac.hr_feed_keys_detail_final, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE);

-- The audit log's detail is compressed with lz4 where the server has it (50_audit_log.sql):
-- entries written after the update; the earlier ones stay as they were stored.
DO $lz4$
BEGIN
  ALTER TABLE tmac.audit_log ALTER COLUMN detail SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$lz4$;

-- 0.2.0 keeps each act's read decision (tmac.act_verdict, 86_verdicts.sql): the acts recorded
-- before the upgrade are decided here, once.  No wait is needed (tmac.fold_verdicts waits for
-- older transactions): creating the act and marker triggers above took SHARE ROW EXCLUSIVE locks
-- on the act and governance tables, so every transaction that wrote them has ended, this
-- statement's snapshot sees what they committed, and nobody writes them until this commits.
INSERT INTO tmac.act_verdict (act, act_id, person_id, at, failed)
SELECT v.act, v.act_id, v.person_id, v.at, v.failed FROM tmac.act_verdicts_of(NULL) v;
