-- 85_checks_registers.sql — the built-in checks of the certification registers ①③⑤⑦⑨.
--
-- The registers' own files (53 training and pledges, 62 inventory, 63 appointments,
-- 64 providers) keep their tables, API and check functions; this file, after the
-- check registry (71_compliance.sql), registers their stable check codes, each under its
-- criterion.  Each register has one grouped check function (returning check_code
-- first) that reads its tables once, so check_results runs it once for all its codes.

-- The findings of ⑤ and ⑦ over every person, trained or pledged or not (check codes in 85_checks_registers.sql):
--   training_overdue                  (I-5) an active employee or contractor, with or without a login, who has not
--                                     completed each course they must have current within its validity: the one
--                                     rule the access decision and the access-rights ledger use
--                                     (tmac.training_courses_required: the training_courses setting's courses and the
--                                     mandatory courses of their audience; none: any course within training_validity)
--   leaver_without_termination_pledge (II)  a terminated employee or contractor without a termination pledge
--   visitor_responsible_left          (II)  an active visitor whose responsible person is terminated
--   visitor_without_pledge            (II)  an active visitor without a current visitor pledge
-- (jit off: compiling this plan costs seconds on 100,000 rows, running it a fraction of that)
CREATE FUNCTION tmac.check_training_pledges()
  RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET jit = off SET work_mem = '64MB' SET enable_mergejoin = off
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT tmac.setting_value('training_new_hire_grace')::interval AS grace, tmac.today() AS today
  ), miss AS MATERIALIZED (   -- persons × required course not current, by the one rule (tmac.training_status_all)
    SELECT p.person_id, p.full_name, p.hired_on, coalesce(r.course, '') AS course
      FROM tmac.training_status_all(now()) r JOIN tmac.person p ON p.person_id = r.person_id
     WHERE p.status = 'active' AND p.kind IN ('employee', 'contractor') AND r.current_until IS NULL
  ), x AS (                 -- last completion, new-hire grace
    SELECT x.person_id, x.full_name, x.course, l.last
      FROM miss x CROSS JOIN s
      CROSS JOIN LATERAL (SELECT max(t.completed_on) AS last FROM tmac.training_completion t
                           WHERE t.person_id = x.person_id AND (x.course = '' OR t.course = x.course)) l
     WHERE (l.last IS NOT NULL OR x.hired_on IS NULL OR x.hired_on + s.grace <= s.today)
  )
  SELECT 'training_overdue', 'person:' || x.person_id,
         tmac.message('%s (%s) has not completed %s within its validity (last: %s). Train them and record it: tmac.record_training(%L, course, completed_on).',
                x.person_id, x.full_name,
                string_agg(CASE WHEN x.course = '' THEN tmac.message('any training course') ELSE tmac.message('course %s', x.course) END, ', ' ORDER BY x.course),
                coalesce(to_char(max(x.last), 'YYYY-MM-DD'), tmac.message('never')), x.person_id),
         NULL::timestamptz
    FROM x
   GROUP BY x.person_id, x.full_name
  UNION ALL
  SELECT 'leaver_without_termination_pledge', 'person:' || l.person_id,
         tmac.message('%s (%s) left on %s without a termination pledge (退職時の秘密保持誓約書). Obtain one and record it: tmac.record_pledge(%L, ''termination'', signed_on).',
                l.person_id, l.full_name, l.terminated_at, l.person_id),
         l.terminated_at
    FROM tmac.person l
   WHERE l.status = 'terminated' AND l.kind IN ('employee', 'contractor')
     AND NOT EXISTS (SELECT 1 FROM tmac.pledge pl WHERE pl.person_id = l.person_id AND pl.kind = 'termination'
                       AND (l.hired_on IS NULL OR pl.signed_on >= l.hired_on))
  UNION ALL
  SELECT 'visitor_responsible_left', 'person:' || v.person_id,
         tmac.message('Visitor %s (%s) is still active but the person responsible for them, %s (%s), left on %s. Name another responsible person or end the visit (HR feed).',
                v.person_id, v.full_name, r.person_id, r.full_name, r.terminated_at),
         r.terminated_at
    FROM tmac.person v JOIN tmac.person r ON r.person_id = v.responsible_person
   WHERE v.kind = 'visitor' AND v.status = 'active' AND r.status = 'terminated'
  UNION ALL
  SELECT 'visitor_without_pledge', 'person:' || v.person_id,
         tmac.message('Visitor %s (%s) has no current visitor pledge (訪問者の秘密保持誓約書). Obtain one and record it: tmac.record_pledge(%L, ''visitor'', signed_on).',
                v.person_id, v.full_name, v.person_id),
         NULL::timestamptz
    FROM tmac.person v CROSS JOIN s
   WHERE v.kind = 'visitor' AND v.status = 'active'
     AND NOT EXISTS (SELECT 1 FROM tmac.pledge pl WHERE pl.person_id = v.person_id AND pl.kind = 'visitor'
                       AND (pl.valid_until IS NULL OR pl.valid_until >= s.today));
