-- 72_review.sql — periodic access reviews (棚卸し) and the audit of grants by a second person.
--
-- tmac.start_review() snapshots the population of grants in force that match
-- a scope into tmac.access_review_item, with a count and a SHA-256 hash of the
-- canonical population text.  Reviewers — never the grantee, never the
-- original requester — decide keep or revoke per item (tmac.review_decide); a
-- revoke decision ends the grant at once through tmac.revoke.  When the
-- review is closed (tmac.close_review, or tmac.close_due_reviews() after the
-- deadline) undecided items are handled as the setting review_undecided said
-- when the review started: reported as a finding (default) or revoked.
-- Everything stays queryable (tmac.review_evidence, the item table) and every
-- change lands in the audit log.
--
-- tmac.audit_grant() records that a second person checked a grant that one
-- administrator set alone (seed ⑦: アクセス権の設定に係る監査を他の者が行う).
--
-- These functions are SECURITY DEFINER and identify the acting person with
-- tmac.acting_person() (the role outside any SECURITY DEFINER function); like every act,
-- a decision is refused unless it is the reviewer's own top-level act (tmac.acting_role).
--
-- Its compliance checks (review_undecided, review_population_altered) are at the end of this file.

CREATE TABLE tmac.access_review (
  review_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title            text NOT NULL CHECK (btrim(title) <> ''),
  scope            jsonb NOT NULL DEFAULT '{}',
  started_by       text NOT NULL,
  started_at       timestamptz NOT NULL DEFAULT now(),
  deadline         timestamptz NOT NULL,
  undecided_action text NOT NULL CHECK (undecided_action IN ('report', 'revoke')),
  population_count integer NOT NULL,
  population_hash  text NOT NULL,
  closed_at        timestamptz,
  closed_by        text,
  outcome          jsonb,
  CHECK (deadline > started_at)
);
COMMENT ON TABLE tmac.access_review IS
  'Periodic access reviews (棚卸し): scope, who started it, deadline, the population''s count and SHA-256 hash, and the outcome when closed';
COMMENT ON COLUMN tmac.access_review.scope IS 'The filter the population was taken with: {"compartment":…, "org_group":…, "person_id":…, "kind":…}; {} is every grant in force';
COMMENT ON COLUMN tmac.access_review.population_hash IS 'Hex SHA-256 of the population''s canonical text (tmac.review_population_text); tmac.review_evidence recomputes it';
COMMENT ON COLUMN tmac.access_review.undecided_action IS 'What closing does with undecided items: report (a finding) or revoke; fixed when the review starts';

CREATE TABLE tmac.access_review_item (
  review_id    bigint NOT NULL REFERENCES tmac.access_review,
  grant_id     bigint NOT NULL REFERENCES tmac.access_grant,
  person_id    text NOT NULL,
  kind         text NOT NULL,
  level        text,
  compartment  text,
  mode         text,
  valid_from   timestamptz,
  valid_until  timestamptz,
  requested_by text,
  approved_by  text[],
  decision     text CHECK (decision IN ('keep', 'revoke')),
  decided_by   text,
  decided_at   timestamptz,
  comment      text,
  revoked_at   timestamptz,
  PRIMARY KEY (review_id, grant_id),
  CHECK ((decision IS NULL) = (decided_by IS NULL))
);
COMMENT ON TABLE tmac.access_review_item IS
  'One row per grant in a review''s population (a snapshot taken at start) with the decision, who made it, when and why';
COMMENT ON COLUMN tmac.access_review_item.decision IS 'keep or revoke; NULL while undecided';
COMMENT ON COLUMN tmac.access_review_item.revoked_at IS 'When the grant was ended because of this item (a revoke decision, or undecided at close with undecided_action revoke)';
CREATE INDEX access_review_item_grant ON tmac.access_review_item (grant_id, decided_at) WHERE decision = 'keep';

CREATE TABLE tmac.grant_audit (
  audit_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grant_id   bigint NOT NULL REFERENCES tmac.access_grant,
  audited_by text NOT NULL,
  audited_at timestamptz NOT NULL DEFAULT now(),
  outcome    text NOT NULL CHECK (outcome IN ('confirmed', 'questioned')),
  comment    text
);
COMMENT ON TABLE tmac.grant_audit IS
  'Second-person audits of grants: a grant set by one administrator alone is checked by another (seed ⑦)';
CREATE INDEX grant_audit_grant ON tmac.grant_audit (grant_id);


