-- 87_checks_cross.sql — checks across registers: the handling ledger, the key ledger, the entry
-- log, the appointments and the protected tables, each against the persons and their access.
--
-- Each register has its own checks (85, 86); these join them, so the most common real failures
-- show: an uncleared employee recorded a 極秘 take-out, a key to a 極秘 cabinet was lent to
-- someone with no access, a terminated person entered the 極秘 area.
--
--   handling_without_access   (I-4) the handler of a handling entry could not read the asset's label then
--   key_loan_without_access   (III) a key was lent to a person who could not read what it opened then
--   area_entry_without_access (IV)  a person (not an escorted visitor) entered an area whose label they could not read
--   leaver_activity           (II)  a terminated person appears after termination in an area entry, a key
--                                   loan, a handling entry or an appointment
--   visitor_entry_without_pledge (IV) a visitor's area entry without a visitor pledge in force that day
--   area_exit_missing         (IV)  an entry with no exit by the end of its day (date_time_zone)
--   area_entry_outside_hours  (IV)  an entry outside the area's hours, when it has hours
--   rows_above_asset_label    (I-2) a protected table bound to an asset holds rows labelled above the asset's label
--                                   (a higher level, or a compartment it does not name)
--   asset_unlabelled          (I-2) an active asset of the inventory carries no classification label
--
-- "Could read at that time" is the one decision (decision.c) over the access profile
-- tmac.access_profile_of(person, at) gives for that instant: clearances and grants in force then
-- (approved by then, within their validity, not yet ended, role-change grace), a pledge valid
-- then, training current then.  Its "active" check is left out for a past instant: the profile
-- takes the person's status from today's applied HR state (plus events still scheduled), so it
-- would call every act of a person who has since left "inactive"; what a terminated person did
-- after leaving is leaver_activity's, from person.terminated_at.
--
-- At company scale (issue 23: 100,000 persons, 1,000,000 handling entries) the checks over every
-- act — handling_without_access, area_entry_without_access, escort_without_access — read kept
-- verdicts (86_verdicts.sql): each act's decision (tmac.read_failures over the set-based profile
-- tmac.access_profiles_at) is stored when the act is recorded, the governance tables mark the
-- persons whose verdicts may have changed, and tmac.act_failures reads the failing verdicts of
-- unmarked persons and decides the marked persons' acts again; tmac.fold_verdicts (run by
-- tmac.run_maintenance) stores those and consumes the markers.  0.2.0 had recomputed every act
-- at every run (set-based, linear, but seconds at 1,000,000 entries: reading the acts alone costs
-- ~0.3 s), and had chosen that over kept verdicts so that the checks stayed read-only and no
-- setting or group move could leave a verdict stale; the markers keep the second (a setting, a
-- course, the vocabulary mark everyone), and the checks stay read-only (reading never writes:
-- only acts, governance changes and the fold do).  86_verdicts.sql argues why a verdict is never
-- stale; test/pgtap/verdicts_planted.sql and compscale2_findings.sql compare the findings with
-- the full recomputation and the per-person decision.  A key loan opens several labels and loans
-- are few: key_loan_without_access keeps the per-person decision.

-- Where the act can be refused when it is recorded, it is (SQLSTATE 42501, in the act's own
-- function, 67_facilities.sql): a key lent to a person who may not read what it opens
-- (tmac.lend_key); an entry recorded as it happens for a person who may not read the area's label
-- (unless a visitor escorted), who left or is on leave, whose escort left, or a visitor without a
-- visitor pledge in force (tmac.record_entry).  An entry recorded late (entered_at before the
-- transaction) happened already and is recorded; it is a finding.  A handling entry is never
-- refused: the handling ledger records what people did (a forbidden act is recorded, not refused;
-- 65_handling.sql), so an entry by a handler without access is a finding.
--
-- The findings about acts already done do not go away by themselves: a manager other than the
-- person concerned reviews each and records what was found and done
-- (tmac.acknowledge_cross_finding), which closes it; area_exit_missing also closes when the exit is
-- recorded.

CREATE FUNCTION tmac.access_failures_at(person_id text, lbl tmac.label, at timestamptz, as_decided boolean)
  RETURNS text[] AS 'MODULE_PATHNAME', 'tmac_access_failures_at' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION tmac.access_failures_at(text, tmac.label, timestamptz, boolean) IS 'Internal (checks across registers): every check (active, pledge, training, clearance, compartment, group) the person fails to read a label at an instant, by the one decision over tmac.access_profile_of(person, at); empty when they could read it, NULL for an unknown person; as_decided (refusals): ignore this transaction''s governance changes as a live decision would';

CREATE FUNCTION tmac.rows_above_label(tbl regclass, lbl tmac.label, OUT rows_above bigint, OUT example tmac.label)
  AS 'MODULE_PATHNAME', 'tmac_rows_above_label' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION tmac.rows_above_label(regclass, tmac.label) IS 'Internal (rows_above_asset_label): how many rows of a protected table (and of its partitions and children) carry a level above lbl''s or a compartment lbl lacks (groups are not compared), and the first such label; reads the heap itself (owner_scan.c), never a query over the table';

-- Why a person could not read these labels at an instant (NULL: they could), worded for a finding
-- (past: leave the active check out, see above; the current state) or a refusal (NOT past: the
-- state a live decision reads, and an unknown person is refused).
CREATE FUNCTION tmac.access_refused(person_id text, what text[], labels tmac.label[], at timestamptz, past boolean)
  RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT pg_catalog.string_agg(tmac.message('%s labelled %s (failing: %s)', w.what, w.label,
                                                 pg_catalog.array_to_string(f.failed, ', ')), '; ' ORDER BY w.ord)
    FROM unnest($2, $3) WITH ORDINALITY w(what, label, ord)
    CROSS JOIN LATERAL (SELECT tmac.access_failures_at($1, w.label, $4, NOT $5) AS a) d
    CROSS JOIN LATERAL (SELECT CASE WHEN d.a IS NULL THEN CASE WHEN NOT $5 THEN ARRAY['active'] END
                                    ELSE ARRAY(SELECT x FROM unnest(d.a) x WHERE NOT ($5 AND x = 'active')) END AS failed) f
   WHERE w.label IS NOT NULL AND pg_catalog.cardinality(f.failed) > 0