END;
COMMENT ON FUNCTION tmac.check_training_pledges() IS
  'Checks of training (I-5) and pledges (II) over every person, one pass: training_overdue, leaver_without_termination_pledge, visitor_responsible_left, visitor_without_pledge';

-- The populations the registers' checks examine (tmac.compliance_population, 71_compliance.sql).
INSERT INTO tmac.compliance_population VALUES
  ('assets',       '重要情報目録の資産', tmac.msgid('active assets of the inventory'), 'SELECT count(*) FROM tmac.asset WHERE status = ''active'''),
  ('appointments', '管理者の選任',       tmac.msgid('appointments in force'),          'SELECT count(*) FROM tmac.appointment WHERE ended_at IS NULL'),
  ('providers',    '委託先',             tmac.msgid('active external providers'),      'SELECT count(*) FROM tmac.provider WHERE status = ''active''');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  -- ① 重要情報目録 (I-1)
  ('asset_table_unbound', 'I-1', 'high', tmac.msgid('Protected or labelled table not in the inventory'),
   tmac.msgid('A table protected by tmac.protect or classified with SECURITY LABEL FOR tmac is bound to no active asset of the inventory (重要情報目録), directly, through a parent table or through its schema: important information is held that the inventory does not name (seed ①).'),
   tmac.msgid('Register the asset (tmac.register_asset) and bind the table or its schema (tmac.bind_table, tmac.bind_schema, or tmac.protect(table, label_column, asset_no)).'),
   'tmac.check_inventory', '{}', '{protected_tables}', true),
  ('asset_no_manager', 'I-1', 'medium', tmac.msgid('Asset without a manager'),
   tmac.msgid('An active asset of the inventory names no 管理責任者 (the person responsible for it).'),
   tmac.msgid('Name one: tmac.update_asset(asset_no, ''{"manager":"<person_id>"}'').'),
   'tmac.check_inventory', '{}', '{assets}', true),
  ('asset_manager_left', 'I-1', 'high', tmac.msgid('Asset whose manager left'),
   tmac.msgid('The 管理責任者 of an active asset is terminated: nobody is responsible for it any more.'),
   tmac.msgid('Name a new manager with tmac.update_asset.'),
   'tmac.check_inventory', '{}', '{assets}', true),
  ('asset_no_location', 'I-1', 'medium', tmac.msgid('Asset without a location'),
   tmac.msgid('An active asset records neither a 保存先 (a container, area or system) nor a bound table or schema.'),
   tmac.msgid('Record where it is kept: tmac.update_asset with "location", or tmac.bind_table / tmac.bind_schema.'),
   'tmac.check_inventory', '{}', '{assets}', true),
  ('asset_review_overdue', 'I-1', 'medium', tmac.msgid('Inventory not reviewed'),
   tmac.msgid('An active asset was not reviewed within the inventory_review_interval setting (12 months by default): the inventory may no longer describe what is held.'),
   tmac.msgid('Review the inventory and record it: tmac.review_assets() (all active assets) or tmac.review_assets(ARRAY[...]).'),
   'tmac.check_inventory', '{}', '{assets}', true),
  ('asset_contract_measures_missing', 'I-1', 'high', tmac.msgid('Entrusted information without its contract measures'),
   tmac.msgid('An asset entrusted by another company (預託) records no contract reference or no measures the contract requires (seed ②: 他社が求める対策).'),
   tmac.msgid('Record them: tmac.update_asset(asset_no, ''{"contract_ref":"…","contract_measures":"…"}'').'),
   'tmac.check_inventory', '{}', '{assets}', true),
  -- ③ 管理者の選任 (I-3)
  ('officer_missing', 'I-3', 'high', tmac.msgid('No information-management officer'),
   tmac.msgid('Persons are registered but no 情報管理責任者 is appointed and in force today (seed ③).'),
   tmac.msgid('経営層 appoints one: tmac.appoint(person_id, ''information_officer'', appointed_by, announced_how => …, announced_on => …).'),
   'tmac.check_appointments', '{}', '{persons}', true),
  ('officer_multiple', 'I-3', 'high', tmac.msgid('More than one information-management officer'),
   tmac.msgid('More than one 情報管理責任者 is in force at once: responsibility is not clear.'),
   tmac.msgid('End all but one appointment: tmac.end_appointment(appointment_id, reason).'),
   'tmac.check_appointments', '{}', '{persons}', true),
  ('appointee_unavailable', 'I-3', 'high', tmac.msgid('Appointee terminated, on leave or moved'),
   tmac.msgid('An appointment in force names a person who is terminated, on leave, or was transferred or promoted after the appointment.'),
   tmac.msgid('End it and appoint someone else, or appoint the person again for the new position (tmac.end_appointment, tmac.appoint).'),
   'tmac.check_appointments', '{}', '{appointments}', true),
  ('appointment_not_announced', 'I-3', 'low', tmac.msgid('Appointment not announced'),
   tmac.msgid('An appointment in force was never made known (周知: 情報管理規程, 社内研修, 掲示, 朝礼), so employees may not know whom to report to.'),
   tmac.msgid('Announce it and record how and when: tmac.announce_appointment(appointment_id, how, on).'),
   'tmac.check_appointments', '{}', '{appointments}', true),
  -- ⑤ 従業員教育 (I-5) and ⑦ 誓約書 (II)
  ('training_overdue', 'I-5', 'medium', tmac.msgid('Training not current'),
   tmac.msgid('An active employee or contractor — with or without a database login, with or without access — has not completed each course they must have current within its validity (training_validity, 12 months by default: at least yearly): the courses the training_courses setting names and the mandatory courses of their audience (tmac.training_course); with none, any course counts. It is the one rule the access decision and the access-rights ledger use (tmac.training_courses_required). Persons hired within training_new_hire_grace are not yet a finding for a course never completed.'),
   tmac.msgid('Train them and record it: tmac.record_training(person_id, course, completed_on).'),
   'tmac.check_training_pledges', '{}', '{persons}', true),
  ('leaver_without_termination_pledge', 'II', 'medium', tmac.msgid('Leaver without a termination pledge'),
   tmac.msgid('A terminated employee or contractor signed no termination pledge (退職時の秘密保持誓約書) since they were hired.'),
   tmac.msgid('Obtain one and record it: tmac.record_pledge(person_id, ''termination'', signed_on, template_version => …, document_sha256 => …).'),
   'tmac.check_training_pledges', '{}', '{persons}', true),
  ('visitor_responsible_left', 'II', 'high', tmac.msgid('Visitor whose responsible person left'),
   tmac.msgid('An active visitor''s responsible person (立会い・責任者) is terminated: nobody accompanies or answers for the visitor.'),
   tmac.msgid('Name another responsible person or end the visit through the HR feed.'),
   'tmac.check_training_pledges', '{}', '{persons}', true),
  ('visitor_without_pledge', 'II', 'medium', tmac.msgid('Visitor without a pledge'),
   tmac.msgid('An active visitor has no current visitor pledge (訪問者の秘密保持誓約書).'),
   tmac.msgid('Obtain one and record it: tmac.record_pledge(person_id, ''visitor'', signed_on).'),
   'tmac.check_training_pledges', '{}', '{persons}', true),
  -- ⑨ 委託先 (V)
  ('provider_nda_missing', 'V', 'high', tmac.msgid('Provider without an NDA'),
   tmac.msgid('An external provider (cloud, data centre, carrier, agency, subcontractor) holds active assets but no 秘密保持契約 is on record (seed ⑨).'),
   tmac.msgid('Sign an NDA and record it: tmac.record_provider_nda(provider_id, signed_on, expires_on, reference); or withdraw the assets.'),
   'tmac.check_providers', '{}', '{providers}', true),
  ('provider_nda_expired', 'V', 'high', tmac.msgid('Provider whose NDA expired'),
   tmac.msgid('An external provider holds active assets but its NDA is past its expiry.'),
   tmac.msgid('Renew it (tmac.record_provider_nda), or withdraw the assets (tmac.withdraw_asset).'),
   'tmac.check_providers', '{}', '{providers}', true),
  ('provider_not_evaluated', 'V', 'medium', tmac.msgid('Provider not evaluated'),
   tmac.msgid('An external provider holds active assets but was never evaluated (委託先評価), or its evaluation was rejected.'),
   tmac.msgid('Evaluate it: tmac.evaluate_provider(provider_id, evaluated_on, approved|conditional|rejected, note).'),
   'tmac.check_providers', '{}', '{providers}', true),
  ('contractor_agency_no_nda', 'V', 'high', tmac.msgid('Contractor whose agency has no NDA'),
   tmac.msgid('An active contractor person has no agency on record, or their agency (staffing agency, subcontractor) has no current NDA.'),
   tmac.msgid('HR records the agency (tmac.set_contractor_agency); tmac_admin records its NDA (tmac.record_provider_nda).'),
   'tmac.check_providers', '{}', '{persons}', true);

-- What tmac now keeps for the criteria the registers serve (tmac.criterion.evidence).
UPDATE tmac.criterion SET evidence = CASE criterion
  WHEN 'I-1' THEN '重要情報目録: the inventory (tmac.asset) and the tables and schemas bound to it (tmac.asset_binding); classification labels on tables and columns (SECURITY LABEL FOR tmac) and the protected tables (tmac.protected_table)'
  WHEN 'I-3' THEN '管理者の選任: appointments (tmac.appointment, tmac.appointment_role); duties and who holds them (tmac.duty, tmac.duty_assignment)'
  WHEN 'I-5' THEN 'courses, training completions and pledges (tmac.training_course, tmac.training_completion, tmac.pledge)'
  WHEN 'V'   THEN 'row-level enforcement (tmac.protected_table), privileged roles (tmac.privileged_role), the audit log (tmac.audit_log, tmac.verify_audit_log()), external providers and their NDAs (tmac.provider, tmac.provider_asset, tmac.contractor_agency)'
  ELSE evidence END
 WHERE criterion IN ('I-1', 'I-3', 'I-5', 'V');
