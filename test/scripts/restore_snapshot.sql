-- restore_snapshot.sql — what a restore or pg_upgrade of restore_fixture.sql must keep, as text
-- (no OIDs); the restore's own audit entry (category restore) is left out and checked apart.
SET search_path = public, tmac;
SELECT 'level', rank, code, name, aliases::text, builtin FROM tmac.level ORDER BY rank;
SELECT 'compartment', compartment_id, code, name, description FROM tmac.compartment ORDER BY compartment_id;
SELECT 'group', g.group_id, g.code, g.name, p.code FROM tmac.org_group g
  LEFT JOIN tmac.org_group p ON p.group_id = g.parent_id ORDER BY g.group_id;
SELECT 'doc', id, l, tmac.marking(l), title, draft FROM app.doc ORDER BY id;
SELECT 'part', tableoid::regclass, id, l FROM app.part ORDER BY id;
SELECT 'bylabel', tableoid::regclass, id, l FROM app.bylabel ORDER BY id;
SELECT 'bound', c.oid::regclass, pg_get_expr(c.relpartbound, c.oid) FROM pg_class c
 WHERE c.relnamespace = 'app'::regnamespace AND c.relispartition ORDER BY c.relname;
SELECT 'default', pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = 'app.doc'::regclass;
SELECT 'check', conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'app.doc'::regclass AND contype = 'c' OR contypid = 'app.below_top'::regtype ORDER BY 2;
SELECT 'index', indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'app.doc'::regclass
 ORDER BY indexrelid::regclass::text;
SELECT 'view', pg_get_viewdef('app.sales_docs'::regclass), (SELECT string_agg(id::text, ',') FROM app.sales_docs);
SELECT 'object_label', object_type, object_identity, label, marking FROM tmac.object_label
 ORDER BY object_type, object_identity;
SELECT 'dominance', a.id, b.id FROM app.doc a, app.doc b WHERE a.l @> b.l ORDER BY 2, 3;
SELECT 'protection', relrowsecurity, relforcerowsecurity,
       (SELECT string_agg(polname, ',' ORDER BY polname) FROM pg_policy WHERE polrelid = c.oid),
       (SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal),
       (SELECT label_column FROM tmac.protected_table WHERE relid = c.oid)
  FROM pg_class c WHERE c.oid = 'app.doc'::regclass;
SELECT 'acl', relname, relacl::text FROM pg_class WHERE relnamespace = 'app'::regnamespace AND relacl IS NOT NULL ORDER BY 2;
SELECT 'person', person_id, full_name, org_group_id, job_role, login_role, status FROM tmac.person ORDER BY 2;
SELECT 'hr_event', event_id, person_id, kind, outcome, applied_at IS NOT NULL, received_by FROM tmac.hr_event ORDER BY 2;
SELECT 'pledge', person_id, kind, signed_on FROM tmac.pledge ORDER BY 2;
SELECT 'training', person_id, course, completed_on FROM tmac.training_completion ORDER BY 2;
SELECT 'grant', grant_id, person_id, kind, level, compartment, mode, status, requested_by, approved_by::text, end_reason
  FROM tmac.grants ORDER BY 2;
SELECT 'sod_rule', rule_id, name, duty_a, duty_b FROM tmac.sod_rule WHERE NOT builtin ORDER BY 2;
SELECT 'sod_exception', exception_id, person_id, approved_by, approved_at, expires_at FROM tmac.sod_exception ORDER BY 2;
SELECT 'duty_assignment', assignment_id, person_id, duty, assigned_by, assigned_at FROM tmac.duty_assignment ORDER BY 2;
SELECT 'audit', entry_id, category, action, encode(hash, 'hex') FROM tmac.audit_log WHERE category <> 'restore' ORDER BY 2;
SELECT 'audit_verify', count(*) FROM tmac.verify_audit_log();
SELECT 'copy', label = tmac.vocabulary_copy_text() FROM pg_seclabel
 WHERE objoid = 'tmac'::regnamespace AND provider = 'tmac_vocabulary';
SELECT 'restore_window', count(*) FROM tmac.restore_window;
SELECT 'asset', asset_no, label, tmac.marking(label), manager, g.code, origin, contract_measures, status
  FROM tmac.asset a LEFT JOIN tmac.org_group g ON g.group_id = a.managing_group_id ORDER BY 2;
SELECT 'asset_binding', asset_no, relid::text, schema_name FROM tmac.asset_binding ORDER BY 2, 3, 4;
SELECT 'appointment', appointment_id, role, person_id, scope_group_id, announced_how, ended_at IS NULL FROM tmac.appointment ORDER BY 2;
SELECT 'provider', provider_id, service, nda_ref, nda_expires_on - nda_signed_on FROM tmac.provider ORDER BY 2;
SELECT 'provider_asset', provider_id, asset_no FROM tmac.provider_asset ORDER BY 2, 3;
SELECT 'course', course, audience, cardinality(topics) FROM tmac.training_course ORDER BY 2;
SELECT 'pledge_doc', person_id, kind, template_version, encode(document_sha256, 'hex') FROM tmac.pledge
 WHERE document_sha256 IS NOT NULL ORDER BY 2;