$$;
COMMENT ON FUNCTION tmac.access_refused(text, text[], tmac.label[], timestamptz, boolean) IS 'Internal: why a person could not read each of these labels (named by what) at an instant, or NULL when they could; past leaves out the active check';

-- What a key opens at an instant: the labelled assets stored in its container then, or its area.
CREATE FUNCTION tmac.key_opens(key_id bigint, at timestamptz, OUT what text[], OUT labels tmac.label[])
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT coalesce(o.what, '{}'), coalesce(o.labels, '{}')
    FROM (SELECT 1) one
    LEFT JOIN tmac.physical_key k ON k.key_id = $1
    LEFT JOIN LATERAL tmac.facility_opens(k.container_id, k.area_id, $2) o ON true
$$;
COMMENT ON FUNCTION tmac.key_opens(bigint, timestamptz) IS 'Internal: what a key opens at an instant — the labelled assets stored in its container then, or its restricted area when labelled';

CREATE FUNCTION tmac.key_access_refused(k tmac.physical_key, person_id text, at timestamptz) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT tmac.access_refused($2, o.what, o.labels, $3, false) FROM tmac.key_opens(($1).key_id, $3) o
$$;
COMMENT ON FUNCTION tmac.key_access_refused(tmac.physical_key, text, timestamptz) IS 'Internal (tmac.lend_key): why a person may not borrow a key now (they could not read what it opens), or NULL';

-- A visitor pledge in force on a day (the day the visitor entered).
CREATE FUNCTION tmac.visitor_pledge_on(person_id text, day date) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT EXISTS (SELECT 1 FROM tmac.pledge pl
                  WHERE pl.person_id = $1 AND pl.kind = 'visitor' AND pl.signed_on <= $2
                    AND (pl.valid_until IS NULL OR pl.valid_until >= $2))
$$;
COMMENT ON FUNCTION tmac.visitor_pledge_on(text, date) IS 'Internal: whether a visitor pledge (訪問者の秘密保持誓約書) of the person is in force on a day';

-- When each person was on leave, from the HR feed's history (applied events, and scheduled ones
-- already due): from a leave to the next event that changes the status (return, terminate,
-- rehire; open while none).  The profile of a past instant takes the status from today's state,
-- so the checks over acts leave its active check out and ask this instead: an act dated in a
-- leave (a handling, an entry as entrant or escort, a key borrowed) is a finding of its check
-- (attack25: a guard recorded an entry of a person on leave "late", a handler dated a take-out in
-- the middle of their leave).  Only persons with a leave event are read (hr_event_leave_idx).
CREATE FUNCTION tmac.leave_spans() RETURNS TABLE (person_id text, span tstzrange)
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT e.person_id, pg_catalog.tstzrange(e.effective_at, e.next_at)
    FROM (SELECT e.person_id, e.kind, e.effective_at,
                 pg_catalog.lead(e.effective_at) OVER (PARTITION BY e.person_id ORDER BY e.effective_at, e.received_at) AS next_at
            FROM tmac.hr_event e
           WHERE e.person_id IN (SELECT l.person_id FROM tmac.hr_event l
                                  WHERE l.kind = 'leave' AND l.outcome IN ('applied', 'scheduled'))
             AND e.kind IN ('hire', 'leave', 'return', 'terminate', 'rehire')
             AND e.outcome IN ('applied', 'scheduled') AND e.effective_at <= pg_catalog.now()) e
   WHERE e.kind = 'leave'
$$;
COMMENT ON FUNCTION tmac.leave_spans() IS 'Internal (checks across registers): when each person was on leave, from the HR feed''s applied and due events (a leave to the next status change; open-ended while none)';
CREATE INDEX hr_event_leave_idx ON tmac.hr_event (person_id) WHERE kind = 'leave' AND outcome IN ('applied', 'scheduled');
-- ARRAY['active'] when one of a person's leave spans holds the instant, else empty.
CREATE FUNCTION tmac.on_leave_failure(spans tstzrange[], at timestamptz) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN EXISTS (SELECT 1 FROM unnest(spans) s(span) WHERE s.span OPERATOR(pg_catalog.@>) at)
              THEN ARRAY['active'] ELSE '{}'::text[] END;
END;
COMMENT ON FUNCTION tmac.on_leave_failure(tstzrange[], timestamptz) IS 'Internal (checks across registers): the failing check "active" when the instant lies in one of the person''s leave spans (tmac.leave_spans), else none';
COMMENT ON INDEX tmac.hr_event_leave_idx IS 'tmac compliance: the persons with a leave (tmac.leave_spans)';

CREATE FUNCTION tmac.entry_refused(area_id bigint, person_id text, escort text, at timestamptz) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  p tmac.person;
  a tmac.restricted_area;
  st text;
  why text;
BEGIN
  SELECT * INTO a FROM tmac.restricted_area x WHERE x.area_id = entry_refused.area_id;
  IF escort IS NOT NULL THEN
    st := (SELECT s.status FROM tmac.person_state_at(escort, at) s);
    IF st <> 'active' THEN
      RETURN tmac.message('the escort %s is %s', escort, replace(st, '_', ' '));
    END IF;
    -- the escort goes in too: they must be able to read the area's label
    why := tmac.access_refused(escort, ARRAY[tmac.message('area %s', a.code)], ARRAY[a.label], at, false);
    IF why IS NOT NULL THEN
      RETURN tmac.message('the escort %s: %s', escort, why);
    END IF;
  END IF;
  IF person_id IS NULL THEN
    RETURN NULL;                -- a visitor without a person record: visitor_without_escort's
  END IF;
  SELECT * INTO p FROM tmac.person x WHERE x.person_id = entry_refused.person_id;
  st := (SELECT s.status FROM tmac.person_state_at(person_id, at) s);
  IF st <> 'active' THEN
    RETURN tmac.message('%s is %s', person_id, replace(st, '_', ' '));
  END IF;
  IF p.kind = 'visitor'
     AND NOT tmac.visitor_pledge_on(person_id, (at AT TIME ZONE tmac.setting_value('date_time_zone'))::date) THEN
    RETURN tmac.message('visitor %s has no visitor pledge in force', person_id);
  END IF;
  IF p.kind = 'visitor' AND escort IS NOT NULL THEN
    RETURN NULL;                -- an escorted visitor enters without access of their own
  END IF;
  RETURN tmac.access_refused(person_id, ARRAY[tmac.message('area %s', a.code)], ARRAY[a.label], at, false);
