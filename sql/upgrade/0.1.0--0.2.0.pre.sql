-- Hand-written part of sql/tmac--0.1.0--0.2.0.sql, run before the generated statements
-- (test/upgrade/make_upgrade.sh includes it).  Put here what must happen before the new
-- definitions: dropping what depends on a function or view whose signature changes,
-- new types and operators, converting a column's type.  It runs once, inside
-- ALTER EXTENSION tmac UPDATE, as a superuser.

-- 0.2.0 has no view tmac.compliance_setting (the compliance settings are tmac.settings rows),
-- but 0.1.0's reader tmac.compliance_setting(text) depends on it, and check_grants on the
-- reader until check_grants is replaced below: until its removal at the end, the reader reads
-- the tables through a body that depends on nothing, so the view can go first.
CREATE OR REPLACE FUNCTION tmac.compliance_setting(setting text) RETURNS text
  LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT coalesce(v.value, d.value) FROM tmac.compliance_setting_default d
     LEFT JOIN tmac.compliance_setting_value v ON v.key = d.key WHERE d.key = $1 $$;

-- 0.2.0's one run of the compliance checks as a value (71_compliance_runner.sql)
CREATE TYPE tmac.check_result AS (criterion text, check_code text, severity text, ran boolean,
                                  subject text, detail text, detected_at timestamptz);

-- 0.2.0 has one company time zone, the setting time_zone; 0.1.0 called it date_time_zone
-- (for the days pledges and training begin and end).  A value a company set moves to the new
-- name here; the shipped rows below then add time_zone's default and remove date_time_zone's,
-- which the foreign key from tmac.setting would refuse while a row still named it: the key is
-- dropped here and added again in the post part.  The rename is audited in the post part: its
-- audit entry written here would leave an event pending on tmac.audit_log, whose ALTER TABLE
-- below then fails (test/scripts/upgrade.sh sets date_time_zone in 0.1.0).
ALTER TABLE tmac.setting DROP CONSTRAINT setting_key_fkey;
ALTER TABLE tmac.setting DISABLE TRIGGER audit_update;
UPDATE tmac.setting SET key = 'time_zone' WHERE key = 'date_time_zone';
ALTER TABLE tmac.setting ENABLE TRIGGER audit_update;
SELECT pg_catalog.set_config('tmac_upgrade.time_zone_renamed',
                             coalesce((SELECT s.value FROM tmac.setting s WHERE s.key = 'time_zone'), ''), true);