-- The canonical text of one population line; the hash is over these lines in grant_id order.
CREATE FUNCTION tmac.review_item_line(grant_id bigint, person_id text, kind text, level text, compartment text,
                                      mode text, valid_from timestamptz, valid_until timestamptz)
  RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN concat_ws('|', grant_id, person_id, kind, coalesce(level, ''), coalesce(compartment, ''), coalesce(mode, ''),
                   to_char(valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   to_char(valid_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
COMMENT ON FUNCTION tmac.review_item_line(bigint, text, text, text, text, text, timestamptz, timestamptz) IS 'One line of a review population''s canonical text: grant_id|person_id|kind|level|compartment|mode|valid_from|valid_until (UTC)';

CREATE FUNCTION tmac.review_population_text(review_id bigint) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  RETURN (SELECT coalesce(string_agg(tmac.review_item_line(i.grant_id, i.person_id, i.kind, i.level, i.compartment,
                                                           i.mode, i.valid_from, i.valid_until), E'\n' ORDER BY i.grant_id), '')
            FROM tmac.access_review_item i WHERE i.review_id = review_population_text.review_id);
COMMENT ON FUNCTION tmac.review_population_text(bigint) IS 'The canonical text of a review''s population (one line per grant, grant_id order); population_hash is its SHA-256';

CREATE FUNCTION tmac.reviewer(duty text) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  actor name := tmac.acting_role(duty);
BEGIN
  IF NOT (pg_has_role(actor, 'tmac_access_admin', 'MEMBER') OR pg_has_role(actor, 'tmac_approver', 'MEMBER')
          OR pg_has_role(actor, 'tmac_admin', 'MEMBER')) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('role "%s" must hold tmac_access_admin, tmac_approver or tmac_admin to %s', actor, coalesce(tmac.message(duty), 'act')),
      ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN tmac.acting_person(duty);
END
$$;
COMMENT ON FUNCTION tmac.reviewer(text) IS 'Internal: the acting person, who must hold tmac_access_admin, tmac_approver or tmac_admin; error 42501 otherwise';

CREATE FUNCTION tmac.start_review(title text, deadline timestamptz DEFAULT NULL, compartment text DEFAULT NULL,
                                  org_group text DEFAULT NULL, person_id text DEFAULT NULL, kind text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.reviewer(tmac.msgid('start an access review'));
  scope_group integer;
  id bigint;
  n integer;
  h text;
  sc jsonb := jsonb_strip_nulls(jsonb_build_object('compartment', compartment, 'org_group', org_group,
                                                   'person_id', person_id, 'kind', kind));
  dl timestamptz := coalesce(deadline, now() + tmac.setting_value('review_deadline_default')::interval);
BEGIN
  PERFORM tmac.require_arguments('start_review', 'title', title);
  IF dl <= now() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the deadline of a review must be in the future'), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF kind IS NOT NULL AND kind NOT IN ('clearance', 'compartment') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('kind must be clearance or compartment, not "%s"', kind), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF compartment IS NOT NULL THEN
    compartment := (SELECT c.code FROM tmac.compartment c WHERE c.compartment_id = tmac.vocabulary_id('compartment', compartment));
    sc := sc || jsonb_build_object('compartment', compartment);
  END IF;
  IF org_group IS NOT NULL THEN
    scope_group := tmac.vocabulary_id('group', org_group);
    sc := sc || jsonb_build_object('org_group', (SELECT g.code FROM tmac.org_group g WHERE g.group_id = scope_group));
  END IF;
  INSERT INTO tmac.access_review (title, scope, started_by, deadline, undecided_action, population_count, population_hash)
  VALUES (title, sc, me, dl, tmac.setting_value('review_undecided'), 0, '')
  RETURNING review_id INTO id;
  INSERT INTO tmac.access_review_item (review_id, grant_id, person_id, kind, level, compartment, mode,
                                       valid_from, valid_until, requested_by, approved_by)
  SELECT id, g.grant_id, g.person_id, g.kind, g.level, g.compartment, g.mode, g.valid_from, g.valid_until,
         g.requested_by, g.approved_by
    FROM tmac.grants g
    JOIN tmac.person p ON p.person_id = g.person_id
   WHERE g.status = 'active'
     AND (start_review.compartment IS NULL OR g.compartment = start_review.compartment)
     AND (scope_group IS NULL OR p.org_group_id = scope_group)
     AND (start_review.person_id IS NULL OR g.person_id = start_review.person_id)
     AND (start_review.kind IS NULL OR g.kind = start_review.kind);
  GET DIAGNOSTICS n = ROW_COUNT;
  h := encode(sha256(convert_to(tmac.review_population_text(id), 'UTF8')), 'hex');
  UPDATE tmac.access_review r SET population_count = n, population_hash = h WHERE r.review_id = id;
  PERFORM tmac.audit_append('access_review', 'start', id::text,
    jsonb_build_object('title', title, 'scope', sc, 'deadline', dl, 'population_count', n, 'population_hash', h,
                       'started_by', me));
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.start_review(text, timestamptz, text, text, text, text) IS 'Starts an access review (棚卸し) of the grants in force matching the scope (compartment, org_group, person_id, kind; all NULL: every grant); snapshots the population with its count and SHA-256 hash; returns review_id';

CREATE FUNCTION tmac.review_decide(review_id bigint, grant_id bigint, decision text, comment text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.reviewer(tmac.msgid('decide in an access review'));
  r tmac.access_review;
  i tmac.access_review_item;
BEGIN
  PERFORM tmac.require_arguments('review_decide', 'review_id', review_id::text, 'grant_id', grant_id::text,
                                 'decision', decision);
  decision := tmac.enum_code('review_decision', decision);   -- 継続, 失効 (81_enumerations.sql)
  IF decision NOT IN ('keep', 'revoke') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('decision must be keep or revoke, not "%s"', decision), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF decision = 'revoke' AND (comment IS NULL OR btrim(comment) = '') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a revoke decision needs a comment'), ERRCODE = 'null_value_not_allowed';
  END IF;
  SELECT * INTO r FROM tmac.access_review a WHERE a.review_id = review_decide.review_id FOR SHARE;
  PERFORM tmac.require_found(FOUND, tmac.message('no access review %s', review_id));
  IF r.closed_at IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('access review %s was closed at %s', review_id, r.closed_at), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  SELECT * INTO i FROM tmac.access_review_item a
   WHERE a.review_id = review_decide.review_id AND a.grant_id = review_decide.grant_id FOR UPDATE;
  PERFORM tmac.require_found(FOUND, tmac.message('grant %s is not in access review %s', grant_id, review_id));
  IF i.decision IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('grant %s was already decided (%s) in access review %s by %s', grant_id, i.decision, review_id, i.decided_by),
      ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF me = i.person_id THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" cannot review their own access', me),
      ERRCODE = 'insufficient_privilege', HINT = tmac.message('Another reviewer must decide this item.');
  END IF;
  IF me = i.requested_by THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" requested grant %s and cannot review it', me, grant_id),
      ERRCODE = 'insufficient_privilege', HINT = tmac.message('Another reviewer must decide this item.');
  END IF;
  UPDATE tmac.access_review_item a
     SET decision = review_decide.decision, decided_by = me, decided_at = now(), comment = review_decide.comment
   WHERE a.review_id = review_decide.review_id AND a.grant_id = review_decide.grant_id;
  IF decision = 'revoke' THEN
    IF EXISTS (SELECT 1 FROM tmac.grants g WHERE g.grant_id = review_decide.grant_id AND g.status = 'active') THEN
      PERFORM tmac.revoke(grant_id, tmac.message('access review %s: %s', review_id, comment));
      UPDATE tmac.access_review_item a SET revoked_at = now()
       WHERE a.review_id = review_decide.review_id AND a.grant_id = review_decide.grant_id;
    END IF;
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.review_decide(bigint, bigint, text, text) IS 'Decides one item of an open access review: keep, or revoke (with a comment; the grant ends at once). The reviewer is neither the grantee nor the original requester';

CREATE FUNCTION tmac.close_review(review_id bigint) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  actor name := tmac.acting_role(tmac.msgid('close an access review'));
  me text := coalesce(tmac.person_of_role(actor), actor::text);
  r tmac.access_review;
  it record;
  res jsonb;
  n_auto integer := 0;
BEGIN
  IF NOT (pg_has_role(actor, 'tmac_access_admin', 'MEMBER') OR pg_has_role(actor, 'tmac_admin', 'MEMBER')) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('role "%s" must hold tmac_access_admin or tmac_admin to close an access review', actor),
      ERRCODE = 'insufficient_privilege';
  END IF;
  r := tmac.row_for_update(NULL::tmac.access_review, 'review_id', review_id, tmac.message('no access review %s', review_id));
  IF r.closed_at IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('access review %s is already closed', review_id), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF r.undecided_action = 'revoke' THEN
    FOR it IN SELECT i.grant_id FROM tmac.access_review_item i
                JOIN tmac.grants g ON g.grant_id = i.grant_id AND g.status = 'active'
               WHERE i.review_id = r.review_id AND i.decision IS NULL LOOP
      PERFORM tmac.revoke(it.grant_id, tmac.message('access review %s: not confirmed by the deadline', r.review_id));
      UPDATE tmac.access_review_item i SET revoked_at = now() WHERE i.review_id = r.review_id AND i.grant_id = it.grant_id;
      n_auto := n_auto + 1;
    END LOOP;
  END IF;
  SELECT jsonb_build_object('population_count', r.population_count, 'population_hash', r.population_hash,
           'kept', count(*) FILTER (WHERE i.decision = 'keep'),
           'revoked', count(*) FILTER (WHERE i.decision = 'revoke'),
           'undecided', count(*) FILTER (WHERE i.decision IS NULL),
           'undecided_revoked', n_auto, 'undecided_action', r.undecided_action,
           'reviewers', coalesce(jsonb_agg(DISTINCT i.decided_by) FILTER (WHERE i.decided_by IS NOT NULL), '[]'))
    INTO res FROM tmac.access_review_item i WHERE i.review_id = r.review_id;
  UPDATE tmac.access_review a SET closed_at = now(), closed_by = me, outcome = res WHERE a.review_id = r.review_id;
  PERFORM tmac.audit_append('access_review', 'close', r.review_id::text, res);
  RETURN res;
END
$$;
COMMENT ON FUNCTION tmac.close_review(bigint) IS 'Closes an access review: undecided items are revoked or left to be reported, as review_undecided said when it started; returns and records the counts';

CREATE FUNCTION tmac.close_due_reviews() RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  r record;
  n integer := 0;
BEGIN
  FOR r IN SELECT a.review_id FROM tmac.access_review a WHERE a.closed_at IS NULL AND a.deadline <= now() ORDER BY 1 LOOP
    PERFORM tmac.close_review(r.review_id);
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION tmac.close_due_reviews() IS 'Closes every open access review whose deadline has passed (for a scheduled job); returns how many';

CREATE VIEW tmac.review_evidence AS
  SELECT r.review_id, r.title, r.scope, r.started_by, r.started_at, r.deadline, r.undecided_action,
         r.population_count, r.population_hash,
         encode(sha256(convert_to(tmac.review_population_text(r.review_id), 'UTF8')), 'hex') = r.population_hash
           AND r.population_count = coalesce(c.n, 0) AS population_intact,
         coalesce(c.kept, 0) AS kept, coalesce(c.revoked, 0) AS revoked, coalesce(c.undecided, 0) AS undecided,
         coalesce(c.revoked_effective, 0) AS revoked_effective,
         c.reviewers, c.last_decision_at,
         r.closed_at, r.closed_by,
         CASE WHEN r.closed_at IS NOT NULL THEN 'closed'
              WHEN r.deadline <= now() THEN 'overdue' ELSE 'open' END AS state
    FROM tmac.access_review r
    LEFT JOIN LATERAL (
      SELECT count(*) AS n,
             count(*) FILTER (WHERE i.decision = 'keep') AS kept,
             count(*) FILTER (WHERE i.decision = 'revoke') AS revoked,
             count(*) FILTER (WHERE i.decision IS NULL) AS undecided,
             count(*) FILTER (WHERE i.revoked_at IS NOT NULL) AS revoked_effective,
             array_agg(DISTINCT i.decided_by ORDER BY i.decided_by) FILTER (WHERE i.decided_by IS NOT NULL) AS reviewers,
             max(i.decided_at) AS last_decision_at
        FROM tmac.access_review_item i WHERE i.review_id = r.review_id) c ON true;
COMMENT ON VIEW tmac.review_evidence IS
  'Evidence of each access review: scope, population count and hash (and whether the stored population still matches it), decisions kept/revoked/undecided, reviewers, state';

CREATE FUNCTION tmac.audit_grant(grant_id bigint, outcome text DEFAULT 'confirmed', comment text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.reviewer(tmac.msgid('audit a grant'));
  g tmac.access_grant;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('audit_grant', 'grant_id', grant_id::text, 'outcome', outcome);
  outcome := tmac.enum_code('grant_audit_outcome', outcome);
  IF outcome NOT IN ('confirmed', 'questioned') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('outcome must be confirmed or questioned, not "%s"', outcome), ERRCODE = 'invalid_parameter_value';
  END IF;
  g := tmac.row_by_key(NULL::tmac.access_grant, 'grant_id', grant_id, tmac.message('no grant %s', grant_id));
  IF me = g.requested_by OR me = ANY (g.approved_by) OR me = g.person_id THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" set or holds grant %s and cannot audit it', me, grant_id),
      ERRCODE = 'insufficient_privilege', HINT = tmac.message('The audit must be done by another administrator.');
  END IF;
  INSERT INTO tmac.grant_audit (grant_id, audited_by, outcome, comment) VALUES (grant_id, me, outcome, comment)
  RETURNING audit_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.audit_grant(bigint, text, text) IS 'Records that the acting administrator, who neither requested, approved nor holds the grant, audited it (confirmed or questioned)';

SELECT tmac.add_audit_trigger('tmac.access_review', 'review_id');
SELECT tmac.add_audit_trigger('tmac.grant_audit', 'audit_id', 'grant_id');
-- Items: decisions are logged; the population itself is logged by its count and hash in the
-- review's start entry (one entry holding 1,000,000 rows would help nobody).  Decisions change
-- one review's items at a time, so grant_id identifies a row within a statement.
CREATE TRIGGER audit_update AFTER UPDATE ON tmac.access_review_item REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_trigger('grant_id', 'grant_id');
CREATE TRIGGER audit_delete AFTER DELETE ON tmac.access_review_item REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_trigger('grant_id', 'grant_id');
SELECT tmac.keep_forever('tmac.access_review', forbid_truncate => false);
SELECT tmac.keep_forever('tmac.access_review_item', forbid_truncate => false);
SELECT tmac.keep_forever('tmac.grant_audit', forbid_truncate => false);


-- Checks of the access reviews (criterion II; the compliance registry: 45_compliance_registry.sql).

CREATE FUNCTION tmac.check_review_undecided() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'review:' || r.review_id,
         tmac.message('Access review %s (%s) passed its deadline %s with %s of %s item(s) undecided and still in force%s. Decide them (tmac.review_decide) or revoke the grants.',
                r.review_id, r.title, r.deadline, u.n, r.population_count,
                CASE WHEN r.closed_at IS NOT NULL THEN tmac.message(' (closed %s)', r.closed_at) ELSE '' END),
         r.deadline
    FROM tmac.access_review r
    CROSS JOIN LATERAL (
      SELECT count(*) AS n FROM tmac.access_review_item i JOIN tmac.access_grant g ON g.grant_id = i.grant_id
       WHERE i.review_id = r.review_id AND i.decision IS NULL
         AND g.status = 'active' AND tmac.grant_lapse(g.validity, g.grace_until) > now()) u
   WHERE r.deadline <= now() AND r.undecided_action = 'report' AND u.n > 0;
END;
COMMENT ON FUNCTION tmac.check_review_undecided() IS 'Check review_undecided: access reviews past their deadline with undecided items (when review_undecided is report) whose grants are still in force';

CREATE FUNCTION tmac.check_review_population_altered() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'review:' || e.review_id,
         tmac.message('The stored population of access review %s no longer matches the count (%s) and hash recorded when it started; the evidence was altered. Compare with the audit log entry of its start.',
                e.review_id, e.population_count),
         e.started_at
    FROM tmac.review_evidence e
   WHERE NOT e.population_intact;
END;
COMMENT ON FUNCTION tmac.check_review_population_altered() IS 'Check review_population_altered: access reviews whose stored population no longer matches its recorded count and hash';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('review_undecided', 'II', 'medium', tmac.msgid('Access review past its deadline with undecided items'),
   tmac.msgid('An access review passed its deadline with items nobody decided, and the grants are still in force (setting review_undecided = report).'),
   tmac.msgid('Decide the items (tmac.review_decide) or revoke the grants.'), 'tmac.check_review_undecided', '{}', '{reviews}', true),
  ('review_population_altered', 'II', 'critical', tmac.msgid('Access review evidence altered'),
   tmac.msgid('The stored population of an access review no longer matches the count and SHA-256 hash recorded when it started.'),
   tmac.msgid('Investigate with the audit log; the review''s start entry records the original count and hash.'), 'tmac.check_review_population_altered', '{}', '{reviews}', true);