END
$$;
COMMENT ON FUNCTION tmac.entry_refused(bigint, text, text, timestamptz) IS 'Internal (tmac.record_entry): why a person may not enter a restricted area now — they or their escort left or are on leave, the escort could not read the area''s label, a visitor without a visitor pledge in force, or (unless a visitor escorted) they could not read the area''s label — or NULL';

-- The label and the hours of a restricted area.
CREATE FUNCTION tmac.set_area_label(area text, label text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('set the label of a restricted area'));
  PERFORM tmac.require_arguments('set_area_label', 'area', area);
  id := tmac.area_id_of(area);
  UPDATE tmac.restricted_area r SET label = set_area_label.label::tmac.label WHERE r.area_id = id;
END
$$;
COMMENT ON FUNCTION tmac.set_area_label(text, text) IS 'Sets the classification of a restricted area (区分: what is inside); a person entering must be able to read it, unless a visitor escorted (NULL: no access check)';

CREATE FUNCTION tmac.set_area_hours(area text, opens_at time, closes_at time, open_days integer[] DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('set the hours of a restricted area'));
  PERFORM tmac.require_arguments('set_area_hours', 'area', area);
  id := tmac.area_id_of(area);
  IF (opens_at IS NULL) <> (closes_at IS NULL) OR opens_at >= closes_at
     OR (opens_at IS NULL AND open_days IS NOT NULL)
     OR EXISTS (SELECT 1 FROM unnest(open_days) d WHERE d IS NULL OR d NOT BETWEEN 1 AND 7) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('invalid hours for restricted area "%s"', area),
      HINT = tmac.message('opens_at before closes_at (both NULL: no hours), open_days ISO weekdays 1 (Monday) to 7 (Sunday).');
  END IF;
  UPDATE tmac.restricted_area r
     SET opens_at = set_area_hours.opens_at, closes_at = set_area_hours.closes_at,
         open_days = CASE WHEN set_area_hours.open_days IS NOT NULL
                          THEN ARRAY(SELECT DISTINCT d FROM unnest(set_area_hours.open_days) d ORDER BY d)::smallint[] END
   WHERE r.area_id = id;
END
$$;
COMMENT ON FUNCTION tmac.set_area_hours(text, time, time, integer[]) IS 'Sets when a restricted area is open (開錠時間, in date_time_zone): opens_at, closes_at and the ISO weekdays (NULL: every day); company holidays (tmac.holiday) are closed; NULL times remove the hours';

-- Reviews of findings about acts already done (they do not go away by themselves).
CREATE TABLE tmac.cross_finding_review (
  check_code  text NOT NULL REFERENCES tmac.compliance_check,
  subject     text NOT NULL,
  reviewed_by text NOT NULL REFERENCES tmac.person,
  reviewed_at timestamptz NOT NULL DEFAULT now(),
  note        text NOT NULL CHECK (length(btrim(note)) >= 10),
  PRIMARY KEY (check_code, subject)
);
COMMENT ON TABLE tmac.cross_finding_review IS
  'Reviews of the findings of the checks across registers (acts already done: a handling, a key loan, an entry): who reviewed the finding, when, and what was found and done; a reviewed finding is closed';
SELECT tmac.add_audit_trigger('tmac.cross_finding_review', 'check_code', 'subject');
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.cross_finding_review FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.cross_finding_review FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete();
SELECT pg_catalog.pg_extension_config_dump('tmac.cross_finding_review', '');

-- What a person did, by person and time: leaver_activity looks up each leaver's acts by index
-- (never a scan of every ledger per leaver), and handling_without_access reads each handler's
-- distinct instants (the profiles it needs) from the index alone, without a sort.
CREATE INDEX handling_entry_handler_idx ON tmac.handling_entry (handler, handled_at);
CREATE INDEX handling_entry_approver_idx ON tmac.handling_entry (approver, approved_at) WHERE approver IS NOT NULL;
CREATE INDEX key_loan_borrower_idx ON tmac.key_loan (borrower, lent_at);
CREATE INDEX key_loan_approved_by_idx ON tmac.key_loan (approved_by, lent_at);
CREATE INDEX area_entry_person_idx ON tmac.area_entry (person_id, entered_at);
CREATE INDEX area_entry_escort_idx ON tmac.area_entry (escort, entered_at) WHERE escort IS NOT NULL;
CREATE INDEX appointment_appointed_by_idx ON tmac.appointment (appointed_by);
COMMENT ON INDEX tmac.handling_entry_handler_idx IS 'tmac compliance: handling entries by handler and time (leaver_activity, handling_without_access)';
COMMENT ON INDEX tmac.handling_entry_approver_idx IS 'tmac compliance: handling entries by approver and approval time (leaver_activity)';
COMMENT ON INDEX tmac.key_loan_borrower_idx IS 'tmac compliance: key loans by borrower and time (leaver_activity)';
COMMENT ON INDEX tmac.key_loan_approved_by_idx IS 'tmac compliance: key loans by approver and time (leaver_activity)';
COMMENT ON INDEX tmac.area_entry_person_idx IS 'tmac compliance: area entries by person and time (leaver_activity)';
COMMENT ON INDEX tmac.area_entry_escort_idx IS 'tmac compliance: area entries by escort and time (leaver_activity)';
COMMENT ON INDEX tmac.appointment_appointed_by_idx IS 'tmac compliance: appointments by who made them (leaver_activity)';

