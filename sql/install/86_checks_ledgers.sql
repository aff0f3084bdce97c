-- 86_checks_ledgers.sql — the built-in checks of the handling ledger (④, Ⅰ-4), the incident
-- register (⑥, Ⅰ-6) and the containers, keys and areas (⑧, Ⅲ, Ⅳ), registered in the check
-- registry of 71_compliance.sql.  Each register has one check function serving all its check
-- codes (one pass over its tables; set-based, no per-row loops); thresholds are tmac settings
-- (incident_escalation_limit, combination_max_age).

-- Findings of ④.
CREATE FUNCTION tmac.check_handling()
  RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT CASE WHEN e.rule_applied = 'forbidden' THEN 'handling_forbidden' ELSE 'handling_unapproved' END,
         'handling:' || e.entry_id,
         tmac.message('Handling entry %s: %s (%s) of %s at level %s by %s on %s %s. %s',
                e.entry_id, e.action, a.name_ja,
                coalesce(s.asset_no, pg_catalog.array_to_string(e.source_tables, ', ')),
                coalesce(l.code, tmac.message('unknown')), coalesce(e.handler, e.handler_role::text),
                e.handled_at,
                CASE WHEN e.automatic THEN tmac.message('(automatic: %s rows, %s)', e.row_count, coalesce(e.target_table, '')) ELSE '' END,
                CASE WHEN e.rule_applied = 'forbidden'
                     THEN tmac.message('The handling standard forbids this action at this level. A manager reviews it and records what was done (tmac.acknowledge_handling).')
                     ELSE tmac.message('The handling standard requires a manager''s approval, which is missing. An approver other than the handler approves it (tmac.approve_handling) or records the review (tmac.acknowledge_handling).') END),
         e.handled_at
    FROM tmac.handling_entry e
    JOIN tmac.handling_action a ON a.action = e.action
    LEFT JOIN tmac.asset s ON s.asset_id = e.asset_id
    LEFT JOIN tmac.level l ON l.rank = e.level_rank
   WHERE e.rule_applied <> 'allowed' AND e.approved_at IS NULL AND e.acknowledged_at IS NULL
  UNION ALL
  SELECT 'handling_not_returned', 'handling:' || e.entry_id,
         tmac.message('Handling entry %s: %s of %s by %s was due back on %s and has not been returned. %s',
                e.entry_id, e.action, s.asset_no, e.handler, e.due_at,
                CASE WHEN e.return_reported_at IS NOT NULL
                     THEN tmac.message('The handler reported the return on %s, which is not confirmed: a second person confirms it (tmac.confirm_return).',
                                            e.return_reported_at)
                     ELSE tmac.message('Get it back: the handler reports the return (tmac.return_handling) and a second person confirms it, or the handler''s manager or an approver of the asset records it.') END),
         e.due_at
    FROM tmac.handling_entry e
    LEFT JOIN tmac.asset s ON s.asset_id = e.asset_id
   WHERE e.returned_at IS NULL AND e.due_at IS NOT NULL AND e.due_at < now()
  UNION ALL
  SELECT 'handling_copies_unaccounted', 'asset:' || s.asset_no,
         tmac.message('Asset %s (%s) was disposed of, but copies %s made of it were neither disposed of nor returned. Find them and record their disposal (tmac.record_handling with action dispose and their serials).',
                s.asset_no, s.name, pg_catalog.array_to_string(u.serials, ', ')),
         d.disposed_at
    FROM (SELECT d.asset_id, max(d.handled_at) AS disposed_at      -- the disposed assets (few), then their copies
            FROM tmac.handling_entry d WHERE d.action = 'dispose' AND d.asset_id IS NOT NULL
           GROUP BY d.asset_id) d
    CROSS JOIN LATERAL (
          SELECT pg_catalog.array_agg(DISTINCT c.serial ORDER BY c.serial) AS serials
            FROM (SELECT pg_catalog.unnest(e.copy_serials) AS serial
                    FROM tmac.handling_entry e WHERE e.asset_id = d.asset_id AND e.action = 'copy') c
           WHERE NOT EXISTS (SELECT 1 FROM tmac.handling_entry x
                              WHERE x.asset_id = d.asset_id AND x.action IN ('dispose', 'return')
                                AND c.serial = ANY (x.copy_serials))
             AND NOT EXISTS (SELECT 1 FROM tmac.handling_entry x
                              WHERE x.asset_id = d.asset_id AND x.action = 'copy' AND x.returned_at IS NOT NULL
                                AND c.serial = ANY (x.copy_serials))) u
    JOIN tmac.asset s ON s.asset_id = d.asset_id
   WHERE u.serials IS NOT NULL;
