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

-- 0.2.0's login gate (76_login_gate.sql) starts from the persons already there: terminated
-- persons and persons on leave are refused from the moment the upgrade commits.
SELECT tmac.login_gate_sync();