-- Every finding across registers, reviewed or not, with the person it is about.
CREATE FUNCTION tmac.cross_register_findings()
  RETURNS TABLE (check_code text, subject text, person_id text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$
  WITH cfg AS MATERIALIZED (SELECT tmac.setting_value('date_time_zone') AS tz),
  leaves AS MATERIALIZED (SELECT l.person_id, pg_catalog.array_agg(l.span) AS spans FROM tmac.leave_spans() l GROUP BY l.person_id),
  fl AS MATERIALIZED (SELECT f.act, f.act_id, f.failed FROM tmac.act_failures() f)
  -- handling_without_access: entries made by a person (automatic entries read through the row
  -- policies), decided by the one decision over the handler's profile then — kept verdicts
  -- (86_verdicts.sql: tmac.act_failures reads the failing ones and decides the marked persons'
  -- acts again), and "active" when the handler was on leave then; worded as tmac.access_refused
  -- words it
  SELECT 'handling_without_access', 'handling:' || e.entry_id, e.handler,
         tmac.message('Handling entry %s: %s of asset %s (%s) by %s on %s, who could not read it then: %s. A manager reviews it and records what was done (tmac.acknowledge_cross_finding(''handling_without_access'', %L, note)).',
                e.entry_id, e.action, a.asset_no, a.name, e.handler, e.handled_at,
                tmac.message('%s labelled %s (failing: %s)', tmac.message('asset %s', a.asset_no), a.label,
                             pg_catalog.array_to_string(f.failed, ', ')),
                'handling:' || e.entry_id),
         e.handled_at
    FROM fl f
    JOIN tmac.handling_entry e ON e.entry_id = f.act_id
    JOIN tmac.asset a ON a.asset_id = e.asset_id
   WHERE f.act = 'handling' AND NOT e.automatic AND e.handler IS NOT NULL AND a.label IS NOT NULL
  UNION ALL
  -- key_loan_without_access
  SELECT 'key_loan_without_access', 'key_loan:' || l.loan_id, l.borrower,
         tmac.message('Key %s was lent to %s on %s (approved by %s)%s, who could not read what it opened then: %s. %s',
                k.code, l.borrower, l.lent_at, l.approved_by,
                CASE WHEN l.returned_at IS NULL THEN tmac.message(' and is still out') ELSE tmac.message(', returned %s', l.returned_at) END,
                r.why,
                CASE WHEN l.returned_at IS NULL THEN tmac.message('Take the key back (tmac.return_key); a manager reviews the loan and records it (tmac.acknowledge_cross_finding).')
                     ELSE tmac.message('A manager reviews the loan, changes the combination if there is one, and records it (tmac.acknowledge_cross_finding).') END),
         l.lent_at
    FROM (SELECT l.* FROM tmac.key_loan l ORDER BY l.borrower, l.lent_at OFFSET 0) l
    CROSS JOIN cfg
    JOIN tmac.physical_key k ON k.key_id = l.key_id
    CROSS JOIN LATERAL tmac.key_opens(l.key_id, l.lent_at) o
    LEFT JOIN leaves lv ON lv.person_id = l.borrower
    CROSS JOIN LATERAL (SELECT coalesce(tmac.access_refused(l.borrower, o.what, o.labels, l.lent_at, true),
                                        CASE WHEN pg_catalog.cardinality(tmac.on_leave_failure(lv.spans, l.lent_at)) > 0
                                             THEN tmac.message('%s was on leave', l.borrower) END) AS why) r
   WHERE cardinality(o.what) > 0 AND r.why IS NOT NULL
  UNION ALL
  -- area_entry_without_access (the person who entered, unless a visitor with an escort) and
  -- escort_without_access (the escort goes in too, a visitor's or anyone's): whoever went in must
  -- have been able to read the area's label then; tmac.record_entry refuses both as it happens.
  -- The kept verdicts of (entry, who went in), as for handling_without_access.
  SELECT e.check_code, 'area_entry:' || e.entry_id, e.who,
         CASE WHEN e.check_code = 'area_entry_without_access'
              THEN tmac.message('%s entered restricted area %s on %s%s, and could not read its label then: %s. A manager reviews the entry and records it (tmac.acknowledge_cross_finding).',
                                e.who, e.code, e.entered_at,
                                CASE WHEN e.escort IS NOT NULL THEN tmac.message(' escorted by %s', e.escort) ELSE '' END, r.why)
              ELSE tmac.message('%s escorted %s into restricted area %s on %s, and could not read its label then: %s. A manager reviews the entry and records it (tmac.acknowledge_cross_finding).',
                                e.who, coalesce(e.person_id, e.visitor_name), e.code, e.entered_at, r.why) END,
         e.entered_at
    FROM (SELECT CASE f.act WHEN 'entrant' THEN 'area_entry_without_access' ELSE 'escort_without_access' END AS check_code,
                 CASE f.act WHEN 'entrant' THEN e.person_id ELSE e.escort END AS who, f.failed,
                 e.entry_id, e.person_id, e.visitor_name, e.escort, e.entered_at, ar.code, ar.label
            FROM fl f
            JOIN tmac.area_entry e ON e.entry_id = f.act_id
            JOIN tmac.restricted_area ar ON ar.area_id = e.area_id
            LEFT JOIN tmac.person p ON p.person_id = e.person_id
           WHERE f.act IN ('entrant', 'escort') AND ar.label IS NOT NULL
             AND (f.act = 'escort' OR NOT (p.kind = 'visitor' AND e.escort IS NOT NULL))) e
    CROSS JOIN LATERAL (SELECT tmac.message('%s labelled %s (failing: %s)', tmac.message('area %s', e.code), e.label,
                                            pg_catalog.array_to_string(e.failed, ', ')) AS why) r
   WHERE e.who IS NOT NULL
  UNION ALL
  -- leaver_activity: what a terminated person did after termination
  SELECT 'leaver_activity', x.subject, p.person_id,
         tmac.message('%s (%s), terminated on %s, %s on %s, after leaving. Find out what happened; record an incident if it was an unauthorised act; a manager records the review (tmac.acknowledge_cross_finding).',
                p.person_id, p.full_name, p.terminated_at, x.what,
                x.at),
         x.at
    FROM tmac.person p CROSS JOIN cfg
    CROSS JOIN LATERAL (
          SELECT 'area_entry:' || e.entry_id AS subject, e.entered_at AS at,
                 CASE WHEN e.person_id = p.person_id
                      THEN tmac.message('entered restricted area %s (entry %s)',
                                        (SELECT ar.code FROM tmac.restricted_area ar WHERE ar.area_id = e.area_id), e.entry_id)
                      ELSE tmac.message('escorted %s into restricted area %s (entry %s)', coalesce(e.person_id, e.visitor_name),
                                        (SELECT ar.code FROM tmac.restricted_area ar WHERE ar.area_id = e.area_id), e.entry_id) END AS what
            FROM tmac.area_entry e
           WHERE (e.person_id = p.person_id OR e.escort = p.person_id) AND e.entered_at >= p.terminated_at
          UNION ALL
          SELECT 'key_loan:' || l.loan_id, l.lent_at,
                 CASE WHEN l.borrower = p.person_id
                      THEN tmac.message('borrowed key %s (loan %s)', (SELECT k.code FROM tmac.physical_key k WHERE k.key_id = l.key_id), l.loan_id)
                      ELSE tmac.message('lent key %s (loan %s)', (SELECT k.code FROM tmac.physical_key k WHERE k.key_id = l.key_id), l.loan_id) END
            FROM tmac.key_loan l
           WHERE (l.borrower = p.person_id OR l.approved_by = p.person_id) AND l.lent_at >= p.terminated_at
          UNION ALL
          SELECT 'handling:' || h.entry_id, CASE WHEN h.handler = p.person_id THEN h.handled_at ELSE h.approved_at END,
                 CASE WHEN h.handler = p.person_id THEN tmac.message('handled handling entry %s (%s)', h.entry_id, h.action)
                      ELSE tmac.message('approved handling entry %s (%s)', h.entry_id, h.action) END
            FROM tmac.handling_entry h
           WHERE (h.handler = p.person_id AND h.handled_at >= p.terminated_at)
              OR (h.approver = p.person_id AND h.approved_at >= p.terminated_at)
          UNION ALL
          SELECT 'appointment:' || ap.appointment_id, ap.started_at,
                 CASE WHEN ap.person_id = p.person_id THEN tmac.message('was given appointment %s (%s)', ap.appointment_id, ap.role)
                      ELSE tmac.message('made appointment %s (%s)', ap.appointment_id, ap.role) END
            FROM tmac.appointment ap
           WHERE (ap.person_id = p.person_id OR ap.appointed_by = p.person_id)
             AND (ap.started_at >= p.terminated_at OR tmac.day_start(ap.valid_from) > p.terminated_at)) x
   WHERE p.status = 'terminated'
  UNION ALL
  -- visitor_entry_without_pledge
  SELECT 'visitor_entry_without_pledge', 'area_entry:' || e.entry_id, e.person_id,
         tmac.message('Visitor %s (%s) entered restricted area %s on %s without a visitor pledge (訪問者の秘密保持誓約書) in force that day. Obtain it (tmac.record_pledge(%L, ''visitor'', signed_on)) or have a manager record the review (tmac.acknowledge_cross_finding).',
                e.person_id, p.full_name, ar.code, e.entered_at, e.person_id),
         e.entered_at
    FROM tmac.area_entry e CROSS JOIN cfg
    JOIN tmac.person p ON p.person_id = e.person_id
    JOIN tmac.restricted_area ar ON ar.area_id = e.area_id
   WHERE p.kind = 'visitor' AND NOT tmac.visitor_pledge_on(e.person_id, (e.entered_at AT TIME ZONE cfg.tz)::date)
  UNION ALL
  -- area_exit_missing: no exit by the end of the day entered
  SELECT 'area_exit_missing', 'area_entry:' || e.entry_id, e.person_id,
         tmac.message('%s entered restricted area %s on %s and no exit was recorded by the end of that day (%s). Record the exit (tmac.record_exit(%s)) and find out why it was missing.',
                coalesce(e.person_id, e.visitor_name || ' (' || e.visitor_company || ')'), ar.code,
                e.entered_at, cfg.tz, e.entry_id),
         tmac.day_start((e.entered_at AT TIME ZONE cfg.tz)::date + 1)
    FROM tmac.area_entry e CROSS JOIN cfg
    JOIN tmac.restricted_area ar ON ar.area_id = e.area_id
   WHERE e.left_at IS NULL AND tmac.day_start((e.entered_at AT TIME ZONE cfg.tz)::date + 1) <= now()
  UNION ALL
  -- area_entry_outside_hours
  SELECT 'area_entry_outside_hours', 'area_entry:' || e.entry_id, e.person_id,
         tmac.message('%s entered restricted area %s on %s (%s, ISO weekday %s%s), outside its hours %s–%s%s. A manager confirms the entry was authorised and records it (tmac.acknowledge_cross_finding).',
                coalesce(e.person_id, e.visitor_name || ' (' || e.visitor_company || ')'), ar.code,
                e.entered_at, cfg.tz,
                extract(isodow FROM e.entered_at AT TIME ZONE cfg.tz),
                CASE WHEN h.name IS NOT NULL THEN tmac.message(', holiday %s', h.name) ELSE '' END,
                to_char(ar.opens_at, 'HH24:MI'), to_char(ar.closes_at, 'HH24:MI'),
                CASE WHEN ar.open_days IS NOT NULL THEN tmac.message(' on ISO weekdays %s', array_to_string(ar.open_days, ',')) ELSE '' END),
         e.entered_at
    FROM tmac.area_entry e CROSS JOIN cfg
    JOIN tmac.restricted_area ar ON ar.area_id = e.area_id
    LEFT JOIN tmac.holiday h ON h.day = (e.entered_at AT TIME ZONE cfg.tz)::date
   WHERE ar.opens_at IS NOT NULL
     AND (h.day IS NOT NULL
          OR (e.entered_at AT TIME ZONE cfg.tz)::time < ar.opens_at
          OR (e.entered_at AT TIME ZONE cfg.tz)::time >= ar.closes_at
          OR NOT coalesce(extract(isodow FROM e.entered_at AT TIME ZONE cfg.tz)::smallint = ANY (ar.open_days), true))
$$;
COMMENT ON FUNCTION tmac.cross_register_findings() IS 'Internal: every finding of the checks across registers about acts (handling_without_access, key_loan_without_access, area_entry_without_access, escort_without_access, leaver_activity, visitor_entry_without_pledge, area_exit_missing, area_entry_outside_hours), reviewed or not, with the person each is about';

-- The protected tables bound to an active labelled asset (directly or through their schema), and
-- their rows labelled above it.  A table that cannot be read (its read policy or label column was
-- changed) is reported as such, not as a failed check.
CREATE FUNCTION tmac.bound_rows_above()
  RETURNS TABLE (asset_no text, asset_label tmac.label, relid regclass, rows_above bigint, example tmac.label, error text)
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  t record;
  r record;
BEGIN
  FOR t IN
    SELECT DISTINCT ON (pt.relid) a.asset_no, a.label, pt.relid
      FROM tmac.protected_table pt
      JOIN pg_catalog.pg_class c ON c.oid = pt.relid
      JOIN tmac.asset_binding b ON b.relid = pt.relid
                                OR b.schema_name = (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = c.relnamespace)
      JOIN tmac.asset a ON a.asset_no = b.asset_no
     WHERE a.status = 'active' AND a.label IS NOT NULL
       -- (a partition or child is read with its topmost protected parent)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i JOIN tmac.protected_table pp ON pp.relid = i.inhparent
                        WHERE i.inhrelid = pt.relid)
     ORDER BY pt.relid, (b.relid IS NULL), a.asset_no
  LOOP
    asset_no := t.asset_no; asset_label := t.label; relid := t.relid;
    BEGIN
      SELECT * INTO r FROM tmac.rows_above_label(t.relid, t.label);
      rows_above := r.rows_above; example := r.example; error := NULL;
    EXCEPTION WHEN OTHERS THEN
      rows_above := NULL; example := NULL; error := SQLERRM;
    END;
    IF rows_above IS DISTINCT FROM 0 THEN
      RETURN NEXT;
    END IF;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.bound_rows_above() IS 'Internal (rows_above_asset_label): each protected table bound to an active labelled asset whose rows carry labels above the asset''s (or which could not be read), with how many and the first such label';