END;
COMMENT ON FUNCTION tmac.check_handling() IS
  'Checks handling_forbidden, handling_unapproved, handling_not_returned and handling_copies_unaccounted over the handling ledger (one pass)';

-- The populations these checks examine (tmac.compliance_population, 71_compliance.sql).
INSERT INTO tmac.compliance_population VALUES
  ('handling_entries', '取扱管理簿の記録', tmac.msgid('handling ledger entries'),     'SELECT count(*) FROM tmac.handling_entry'),
  ('incidents',        '事故・兆候の報告', tmac.msgid('incidents and leak signs reported'), 'SELECT count(*) FROM tmac.incident'),
  ('containers',       '保管容器',         tmac.msgid('storage containers'),          'SELECT count(*) FROM tmac.container'),
  ('areas',            '立入制限区域',     tmac.msgid('restricted areas'),            'SELECT count(*) FROM tmac.restricted_area');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('handling_forbidden', 'I-4', 'high',
   tmac.msgid('Action the handling standard forbids'),
   tmac.msgid('The handling ledger records an action that the handling standard (情報管理基準) forbids at the level of what was handled, e.g. a copy of 対外秘 information, or protected rows copied into an unprotected table (seed ④).'),
   tmac.msgid('A manager reviews the entry, deals with the copy or export, and records it with tmac.acknowledge_handling.'),
   'tmac.check_handling', '{}', '{handling_entries}', true),
  ('handling_unapproved', 'I-4', 'high',
   tmac.msgid('Handling that lacked its approval'),
   tmac.msgid('The handling standard requires a manager''s approval for this action at this level, and the ledger shows none: e.g. 極秘 taken out, or protected rows exported with COPY … TO, without 承認者 (seed ④).'),
   tmac.msgid('An approver other than the handler approves it (tmac.approve_handling), or a manager records the review (tmac.acknowledge_handling).'),
   'tmac.check_handling', '{}', '{handling_entries}', true),
  ('handling_not_returned', 'I-4', 'medium',
   tmac.msgid('Take-out not returned by its due date'),
   tmac.msgid('Information taken out, provided or copied with a due date has not been returned by then (seed ④, 管理簿 終了時).'),
   tmac.msgid('Get it back: the handler reports the return (tmac.return_handling) and a second person confirms it (tmac.confirm_return), or the handler''s manager or an approver of the asset records it (tmac.return_handling).'),
   'tmac.check_handling', '{}', '{handling_entries}', true),
  ('handling_copies_unaccounted', 'I-4', 'high',
   tmac.msgid('Copies not accounted for at disposal'),
   tmac.msgid('An asset was disposed of while copies made of it (by their serial numbers) were neither disposed of nor returned (seed ④, 廃棄).'),
   tmac.msgid('Find the copies and record their disposal (tmac.record_handling, action dispose, with their serials) or return.'),
   'tmac.check_handling', '{}', '{handling_entries}', true);