CREATE FUNCTION tmac.check_cross_registers() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT f.check_code, f.subject, f.detail, f.detected_at
    FROM tmac.cross_register_findings() f
   WHERE NOT EXISTS (SELECT 1 FROM tmac.cross_finding_review v WHERE v.check_code = f.check_code AND v.subject = f.subject)
  UNION ALL
  SELECT 'rows_above_asset_label', 'table:' || r.relid::text,
         CASE WHEN r.error IS NOT NULL
              THEN tmac.message('Table %s, bound to asset %s (%s), could not be read to compare its rows'' labels: %s. Protect it again (tmac.unprotect, tmac.protect).',
                          r.relid, r.asset_no, r.asset_label, r.error)
              ELSE tmac.message('Table %s, bound to asset %s labelled %s, holds %s row(s) labelled above it (e.g. %s): the inventory understates what is there. Raise the asset''s label (tmac.update_asset(%L, ''{"label":"…"}'')) or correct the rows'' labels.',
                          r.relid, r.asset_no, r.asset_label, r.rows_above, r.example, r.asset_no) END,
         NULL::timestamptz
    FROM tmac.bound_rows_above() r
  UNION ALL
  SELECT 'asset_unlabelled', 'asset:' || a.asset_no,
         tmac.message('Asset %s (%s) of the inventory carries no classification label, so it is not identified (識別) and no handling rule or access check applies to it. Label it: tmac.update_asset(%L, ''{"label":"…"}'').',
                a.asset_no, a.name, a.asset_no),
         NULL::timestamptz
    FROM tmac.asset a
   WHERE a.status = 'active' AND a.label IS NULL;
END;
COMMENT ON FUNCTION tmac.check_cross_registers() IS 'Checks across registers (87_checks_cross.sql): handling_without_access, key_loan_without_access, area_entry_without_access, escort_without_access, leaver_activity, visitor_entry_without_pledge, area_exit_missing, area_entry_outside_hours (unless reviewed), rows_above_asset_label, asset_unlabelled';

-- Who took part in the act a finding across registers is about, besides the person it names: the
-- approver of a handling entry, the lender of a key, whoever recorded an entry to an area and its
-- escort.  None of them reviews the finding (tmac.acknowledge_cross_finding): the review is a
-- second person's look at the act.
CREATE FUNCTION tmac.cross_finding_parties(subject text) RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT coalesce(pg_catalog.array_agg(x.who) FILTER (WHERE x.who IS NOT NULL), '{}')
    FROM (SELECT pg_catalog.split_part($1, ':', 1) AS kind,
                 CASE WHEN pg_catalog.split_part($1, ':', 2) OPERATOR(pg_catalog.~) '^[0-9]{1,18}$'
                      THEN pg_catalog.split_part($1, ':', 2)::bigint END AS id) s
    CROSS JOIN LATERAL (
          SELECT unnest(ARRAY[h.handler, h.approver]) FROM tmac.handling_entry h WHERE s.kind = 'handling' AND h.entry_id = s.id
          UNION ALL
          SELECT unnest(ARRAY[l.borrower, l.approved_by, l.received_by]) FROM tmac.key_loan l WHERE s.kind = 'key_loan' AND l.loan_id = s.id
          UNION ALL
          SELECT unnest(ARRAY[e.person_id, e.escort, e.recorded_by, e.devices_approved_by]) FROM tmac.area_entry e
           WHERE s.kind = 'area_entry' AND e.entry_id = s.id) x(who)
$$;
COMMENT ON FUNCTION tmac.cross_finding_parties(text) IS 'Internal (tmac.acknowledge_cross_finding): the persons who took part in the act a finding across registers is about (handler and approver; borrower, lender and receiver of a key; entrant, escort, recorder and device approver of an area entry), none of whom reviews it';

CREATE FUNCTION tmac.acknowledge_cross_finding(check_code text, subject text, note text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('review a finding across registers'));
  f record;