CREATE FUNCTION tmac.check_incidents()
  RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'incident_not_escalated', 'incident:' || i.incident_id,
         tmac.message('Incident %s (reported %s by %s) has not been reported to management (経営層) within %s. Report it and record that (tmac.escalate_incident).',
                i.incident_id, i.reported_at, i.reported_by,
                tmac.setting_value('incident_escalation_limit')),
         i.reported_at + tmac.setting_value('incident_escalation_limit')::interval
    FROM tmac.incident i
   WHERE i.escalated_at IS NULL
     AND i.reported_at + tmac.setting_value('incident_escalation_limit')::interval < now()
  UNION ALL
  SELECT 'incident_overdue', 'incident:' || i.incident_id,
         tmac.message('Incident %s is still open past its deadline %s. Finish the response and close it (tmac.close_incident), or set a new deadline with its reason (tmac.update_incident).',
                i.incident_id, i.due_by),
         i.due_by
    FROM tmac.incident i
   WHERE i.status = 'open' AND i.due_by < now()
  UNION ALL
  SELECT 'incident_entrusted_unnotified', 'incident:' || i.incident_id,
         tmac.message('Incident %s concerns entrusted information (%s, of %s) but the entrusting company (委託元) was not notified. Notify it and record that (tmac.notify_incident with entrusting_company).',
                i.incident_id, pg_catalog.string_agg(a.asset_no, ', ' ORDER BY a.asset_no),
                pg_catalog.string_agg(DISTINCT a.entrusted_by, ', ')),
         i.reported_at
    FROM tmac.incident i
    JOIN tmac.incident_asset ia ON ia.incident_id = i.incident_id
    JOIN tmac.asset a ON a.asset_id = ia.asset_id AND a.origin = 'entrusted'
   WHERE NOT EXISTS (SELECT 1 FROM tmac.incident_notification n
                      WHERE n.incident_id = i.incident_id AND n.recipient_kind = 'entrusting_company')
   GROUP BY i.incident_id, i.reported_at;
END;
COMMENT ON FUNCTION tmac.check_incidents() IS
  'Checks incident_not_escalated, incident_overdue and incident_entrusted_unnotified over the incident register (one pass)';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('incident_not_escalated', 'I-6', 'high',
   tmac.msgid('Incident not escalated to management in time'),
   tmac.msgid('An incident or leak sign was reported but the manager has not reported it to management (経営層) within incident_escalation_limit (seed ⑥: 管理責任者は、速やかに経営者・経営層に報告).'),
   tmac.msgid('Report it to management and record that with tmac.escalate_incident.'),
   'tmac.check_incidents', '{}', '{incidents}', true),
  ('incident_overdue', 'I-6', 'medium',
   tmac.msgid('Incident open past its deadline'),
   tmac.msgid('An incident is still open after its deadline (due_by; incident_close_deadline after the report unless set).'),
   tmac.msgid('Finish the response and close it with tmac.close_incident, or set a new deadline with tmac.update_incident.'),
   'tmac.check_incidents', '{}', '{incidents}', true),
  ('incident_entrusted_unnotified', 'I-6', 'high',
   tmac.msgid('Entrusted information''s incident not notified to the entrusting company'),
   tmac.msgid('An incident concerns information entrusted by another company (預託) and no notification to the entrusting company (委託元) is recorded (seed ⑥ 報告ルート: 情報の委託元).'),
   tmac.msgid('Notify the entrusting company and record it with tmac.notify_incident(…, ''entrusting_company'', …).'),
   'tmac.check_incidents', '{}', '{incidents}', true);