BEGIN
  PERFORM tmac.require_arguments('acknowledge_cross_finding', 'check_code', check_code, 'subject', subject, 'note', note);
  IF length(btrim(note)) < 10 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('say what was found and done (at least 10 characters)');
  END IF;
  SELECT * INTO f FROM tmac.cross_register_findings() x
   WHERE x.check_code = acknowledge_cross_finding.check_code AND x.subject = acknowledge_cross_finding.subject;
  PERFORM tmac.require_found(FOUND, tmac.message('no finding %s on %s', check_code, subject), 'no_data_found', tmac.message('The findings of the checks across registers are listed in tmac.findings.'));
  IF f.person_id = me THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('a finding about you is reviewed by someone else'),
      DETAIL = tmac.message('Finding %s on %s is about %s.', check_code, subject, me);
  END IF;
  IF me = ANY (tmac.cross_finding_parties(subject)) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('a finding about an act you took part in is reviewed by someone else'),
      DETAIL = tmac.message('%s approved, lent, recorded or escorted in the act of finding %s on %s.', me, check_code, subject);
  END IF;
  INSERT INTO tmac.cross_finding_review (check_code, subject, reviewed_by, note)
  VALUES (check_code, subject, me, btrim(note))
  ON CONFLICT ON CONSTRAINT cross_finding_review_pkey DO NOTHING;
  PERFORM tmac.require_found(FOUND, tmac.message('finding %s on %s was reviewed already', check_code, subject), 'unique_violation');
END
$$;
COMMENT ON FUNCTION tmac.acknowledge_cross_finding(text, text, text) IS 'A manager other than the person concerned and those who took part in the act (approver, lender, recorder, escort) records the review of a finding across registers about an act already done (what was found and done, at least 10 characters); the finding closes';

-- Populations and checks (tmac.compliance_population, tmac.compliance_check: 45_compliance_registry.sql).
INSERT INTO tmac.compliance_population VALUES
  ('key_loans',       '鍵の貸出し',         tmac.msgid('key loans'),                          'SELECT count(*) FROM tmac.key_loan'),
  ('area_entries',    '入退室記録',         tmac.msgid('entries to restricted areas'),        'SELECT count(*) FROM tmac.area_entry'),
  ('visitor_entries', '訪問者の入室記録',   tmac.msgid('entries of visitors (persons of kind visitor) to restricted areas'),
   'SELECT count(*) FROM tmac.area_entry e JOIN tmac.person p ON p.person_id = e.person_id WHERE p.kind = ''visitor'''),
  ('area_hours',      '開錠時間のある区域', tmac.msgid('restricted areas with hours'),        'SELECT count(*) FROM tmac.restricted_area WHERE opens_at IS NOT NULL'),
  ('leavers',         '退職者',             tmac.msgid('terminated persons'),                 'SELECT count(*) FROM tmac.person WHERE status = ''terminated''');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.check_code, c.criterion, c.severity, c.title, c.description, c.remedy, 'tmac.check_cross_registers', '{}', c.population::text[], true
  FROM (VALUES
  ('handling_without_access', 'I-4', 'high',
   tmac.msgid('Handling by a person who could not read the information'),
   tmac.msgid('The handler of a handling entry could not read the asset''s label (level, compartments, groups; pledge and training) when they handled it, by the access decision over their access profile at that instant: e.g. an uncleared employee recorded a 極秘 take-out (seed ④ and ⑦).'),
   tmac.msgid('A manager other than the handler reviews the entry, deals with what was handled, and records it (tmac.acknowledge_cross_finding).'), '{handling_entries}'),
  ('key_loan_without_access', 'III', 'high',
   tmac.msgid('Key lent to a person without access'),
   tmac.msgid('A key of a container or area was lent to a person who could not read what it opened then (the labelled assets stored in the container, or the area''s label). tmac.lend_key refuses such a loan; this finds the loans recorded before.'),
   tmac.msgid('Take the key back (tmac.return_key), change the combination if there is one, and have a manager record the review (tmac.acknowledge_cross_finding).'), '{key_loans}'),
  ('escort_without_access', 'IV', 'high',
   tmac.msgid('Entry escorted by a person without access'),
   tmac.msgid('The escort (立会者) of an entry to a restricted area — of a visitor or of anyone — could not read the area''s label then: the escort goes in too. tmac.record_entry refuses such an entry when it is recorded as it happens; this finds the entries recorded late or before.'),
   tmac.msgid('A manager other than the escort reviews the entry and records it (tmac.acknowledge_cross_finding); choose escorts with access to the area.'), '{area_entries}'),
  ('area_entry_without_access', 'IV', 'high',
   tmac.msgid('Entry by a person without access'),
   tmac.msgid('A person who is not an escorted visitor entered a restricted area whose label they could not read then. tmac.record_entry refuses such an entry when it is recorded as it happens; this finds the entries recorded late or before.'),
   tmac.msgid('A manager reviews the entry and records it (tmac.acknowledge_cross_finding); grant access, or escort such persons.'), '{area_entries}'),
  ('leaver_activity', 'II', 'high',
   tmac.msgid('Activity of a person after termination'),
   tmac.msgid('A terminated person appears after their termination in an area entry (entered or escorted), a key loan (borrowed or lent), a handling entry (handled or approved) or an appointment (given or made). The acts that can be refused are (tmac.lend_key, tmac.record_entry, tmac.appoint); this finds what was recorded late or before.'),
   tmac.msgid('Find out what happened and record an incident if it was unauthorised (tmac.report_incident); a manager records the review (tmac.acknowledge_cross_finding).'), '{leavers}'),
  ('visitor_entry_without_pledge', 'IV', 'high',
   tmac.msgid('Visitor entry without a visitor pledge'),
   tmac.msgid('A visitor (a person of kind visitor) entered a restricted area with no visitor pledge (訪問者の秘密保持誓約書) in force that day. tmac.record_entry refuses such an entry when it is recorded as it happens. Visitors recorded by name only (見学者, no person record) have no pledge in tmac: register frequent visitors as persons.'),
   tmac.msgid('Obtain the pledge (tmac.record_pledge(person_id, ''visitor'', signed_on)), or have a manager record the review (tmac.acknowledge_cross_finding).'), '{visitor_entries}'),
  ('area_exit_missing', 'IV', 'medium',
   tmac.msgid('Entry with no exit recorded'),
   tmac.msgid('An entry to a restricted area has no exit recorded by the end of the day it was made (in date_time_zone): the entry log does not show who is still inside.'),
   tmac.msgid('Record the exit (tmac.record_exit) and find out why it was missing, or have a manager record the review (tmac.acknowledge_cross_finding).'), '{area_entries}'),
  ('area_entry_outside_hours', 'IV', 'medium',
   tmac.msgid('Entry outside the area''s hours'),
   tmac.msgid('An entry to a restricted area with hours (tmac.set_area_hours) was made outside them, on a day it is closed, or on a company holiday (tmac.holiday) (seed ⑧: 入退室口を原則として業務時間中のみ開錠).'),
   tmac.msgid('A manager confirms the entry was authorised (overtime, maintenance) and records it (tmac.acknowledge_cross_finding).'), '{area_entries,area_hours}'),
  ('rows_above_asset_label', 'I-2', 'high',
   tmac.msgid('Protected table holding rows labelled above its asset'),
   tmac.msgid('A protected table bound to an active asset of the inventory (directly or through its schema) holds rows labelled above the asset''s label — a higher level, or a compartment the asset does not name (groups are not compared: they say who, not how secret): the inventory understates what is there, and the handling standard is applied at too low a level (seed ②). The labels are read from the heap by tmac itself (no query over the table runs its owner''s code).'),
   tmac.msgid('Raise the asset''s label (tmac.update_asset), or correct the rows'' labels (lowering one needs tmac_declassifier).'), '{label_tables}'),
  ('asset_unlabelled', 'I-2', 'medium',
   tmac.msgid('Asset without a classification label'),
   tmac.msgid('An active asset of the inventory carries no classification label: it is not identified (識別), and no handling rule or access check can apply to it (seed ②).'),
   tmac.msgid('Label it: tmac.update_asset(asset_no, ''{"label":"…"}'').'), '{assets}')
) AS c(check_code, criterion, severity, title, description, remedy, population);