CREATE FUNCTION tmac.check_facilities()
  RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH locks AS (
    SELECT 'container' AS kind, c.container_id AS id, c.code, c.name, c.lock_type, c.custodian, c.retired_at
      FROM tmac.container c
    UNION ALL
    SELECT 'area', a.area_id, a.code, a.name, a.lock_type, a.custodian, a.retired_at FROM tmac.restricted_area a
  ), last_change AS (
    SELECT CASE WHEN x.container_id IS NOT NULL THEN 'container' ELSE 'area' END AS kind,
           coalesce(x.container_id, x.area_id) AS id, max(x.changed_at) AS at
      FROM tmac.combination_change x GROUP BY 1, 2
  ), left_holders AS (
    SELECT CASE WHEN h.container_id IS NOT NULL THEN 'container' ELSE 'area' END AS kind,
           coalesce(h.container_id, h.area_id) AS id, h.person_id,
           least(h.until, p.terminated_at) AS left_at
      FROM tmac.container_holder h JOIN tmac.person p ON p.person_id = h.person_id
     WHERE h.until IS NOT NULL OR p.status = 'terminated'
  )
  SELECT 'combination_stale', l.kind || ':' || l.code,
         CASE WHEN c.at IS NULL
              THEN tmac.message('The combination of %s %s (%s) was never recorded as changed. Change it and record that (tmac.record_combination_change).', l.kind, l.code, l.name)
              ELSE tmac.message('The combination of %s %s (%s) was last changed on %s, more than %s ago. Change it and record that (tmac.record_combination_change, reason annual).',
                          l.kind, l.code, l.name, c.at, tmac.setting_value('combination_max_age')) END,
         c.at
    FROM locks l LEFT JOIN last_change c ON c.kind = l.kind AND c.id = l.id
   WHERE l.lock_type = 'combination' AND l.retired_at IS NULL
     AND (c.at IS NULL OR c.at < now() - tmac.setting_value('combination_max_age')::interval)
  UNION ALL
  SELECT 'combination_holder_left', l.kind || ':' || l.code,
         tmac.message('%s left %s %s (%s) on %s but its combination was not changed since. Change it and record that (tmac.record_combination_change, reason holder_changed).',
                h.person_id, l.kind, l.code, l.name, h.left_at),
         h.left_at
    FROM locks l
    JOIN LATERAL (SELECT x.person_id, x.left_at FROM left_holders x
                   WHERE x.kind = l.kind AND x.id = l.id ORDER BY x.left_at DESC LIMIT 1) h ON true
    LEFT JOIN last_change c ON c.kind = l.kind AND c.id = l.id
   WHERE l.lock_type = 'combination' AND l.retired_at IS NULL
     AND (c.at IS NULL OR c.at < h.left_at)
  UNION ALL
  SELECT 'key_not_returned', 'key:' || k.code,
         tmac.message('Key %s lent to %s on %s was due back on %s and has not been returned. Get it back and record that (tmac.return_key).',
                k.code, kl.borrower, kl.lent_at, kl.due_at),
         kl.due_at
    FROM tmac.key_loan kl JOIN tmac.physical_key k ON k.key_id = kl.key_id
   WHERE kl.returned_at IS NULL AND kl.due_at < now()
  UNION ALL
  SELECT 'visitor_without_escort', 'area_entry:' || e.entry_id,
         tmac.message('Visitor %s entered restricted area %s on %s without an escort (立会者). Record who escorted them (tmac.record_exit with escort), or investigate.',
                coalesce(e.visitor_name || ' (' || e.visitor_company || ')', e.person_id), a.code,
                e.entered_at),
         e.entered_at
    FROM tmac.area_entry e
    JOIN tmac.restricted_area a ON a.area_id = e.area_id
    LEFT JOIN tmac.person p ON p.person_id = e.person_id
   WHERE e.escort IS NULL AND (e.visitor_name IS NOT NULL OR p.kind = 'visitor')
  UNION ALL
  SELECT 'custodian_terminated', x.kind || ':' || x.code,
         tmac.message('The custodian of %s %s, %s, was terminated on %s. Hand it to an active person (tmac.set_custodian).',
                x.kind, x.code, p.person_id, p.terminated_at),
         p.terminated_at
    FROM (SELECT l.kind, l.code, l.custodian FROM locks l WHERE l.retired_at IS NULL
          UNION ALL
          SELECT 'key', k.code, k.custodian FROM tmac.physical_key k WHERE k.retired_at IS NULL) x
    JOIN tmac.person p ON p.person_id = x.custodian
   WHERE p.status = 'terminated'
  UNION ALL
  SELECT 'transport_receipt_missing', 'transport:' || t.transport_id,
         tmac.message('The sealed transport %s of asset %s to %s (sent %s) has no receipt (受領証). Get it and record it (tmac.record_receipt).',
                t.transport_id, s.asset_no, t.recipient, t.sent_at),
         t.sent_at
    FROM tmac.sealed_transport t JOIN tmac.asset s ON s.asset_id = t.asset_id
   WHERE t.receipt_ref IS NULL AND t.sent_at < now() - interval '7 days';
END;
COMMENT ON FUNCTION tmac.check_facilities() IS
  'Checks combination_stale, combination_holder_left, key_not_returned, visitor_without_escort, custodian_terminated and transport_receipt_missing over containers, keys and areas (one pass)';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('combination_stale', 'III', 'medium',
   tmac.msgid('Combination older than allowed'),
   tmac.msgid('A combination lock of a container or restricted area was not changed within combination_max_age (seed ⑧: 文字盤鍵の鍵番号は、年に1回以上変更する).'),
   tmac.msgid('Change the combination and record it with tmac.record_combination_change.'),
   'tmac.check_facilities', '{}', '{containers}', true),
  ('combination_holder_left', 'III', 'high',
   tmac.msgid('Combination not changed after a holder left'),
   tmac.msgid('A person who knew a combination stopped holding it, or was terminated, and the combination was not changed since (seed ⑧: 管理者やアクセス権者が替わった場合).'),
   tmac.msgid('Change the combination and record it with tmac.record_combination_change (reason holder_changed).'),
   'tmac.check_facilities', '{}', '{containers}', true),
  ('key_not_returned', 'III', 'medium',
   tmac.msgid('Key not returned'),
   tmac.msgid('A key lent from the key ledger (鍵の貸出し管理簿) is past its due time and not returned.'),
   tmac.msgid('Get the key back and record it with tmac.return_key.'),
   'tmac.check_facilities', '{}', '{containers}', true),
  ('visitor_without_escort', 'IV', 'high',
   tmac.msgid('Visitor without escort'),
   tmac.msgid('A visitor entered a restricted area with no escort (立会者) recorded (seed ⑦/⑧: アクセス権を設定された者の立会い).'),
   tmac.msgid('Record the escort (tmac.record_exit with escort), or investigate the entry.'),
   'tmac.check_facilities', '{}', '{areas}', true),
  ('custodian_terminated', 'III', 'high',
   tmac.msgid('Custodian who was terminated'),
   tmac.msgid('The custodian of a container, restricted area or key was terminated; nobody is responsible for it.'),
   tmac.msgid('Hand it to an active person with tmac.set_custodian (and change the combination).'),
   'tmac.check_facilities', '{}', '{containers}', true),
  ('transport_receipt_missing', 'III', 'medium',
   tmac.msgid('Sealed transport without receipt'),
   tmac.msgid('A sealed transport sent more than 7 days ago has no receipt (受領証) recorded (seed ⑧: 運搬後、受領証を受け取り、管理者に提出).'),
   tmac.msgid('Get the receipt and record it with tmac.record_receipt.'),
   'tmac.check_facilities', '{}', '{containers}', true);

-- What tmac now keeps for I-4, I-6, III and IV (tmac.criterion.evidence).
UPDATE tmac.criterion SET evidence = CASE criterion
  WHEN 'I-4' THEN '情報管理基準 and 取扱管理簿: the handling standard (tmac.handling_standard, tmac.handling_rule) and the handling ledger (tmac.handling_entry), with entries tmac records by itself for COPY TO, copies into unprotected tables and deletions'
  WHEN 'I-6' THEN 'the incident register and its timeline (tmac.incident, tmac.incident_asset, tmac.incident_notification, tmac.incident_event) with the seed''s leak signs (tmac.leak_sign); leak signs from real access: the access statistics and their history (tmac.access_stats, tmac.access_stats_history, tmac.access_history(text)); refused logins of leavers (tmac.login_gate_refusals())'
  WHEN 'III' THEN 'storage containers, their holders and assets, keys and their loans, combination changes, sealed transports (tmac.container, tmac.container_holder, tmac.container_asset, tmac.physical_key, tmac.key_loan, tmac.combination_change, tmac.sealed_transport)'
  WHEN 'IV'  THEN 'restricted areas and their entry log (tmac.restricted_area, tmac.area_entry)'
  ELSE evidence END
 WHERE criterion IN ('I-4', 'I-6', 'III', 'IV');

-- The write-down rule (src/information_flow.c): while write_down is anything but refuse, a
-- transaction that read protected rows may write them into lower rows of protected tables,
-- which the handling ledger never sees as a copy; that setting is a finding of handling_forbidden.
INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('write_down', 'handling_forbidden', 'other_than', 'refuse', false,
   tmac.msgid('protected rows read in a transaction may be written into lower-labelled rows (audited or not) instead of the write being refused'));