-- Who can open a container or restricted area now — a holder of its key or combination
-- (tmac.container_holder), its custodian, the custodian of one of its keys — must be able to read
-- what it holds now (tmac.facility_opens), as a borrower of its key must.  tmac.add_holder and
-- tmac.set_custodian refuse such a person; this finds those made holders or custodians before, by
-- tmac.define_container/define_area/define_key, or left above their access when an asset was stored
-- or an area's label raised.  Persons terminated or on leave are the checks custodian_terminated
-- and combination_holder_left's (the active check is left out); retired containers, areas and keys
-- open nothing.
CREATE FUNCTION tmac.check_facility_access() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH openers AS (
    SELECT 'holder:' || h.holder_id AS subject, h.person_id, h.since AS since,
           CASE WHEN h.container_id IS NOT NULL THEN 'container' ELSE 'area' END AS kind,
           coalesce(c.code, a.code) AS code, h.container_id, h.area_id, false AS custodian
      FROM tmac.container_holder h
      LEFT JOIN tmac.container c ON c.container_id = h.container_id
      LEFT JOIN tmac.restricted_area a ON a.area_id = h.area_id
     WHERE h.until IS NULL AND coalesce(c.retired_at, a.retired_at) IS NULL
    UNION ALL
    SELECT 'container:' || c.code || ':custodian', c.custodian, NULL::timestamptz, 'container', c.code, c.container_id, NULL::bigint, true
      FROM tmac.container c WHERE c.retired_at IS NULL
    UNION ALL
    SELECT 'area:' || a.code || ':custodian', a.custodian, NULL::timestamptz, 'area', a.code, NULL::bigint, a.area_id, true
      FROM tmac.restricted_area a WHERE a.retired_at IS NULL
    UNION ALL
    SELECT 'key:' || k.code || ':custodian', k.custodian, NULL::timestamptz, 'key', k.code, k.container_id, k.area_id, true
      FROM tmac.physical_key k WHERE k.retired_at IS NULL
  )
  SELECT 'facility_holder_without_access', o.subject,
         CASE WHEN o.custodian
              THEN tmac.message('%s, the custodian of %s %s, may not read what it holds: %s. Hand it to a person with access (tmac.set_custodian), or grant the access (tmac.request_clearance or tmac.request_access, then tmac.approve).',
                                o.person_id, o.kind, o.code, r.why)
              ELSE tmac.message('%s holds the key or combination of %s %s (holder %s) and may not read what it holds: %s. End the holding (tmac.end_holder) and change the combination, or grant the access (tmac.request_clearance or tmac.request_access, then tmac.approve).',
                                o.person_id, o.kind, o.code, pg_catalog.split_part(o.subject, ':', 2), r.why) END,
         o.since
    FROM openers o
    JOIN tmac.person p ON p.person_id = o.person_id AND p.status <> 'terminated'
    CROSS JOIN LATERAL tmac.facility_opens(o.container_id, o.area_id, now()) f
    CROSS JOIN LATERAL (SELECT tmac.access_refused(o.person_id, f.what, f.labels, now(), true) AS why) r
   WHERE pg_catalog.cardinality(f.labels) > 0 AND r.why IS NOT NULL;
END;
COMMENT ON FUNCTION tmac.check_facility_access() IS 'Check facility_holder_without_access: current holders of a key or combination and custodians of containers, restricted areas and keys who may not read what it holds now';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
VALUES ('facility_holder_without_access', 'III', 'high',
        tmac.msgid('Key, combination or custody held by a person without access'),
        tmac.msgid('A person who holds the key or knows the combination of a container or restricted area, or is its custodian or the custodian of one of its keys, may not read what it holds now (the labelled assets stored in the container, or the area''s label): they can open it without the access a borrower of its key needs. tmac.add_holder and tmac.set_custodian refuse such a person; this finds those recorded before, and those left above their access when an asset was stored or a label raised.'),
        tmac.msgid('End the holding (tmac.end_holder) and change the combination, or hand the custody to a person with access (tmac.set_custodian), or grant the access (tmac.request_clearance or tmac.request_access, then tmac.approve).'),
        'tmac.check_facility_access', '{}', '{containers}', true);
