-- 55_grants.sql — clearances and need-to-know grants.
--
-- One table, tmac.access_grant, holds clearances (a level) and compartment
-- grants (a compartment and a mode), from request to end.  Requests are made
-- by an access administrator, approved by someone else holding tmac_approver
-- (two distinct approvers for clearances of rank >= 40), and end by expiry,
-- revocation, termination or role change; nothing is deleted.
--
-- Concurrency: every function that changes a person's grants first locks the
-- person row (approval FOR SHARE, requests and the HR feed FOR UPDATE) and
-- re-checks the person's state under that lock, so a termination and an
-- approval of the same person are serialised: whichever commits second sees
-- the other's result.  The grant row is locked after the person row, always.
--
-- Role changes: when approved, a grant is bound to the grantee's job_role and
-- org_group at that moment; a transfer or promotion that changes either ends
-- it (reason role_change) or starts the role_change_grace period.  An
-- approver marks a grant as surviving role changes with
-- tmac.keep_on_role_change(grant_id, justification).
--
-- Termination: a grant's end by termination stays a row update (tmac.end_grants_of), not a
-- state derived from the person's status.  Deriving it ("active, but its person was
-- terminated after it was requested") was weighed and refused:
--   * rehire must not bring the grants back (today they stay ended, reason terminated), so the
--     derivation cannot read the person's status; it needs a record per termination and a
--     boundary (the grants that existed when it took effect), and every reader must apply it:
--     tmac.grants, grant_in_force (access_profile_of, access_as_of, explain_access, the
--     enforcement's profiles), the access-rights ledger, start_review, the checks of 74/85,
--     the compliance counts, suspect_grants and sod_violations, and the writers too — revoke,
--     extend, keep_on_role_change, approve and reject check the stored status, maintenance
--     would mark a terminated person's lapsed grants "expired" and a later transfer would end
--     them again as "role_change";
--   * the partial indexes of the compliance checks (status IN ('active', 'pending'), 73) are
--     what keeps them index-driven at a million persons; grants that stay "active" after their
--     person left would fill them with every leaver's history and grow with turnover;
--   * the stored row is the evidence an auditor reads (ended_at, end_reason, ended_by): a
--     derived end is an answer every reader must compute the same way, forever.
-- So the cost is made lean instead: one UPDATE, driven by the person's open grants
-- (access_grant_open_idx), which touches two indexes per row (the new version matches none of
-- the partial ones; no HOT update is possible while an index predicate names status); its audit
-- entry built from the UPDATE's RETURNING rows — the changes are known, so nothing compares
-- 10,000 old and new rows or sorts their keys (the generic statement trigger is told so,
-- tmac.audit_cover_next_update) — hashed on small values and written as JSON text parsed once,
-- and stored with lz4 (50_audit_log.sql); the person's sessions and login gate are handled once
-- per person by the HR feed.
-- Measured in instructions (callgrind, one backend; issue 23 item 2), against a bare UPDATE of
-- the same 10,000 rows with triggers off (799 M): ending them cost 1,009 M before (1.26x; pglz
-- 48 M, building the entry's jsonb about 56 M, the foreign keys' per-row "check required" tests
-- 42 M, hashing the groups on four text and time columns 20 M, the RETURNING rows' tuplestore
-- 20 M) and 939 M after (1.18x); the whole termination 1,050 M before (1.31x), 979 M after
-- (1.23x).  What remains is what PostgreSQL does for any table with foreign keys (their checks,
-- 5 % of the bare UPDATE), the RETURNING rows, the entry's 10,000 numbers parsed, and the
-- termination's own work (HR event, person, login role, the login gate's query at commit
-- (10 M, planned again at every commit: kept in a PL/pgSQL function its generic plan did not
-- survive the termination's invalidations, so it stays a SQL function): 40 M in a warm session).
-- A row update of 10,000 rows cannot reach 50 ms on this machine: the bare one alone takes
-- 85-100 ms of CPU.  A derived end would make a termination cost what one without grants costs
-- (9-12 ms of CPU here), but the reasons above stand; the goal is not met.
--
-- Its compliance checks (a leaver's live grants, access without a pledge; criterion II) are at the
-- end of this file; the grant checks that read the reviews and SoD rules are in 73_sod_violations.sql.

CREATE TABLE tmac.access_grant (
  grant_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id         text NOT NULL REFERENCES tmac.person,
  kind              text NOT NULL CHECK (kind IN ('clearance', 'compartment')),
  level_rank        smallint REFERENCES tmac.level,
  compartment_id    integer REFERENCES tmac.compartment,
  mode              text CHECK (mode IN ('read', 'write')),
  validity          tstzrange NOT NULL CHECK (NOT isempty(validity) AND NOT upper_inf(validity) AND NOT lower_inf(validity)),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'active', 'rejected', 'ended', 'expired', 'cancelled')),
  reason            text NOT NULL,
  requested_by      text NOT NULL,
  requested_at      timestamptz NOT NULL DEFAULT now(),
  approved_by       text[] NOT NULL DEFAULT '{}',
  approved_at       timestamptz,
  decision_comment  text,
  extends_grant_id  bigint REFERENCES tmac.access_grant DEFERRABLE INITIALLY DEFERRED,  -- deferred: restore order
  bound_job_role    text,
  survives_role_change boolean NOT NULL DEFAULT false,
  survival_justification text,
  grace_until       timestamptz,
  ended_at          timestamptz,
  end_reason        text,
  ended_by          text,
  end_comment       text,
  bound_org_group_id integer,         -- tmac.org_group.group_id
  CHECK ((kind = 'clearance') = (level_rank IS NOT NULL)),
  CHECK ((kind = 'compartment') = (compartment_id IS NOT NULL AND mode IS NOT NULL)),
  CHECK ((status IN ('ended', 'expired', 'cancelled')) = (ended_at IS NOT NULL)),
  CHECK (status <> 'active' OR approved_at IS NOT NULL)
);
COMMENT ON TABLE tmac.access_grant IS
  'Clearances and need-to-know grants, from request to end (never deleted); read them through tmac.grants';
COMMENT ON COLUMN tmac.access_grant.kind IS 'clearance (a level) or compartment (a need-to-know grant)';
COMMENT ON COLUMN tmac.access_grant.level_rank IS 'For a clearance: rank of the level (tmac.level)';
COMMENT ON COLUMN tmac.access_grant.compartment_id IS 'For a grant: the compartment (tmac.compartment)';
COMMENT ON COLUMN tmac.access_grant.mode IS 'For a grant: read, or write (which includes read)';
COMMENT ON COLUMN tmac.access_grant.validity IS 'When the grant is valid, [from, until); the start becomes the approval time if later';
COMMENT ON COLUMN tmac.access_grant.status IS 'pending, active, rejected, ended, expired or cancelled as stored; tmac.grants shows expiry at once';
COMMENT ON COLUMN tmac.access_grant.requested_by IS 'person_id of the requester';
COMMENT ON COLUMN tmac.access_grant.approved_by IS 'person_ids of the approvers, in order';
COMMENT ON COLUMN tmac.access_grant.extends_grant_id IS 'The grant this request extends (tmac.extend)';
COMMENT ON COLUMN tmac.access_grant.bound_job_role IS 'The grantee''s job role when approved; a change ends the grant unless it survives role changes';
COMMENT ON COLUMN tmac.access_grant.bound_org_group_id IS 'The grantee''s group (tmac.org_group.group_id) when approved; a change ends the grant unless it survives role changes';
COMMENT ON COLUMN tmac.access_grant.survives_role_change IS 'Set by tmac.keep_on_role_change: transfers and promotions do not end this grant';
COMMENT ON COLUMN tmac.access_grant.grace_until IS 'After a role change with a grace period: the grant ends at this instant';
COMMENT ON COLUMN tmac.access_grant.end_reason IS 'expired, revoked, withdrawn, rejected, terminated or role_change';
COMMENT ON COLUMN tmac.access_grant.ended_by IS 'Who ended it: a person_id, a role, or hr_event:<event_id>';
CREATE INDEX access_grant_person_idx ON tmac.access_grant (person_id, kind);
-- (person first: a person's open grants are found by person, whatever the planner knows of statuses)
CREATE INDEX access_grant_open_idx ON tmac.access_grant (person_id, status) WHERE status IN ('pending', 'active');

-- The effective end of a grant (expiry or role-change grace), and why.  No SET search_path,
-- so that it stays inlinable (tmac.grants computes it for every row); qualified instead.
CREATE FUNCTION tmac.grant_lapse(validity tstzrange, grace_until timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN least(pg_catalog.upper(validity), grace_until);
COMMENT ON FUNCTION tmac.grant_lapse(tstzrange, timestamptz) IS 'When an active grant lapses by itself: its validity''s end or the end of a role-change grace period';

CREATE VIEW tmac.grants AS
  SELECT g.grant_id, g.person_id, g.kind, l.code AS level, c.code AS compartment, g.mode,
         lower(g.validity) AS valid_from, upper(g.validity) AS valid_until,
         CASE WHEN x.lapsed THEN CASE WHEN x.by_role_change THEN 'ended' ELSE 'expired' END
              ELSE g.status END AS status,
         g.requested_by, g.approved_by,
         CASE WHEN x.lapsed THEN x.lapse_at ELSE g.ended_at END AS ended_at,
         CASE WHEN x.lapsed THEN CASE WHEN x.by_role_change THEN 'role_change' ELSE 'expired' END
              ELSE g.end_reason END AS end_reason
    FROM tmac.access_grant g
    -- an active grant whose validity or role-change grace has run out: derived once per row
    CROSS JOIN LATERAL (
      SELECT g.status = 'active' AND tmac.grant_lapse(g.validity, g.grace_until) <= now() AS lapsed,
             tmac.grant_lapse(g.validity, g.grace_until) AS lapse_at,
             g.grace_until < upper(g.validity) AS by_role_change) x
    LEFT JOIN tmac.level l ON l.rank = g.level_rank
    LEFT JOIN tmac.compartment c ON c.compartment_id = g.compartment_id;
COMMENT ON VIEW tmac.grants IS
  'Every clearance and grant ever requested, with its status now (a grant past valid_until shows expired at once)';

-- Rejects a request that overlaps a pending or active one for the same thing.
CREATE FUNCTION tmac.validate_no_overlap(g tmac.access_grant) RETURNS void
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  other bigint;
  msg text;
  detail text;
BEGIN
  SELECT o.grant_id INTO other FROM tmac.access_grant o
   WHERE o.person_id = g.person_id AND o.kind = g.kind AND o.grant_id IS DISTINCT FROM g.grant_id
     AND o.level_rank IS NOT DISTINCT FROM g.level_rank
     AND o.compartment_id IS NOT DISTINCT FROM g.compartment_id
     AND o.mode IS NOT DISTINCT FROM g.mode
     AND o.status IN ('pending', 'active')
     AND o.validity && g.validity
     AND tmac.grant_lapse(o.validity, o.grace_until) > now()
   LIMIT 1;
  IF other IS NOT NULL THEN
    -- one message per kind: a translation names the kind in its own words
    IF g.kind = 'clearance' THEN
      msg := tmac.message('overlaps clearance %s for person "%s"', other, g.person_id);
      detail := tmac.message('Grant %s covers the same clearance during part of %s.', other, g.validity);
    ELSE
      msg := tmac.message('overlaps grant %s for person "%s"', other, g.person_id);
      detail := tmac.message('Grant %s covers the same compartment during part of %s.', other, g.validity);
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'exclusion_violation', MESSAGE = msg, DETAIL = detail,
            HINT = tmac.message('Extend the existing grant with tmac.extend(grant_id, valid_until), or revoke it first.');
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.validate_no_overlap(tmac.access_grant) IS 'Error 23P01 when a pending or active grant of the same person, level or compartment and mode overlaps in time';

CREATE FUNCTION tmac.new_request(g tmac.access_grant) RETURNS bigint
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  st text;
  id bigint;
BEGIN
  SELECT p.status INTO st FROM tmac.person p WHERE p.person_id = g.person_id FOR UPDATE;
  PERFORM tmac.require_found(FOUND, tmac.message('unknown person "%s"', g.person_id), 'foreign_key_violation', tmac.message('Persons are created by a hire event in tmac.hr_event.'));
  IF (SELECT s.status FROM tmac.person_state_at(g.person_id, now()) s) = 'terminated' THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('person "%s" is terminated', g.person_id);
  END IF;
  IF upper(g.validity) <= now() THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('valid_until %s is not in the future', upper(g.validity));
  END IF;
  IF isempty(g.validity) OR upper(g.validity) <= lower(g.validity) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('valid_until %s is not after valid_from %s', upper(g.validity), lower(g.validity));
  END IF;
  PERFORM tmac.validate_no_overlap(g);
  INSERT INTO tmac.access_grant (person_id, kind, level_rank, compartment_id, mode, validity, reason,
                                 requested_by, extends_grant_id)
  VALUES (g.person_id, g.kind, g.level_rank, g.compartment_id, g.mode, g.validity, g.reason,
          g.requested_by, g.extends_grant_id)
  RETURNING grant_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.new_request(tmac.access_grant) IS 'Internal: checks and stores a pending request';

CREATE FUNCTION tmac.request_clearance(person_id text, level text, valid_until timestamptz, reason text,
                                       valid_from timestamptz DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  g tmac.access_grant;
BEGIN
  PERFORM tmac.require_arguments('request_clearance', 'person_id', person_id, 'level', level,
                                 'valid_until', valid_until::text, 'reason', reason);
  g.requested_by := tmac.acting_person(tmac.msgid('request a clearance'));
  g.person_id := tmac.resolve_person(person_id);     -- E004, or the login role e004
  g.kind := 'clearance';
  g.level_rank := tmac.vocabulary_id('level', level);
  g.validity := tstzrange(coalesce(valid_from, now()), greatest(valid_until, coalesce(valid_from, now())));
  g.reason := reason;
  RETURN tmac.new_request(g);
END
$$;
COMMENT ON FUNCTION tmac.request_clearance(text, text, timestamptz, text, timestamptz) IS 'Requests a clearance (level) for a person until valid_until; returns the grant_id of the pending request';

CREATE FUNCTION tmac.request_access(person_id text, compartment text, valid_until timestamptz, purpose text,
                                    mode text DEFAULT 'read', valid_from timestamptz DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  g tmac.access_grant;
BEGIN
  PERFORM tmac.require_arguments('request_access', 'person_id', person_id, 'compartment', compartment,
                                 'valid_until', valid_until::text, 'purpose', purpose, 'mode', mode);
  mode := tmac.enum_code('grant_mode', mode);   -- 閲覧, 閲覧・更新 (81_enumerations.sql)
  IF lower(mode) NOT IN ('read', 'write') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = tmac.message('invalid mode "%s"', mode),
      HINT = tmac.message('mode is read or write.');
  END IF;
  g.requested_by := tmac.acting_person(tmac.msgid('request access'));
  g.person_id := tmac.resolve_person(person_id);     -- E004, or the login role e004
  g.kind := 'compartment';
  g.compartment_id := tmac.vocabulary_id('compartment', compartment);
  g.mode := lower(mode);
  g.validity := tstzrange(coalesce(valid_from, now()), greatest(valid_until, coalesce(valid_from, now())));
  g.reason := purpose;
  RETURN tmac.new_request(g);
END
$$;
COMMENT ON FUNCTION tmac.request_access(text, text, timestamptz, text, text, timestamptz) IS 'Requests a need-to-know grant (read or write) on a compartment until valid_until; returns the grant_id of the pending request';

-- Locks the person, then the grant; checks the decider's rights (42501).
CREATE FUNCTION tmac.lock_for_decision(grant_id bigint, decider text, duty text) RETURNS tmac.access_grant
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  g tmac.access_grant;
  pid text;
  actor name := tmac.acting_role(CASE duty WHEN 'approve' THEN tmac.msgid('approve a request')
                                            WHEN 'reject' THEN tmac.msgid('reject a request')
                                            ELSE coalesce(duty, 'decide') || ' a request' END);
  approving boolean := duty = 'approve';     -- the duties are approve and reject: one message each
  msg text;
BEGIN
  PERFORM tmac.require_arguments('lock_for_decision', 'grant_id', grant_id::text, 'duty', duty);
  IF NOT pg_has_role(actor, 'tmac_approver', 'MEMBER') THEN
    msg := CASE WHEN approving THEN tmac.message('role "%s" must hold tmac_approver to approve a request', actor)
                ELSE tmac.message('role "%s" must hold tmac_approver to reject a request', actor) END;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = msg;
  END IF;
  pid := (tmac.row_by_key(NULL::tmac.access_grant, 'grant_id', grant_id, tmac.message('no grant %s', grant_id))).person_id;
  PERFORM 1 FROM tmac.person p WHERE p.person_id = pid FOR SHARE;
  SELECT * INTO g FROM tmac.access_grant a WHERE a.grant_id = lock_for_decision.grant_id FOR UPDATE;
  IF g.status <> 'pending' THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('grant %s is %s, not pending', grant_id, g.status);
  END IF;
  IF decider = g.person_id THEN
    msg := CASE WHEN approving THEN tmac.message('person "%s" cannot approve a request for themselves', decider)
                ELSE tmac.message('person "%s" cannot reject a request for themselves', decider) END;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = msg,
      HINT = tmac.message('Another approver must decide (four-eyes rule).');
  END IF;
  IF decider = g.requested_by THEN
    msg := CASE WHEN approving THEN tmac.message('person "%s" cannot approve their own request', decider)
                ELSE tmac.message('person "%s" cannot reject their own request', decider) END;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = msg,
      HINT = tmac.message('Another approver must decide (four-eyes rule).');
  END IF;
  IF decider = ANY (g.approved_by) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('person "%s" has already approved grant %s', decider, grant_id),
      HINT = tmac.message('A clearance of rank 40 or more needs a second, different approver.');
  END IF;
  RETURN g;
END
$$;
COMMENT ON FUNCTION tmac.lock_for_decision(bigint, text, text) IS 'Internal: locks the grantee and the request, and enforces the four-eyes rules (error 42501)';

CREATE FUNCTION tmac.approve(grant_id bigint, comment text DEFAULT NULL)
  RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text;
  g tmac.access_grant;
  st record;
  problems text;
  needed integer;
BEGIN
  PERFORM tmac.require_arguments('approve', 'grant_id', grant_id::text);
  me := tmac.acting_person(tmac.msgid('approve a request'));
  g := tmac.lock_for_decision(grant_id, me, 'approve');
  IF upper(g.validity) <= now() THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('request %s lapsed at %s', grant_id, upper(g.validity)),
      HINT = tmac.message('Make a new request with a later valid_until.');
  END IF;
  SELECT string_agg(c.reason, '; ' ORDER BY c.ord) INTO problems
    FROM tmac.access_prerequisites(g.person_id, now()) WITH ORDINALITY c(prerequisite, passed, reason, ord)
   WHERE NOT c.passed;
  IF problems IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = tmac.message('person "%s" does not meet the prerequisites for access', g.person_id),
            DETAIL = tmac.message('%s.', problems),
            HINT = tmac.message('Record the pledge or training first (tmac.record_pledge, tmac.record_training).');
  END IF;
  g.validity := tstzrange(greatest(lower(g.validity), now()), upper(g.validity));
  PERFORM tmac.validate_no_overlap(g);
  needed := CASE WHEN g.kind = 'clearance' AND g.level_rank >= 40 THEN 2 ELSE 1 END;
  SELECT * INTO st FROM tmac.person_state_at(g.person_id, now());
  UPDATE tmac.access_grant a
     SET approved_by = a.approved_by || me,
         decision_comment = coalesce(a.decision_comment || E'\n', '') || coalesce(comment, ''),
         status = CASE WHEN cardinality(a.approved_by) + 1 >= needed THEN 'active' ELSE 'pending' END,
         approved_at = CASE WHEN cardinality(a.approved_by) + 1 >= needed THEN now() END,
         validity = CASE WHEN cardinality(a.approved_by) + 1 >= needed THEN g.validity ELSE a.validity END,
         bound_job_role = st.job_role, bound_org_group_id = st.org_group_id
   WHERE a.grant_id = approve.grant_id
   RETURNING a.status INTO g.status;
  RETURN g.status;
END
$$;
COMMENT ON FUNCTION tmac.approve(bigint, text) IS 'Approves a pending request as the person mapped to current_user (holder of tmac_approver, neither requester nor grantee); returns the new status (a clearance of rank >= 40 stays pending until a second approver)';

CREATE FUNCTION tmac.reject(grant_id bigint, comment text)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text;
BEGIN
  PERFORM tmac.require_arguments('reject', 'grant_id', grant_id::text, 'comment', comment);
  me := tmac.acting_person(tmac.msgid('reject a request'));
  PERFORM tmac.lock_for_decision(grant_id, me, 'reject');
  UPDATE tmac.access_grant a
     SET status = 'rejected', decision_comment = comment, ended_by = me
   WHERE a.grant_id = reject.grant_id;
END
$$;
COMMENT ON FUNCTION tmac.reject(bigint, text) IS 'Rejects a pending request, with a comment; the same four-eyes rules as tmac.approve';

CREATE FUNCTION tmac.revoke(grant_id bigint, reason text)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  g tmac.access_grant;
  actor name := tmac.acting_role(tmac.msgid('revoke a grant'));
  who text := coalesce(tmac.person_of_role(actor), actor::text);
BEGIN
  PERFORM tmac.require_arguments('revoke', 'grant_id', grant_id::text, 'reason', reason);
  g := tmac.row_for_update(NULL::tmac.access_grant, 'grant_id', grant_id, tmac.message('no grant %s', grant_id));
  IF g.status NOT IN ('pending', 'active') OR tmac.grant_lapse(g.validity, g.grace_until) <= now() THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state', MESSAGE = tmac.message('grant %s has already ended', grant_id);
  END IF;
  UPDATE tmac.access_grant a
     SET status = CASE g.status WHEN 'pending' THEN 'cancelled' ELSE 'ended' END,
         ended_at = now(), end_reason = CASE g.status WHEN 'pending' THEN 'withdrawn' ELSE 'revoked' END,
         ended_by = who, end_comment = revoke.reason
   WHERE a.grant_id = revoke.grant_id;
END
$$;
COMMENT ON FUNCTION tmac.revoke(bigint, text) IS 'Ends an active grant (reason revoked) or withdraws a pending request, recording who and why';

CREATE FUNCTION tmac.extend(grant_id bigint, valid_until timestamptz)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  g tmac.access_grant;
BEGIN
  PERFORM tmac.require_arguments('extend', 'grant_id', grant_id::text, 'valid_until', valid_until::text);
  g := tmac.row_by_key(NULL::tmac.access_grant, 'grant_id', grant_id, tmac.message('no grant %s', grant_id));
  IF g.status <> 'active' OR tmac.grant_lapse(g.validity, g.grace_until) <= now() THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state', MESSAGE = tmac.message('grant %s is not active', grant_id),
      HINT = tmac.message('Only an active grant can be extended; request a new one instead.');
  END IF;
  IF valid_until <= upper(g.validity) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('valid_until %s does not extend grant %s (valid until %s)', valid_until, grant_id, upper(g.validity));
  END IF;
  g.requested_by := tmac.acting_person(tmac.msgid('request an extension'));
  g.extends_grant_id := g.grant_id;
  g.grant_id := NULL;
  g.validity := tstzrange(upper(g.validity), valid_until);
  g.reason := format('extension of grant %s: %s', grant_id, g.reason);
  RETURN tmac.new_request(g);
END
$$;
COMMENT ON FUNCTION tmac.extend(bigint, timestamptz) IS 'Requests an extension of an active grant: a pending follow-on grant from its end to valid_until, approved like any request; returns its grant_id';

CREATE FUNCTION tmac.keep_on_role_change(grant_id bigint, justification text)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text;
  actor name;
  g tmac.access_grant;
BEGIN
  PERFORM tmac.require_arguments('keep_on_role_change', 'grant_id', grant_id::text, 'justification', justification);
  me := tmac.acting_person(tmac.msgid('mark a grant as surviving role changes'));
  actor := tmac.acting_role(tmac.msgid('mark a grant as surviving role changes'));
  IF NOT pg_has_role(actor, 'tmac_approver', 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = tmac.message('role "%s" must hold tmac_approver', actor);
  END IF;
  g := tmac.row_for_update(NULL::tmac.access_grant, 'grant_id', grant_id, tmac.message('no grant %s', grant_id));
  IF me IN (g.person_id, g.requested_by) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('person "%s" cannot decide on a grant they requested or hold', me);
  END IF;
  IF g.status NOT IN ('pending', 'active') THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state', MESSAGE = tmac.message('grant %s is %s', grant_id, g.status);
  END IF;
  UPDATE tmac.access_grant a SET survives_role_change = true, survival_justification = justification || ' (' || me || ')'
   WHERE a.grant_id = keep_on_role_change.grant_id;
END
$$;
COMMENT ON FUNCTION tmac.keep_on_role_change(bigint, text) IS 'Marks a grant as surviving transfers and promotions (approver only, not the grantee or requester), with a justification';

-- The termination's effect on grants (54_hr_feed.sql calls it for each terminated person; a
-- set-based feed may call it once for many): every pending request is cancelled and every active
-- grant ended, as of the termination's instant (an active grant already past its validity then
-- ended at that end, reason expired), by the HR event.  One UPDATE; its audit entry is built from
-- the UPDATE's RETURNING rows in the format tmac.audit_trigger gives any multi-row UPDATE (rows
-- of one person with the same change share an element; its "keys" list the grants in the order
-- the UPDATE ended them, not sorted; the elements in the order of their smallest key), instead of
-- tmac.audit_trigger comparing every old and new row and sorting the keys (see "Termination" in
-- the header).  An open grant whose end columns are
-- somehow already filled is left to a second, ordinary UPDATE, so that the entry's old values
-- (status, and NULL end columns) are exact.  Returns the number of grants ended.
CREATE FUNCTION tmac.end_grants_of(person_ids text[], effective_at timestamptz[], by_whom text[])
  RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET enable_sort = off AS
$$
DECLARE
  n bigint;
  one bigint;
  old_status text;
  changes text;
  r jsonb;
  more bigint;
BEGIN
  IF cardinality(person_ids) IS DISTINCT FROM cardinality(effective_at)
     OR cardinality(person_ids) IS DISTINCT FROM cardinality(by_whom) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('person_ids, effective_at and by_whom differ in length');
  END IF;
  PERFORM tmac.audit_cover_next_update('tmac.access_grant');
  -- Each grant's new values follow from its old status, its validity and its person's instant
  -- and event, so the UPDATE returns only its key, its person's position k, whether it was a
  -- request and, for one that lapsed first, when: the groups are hashed on those, and the entry
  -- is written as JSON text and parsed once (the keys are not copied from one jsonb to the next).
  WITH u AS (
    UPDATE tmac.access_grant g
       SET status = CASE g.status WHEN 'pending' THEN 'cancelled' ELSE 'ended' END,
           ended_at = CASE WHEN g.status = 'active' AND upper(g.validity) <= t.eff THEN upper(g.validity) ELSE t.eff END,
           end_reason = CASE WHEN g.status = 'active' AND upper(g.validity) <= t.eff THEN 'expired' ELSE 'terminated' END,
           ended_by = t.who
      FROM unnest(person_ids, effective_at, by_whom) WITH ORDINALITY t(person_id, eff, who, k)
     WHERE g.person_id = t.person_id AND g.status IN ('pending', 'active')
       AND g.end_reason IS NULL AND g.ended_by IS NULL
    RETURNING g.grant_id, t.k, g.status = 'cancelled' AS cancelled,
              CASE WHEN g.end_reason = 'expired' THEN g.ended_at END AS lapsed_at),
  c AS (
    SELECT u.k, u.cancelled, u.lapsed_at, count(*) AS cnt, min(u.grant_id) AS first_key,
           string_agg(u.grant_id::text, ', ') AS keys
      FROM u GROUP BY u.k, u.cancelled, u.lapsed_at)
  -- (hashed, not sorted: the groups are few, the grants many)
  SELECT sum(c.cnt)::bigint, min(c.first_key), min(CASE WHEN c.cancelled THEN 'pending' ELSE 'active' END),
         string_agg('{"keys": [' || c.keys || '], "old": '
                    || jsonb_build_object('status', CASE WHEN c.cancelled THEN 'pending' ELSE 'active' END,
                                          'ended_at', NULL, 'end_reason', NULL, 'ended_by', NULL)::text
                    || ', "new": '
                    || jsonb_build_object('status', CASE WHEN c.cancelled THEN 'cancelled' ELSE 'ended' END,
                                          'ended_at', coalesce(c.lapsed_at, effective_at[c.k]),
                                          'end_reason', CASE WHEN c.lapsed_at IS NULL THEN 'terminated' ELSE 'expired' END,
                                          'ended_by', by_whom[c.k])::text || '}',
                    ', ' ORDER BY c.first_key)
    INTO n, one, old_status, changes
    FROM c;
  PERFORM tmac.audit_covered('tmac.access_grant');      -- taken by the trigger; cleared in any case
  IF n = 1 THEN                 -- one grant: logged as a single row, as tmac.audit_trigger does
    SELECT to_jsonb(g) INTO r FROM tmac.access_grant g WHERE g.grant_id = one;
    PERFORM tmac.audit_append('access_grant', 'UPDATE', r ->> 'grant_id',
      jsonb_build_object('old', r || jsonb_build_object('status', old_status, 'ended_at', NULL,
                                                        'end_reason', NULL, 'ended_by', NULL),
                         'new', r));
  ELSIF n > 1 THEN
    PERFORM tmac.audit_append('access_grant', 'UPDATE', NULL,
                              ('{"count": ' || n || ', "key": "grant_id", "changes": [' || changes || ']}')::jsonb);
  END IF;
  -- open grants with end columns already filled (never written so by tmac): audited as usual
  UPDATE tmac.access_grant g
     SET status = CASE g.status WHEN 'pending' THEN 'cancelled' ELSE 'ended' END,
         ended_at = CASE WHEN g.status = 'active' AND upper(g.validity) <= t.eff THEN upper(g.validity) ELSE t.eff END,
         end_reason = CASE WHEN g.status = 'active' AND upper(g.validity) <= t.eff THEN 'expired' ELSE 'terminated' END,
         ended_by = t.who
    FROM unnest(person_ids, effective_at, by_whom) t(person_id, eff, who)
   WHERE g.person_id = t.person_id AND g.status IN ('pending', 'active');
  GET DIAGNOSTICS more = ROW_COUNT;
  RETURN coalesce(n, 0) + more;
END
$$;
COMMENT ON FUNCTION tmac.end_grants_of(text[], timestamptz[], text[]) IS 'Internal (HR feed, termination): cancels the pending requests and ends the active grants of each person as of the termination instant, by the HR event; one UPDATE and one audit entry listing every grant ended; returns how many';

SELECT tmac.add_audit_trigger('tmac.access_grant', 'grant_id');
SELECT tmac.keep_forever('tmac.access_grant');


-- Checks of the grants (criterion II; the compliance registry: 45_compliance_registry.sql): a leaver's
-- live grants, and access held without a valid pledge.  They read the stored state set-based (no
-- per-person function calls).  The checks needing the access reviews and the SoD rules
-- (check_grants) are in 73_sod_violations.sql.

CREATE FUNCTION tmac.check_terminated_live_grant() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- each leaver's grants by index (never a scan of every grant, whatever the statistics say)
  SELECT 'person:' || p.person_id,
         tmac.message('%s (%s) was terminated on %s but still has %s live grant(s) or request(s): %s. Revoke them with tmac.revoke.',
                      p.person_id, p.full_name, p.terminated_at, g.n, g.ids),
         p.terminated_at
    FROM tmac.person p
    CROSS JOIN LATERAL (SELECT count(*) AS n, string_agg(g.grant_id::text, ', ' ORDER BY g.grant_id) AS ids
                          FROM tmac.access_grant g
                         WHERE g.person_id = p.person_id AND g.status IN ('active', 'pending')
                           AND tmac.grant_lapse(g.validity, g.grace_until) > now()) g
   WHERE p.status = 'terminated' AND g.n > 0;
END;
COMMENT ON FUNCTION tmac.check_terminated_live_grant() IS 'Check terminated_live_grant: terminated persons with an active grant or a pending request';

-- Persons failing a prerequisite are found by anti-joins over the pledge and training tables
-- (settings read once); only those are then looked up in the grants, by index.
CREATE FUNCTION tmac.check_access_without_pledge() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT tmac.setting_value('date_time_zone') AS tz,
           (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date AS today,
           tmac.setting_on('require_pledge') AS required
  ), failing AS MATERIALIZED (
    SELECT p.person_id, p.full_name, p.pledge_required_since
      FROM tmac.person p CROSS JOIN s
     WHERE p.status = 'active'
       AND NOT EXISTS (
         SELECT 1 FROM tmac.pledge pl
          WHERE pl.person_id = p.person_id AND pl.kind <> 'termination'
            AND pl.signed_on <= s.today AND (pl.valid_until IS NULL OR pl.valid_until >= s.today)
            AND (p.pledge_required_since IS NULL OR pl.signed_on >= (p.pledge_required_since AT TIME ZONE s.tz)::date))
  )
  SELECT 'person:' || f.person_id,
         tmac.message('%s (%s) holds grants in force but has no valid pledge (誓約書)%s; %s (tmac.record_pledge).',
                f.person_id, f.full_name,
                CASE WHEN f.pledge_required_since IS NOT NULL
                     THEN tmac.message(' signed since the role change of %s', f.pledge_required_since) ELSE '' END,
                CASE WHEN s.required THEN tmac.message('access is denied until one is recorded')
                     ELSE tmac.message('access is NOT denied, because require_pledge is off; record one') END),
         NULL::timestamptz
    FROM failing f CROSS JOIN s
   WHERE (SELECT true FROM tmac.access_grant g
           WHERE g.person_id = f.person_id AND g.status = 'active' AND lower(g.validity) <= now()
             AND least(upper(g.validity), g.grace_until) > now() LIMIT 1);
END;
COMMENT ON FUNCTION tmac.check_access_without_pledge() IS 'Check access_without_pledge: active persons holding grants in force without a valid pledge (or none since their last role change), whether or not require_pledge is on (when off, the findings are accepted, not hidden)';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('terminated_live_grant', 'II', 'critical', tmac.msgid('Terminated person with live grants'),
   tmac.msgid('A terminated person still has an active grant or a pending request; access must end immediately on termination (seed ⑦: 退職等により必要のなくなった従業員等のアクセス権は、直ちに失効させます).'),
   tmac.msgid('Revoke each grant with tmac.revoke(grant_id, reason); check why the termination did not end it.'), 'tmac.check_terminated_live_grant', '{}', '{persons}', true),
  ('access_without_pledge', 'II', 'high', tmac.msgid('Access without a current pledge'),
   tmac.msgid('An active person holds grants in force but has no valid pledge (誓約書), or none signed since their last role change.'),
   tmac.msgid('Record the pledge with tmac.record_pledge, or revoke the grants.'), 'tmac.check_access_without_pledge', '{}', '{persons,grants}', true);

INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('require_pledge', 'access_without_pledge', 'off', NULL, true,
   tmac.msgid('access no longer requires a pledge (誓約書), so a person without one keeps their access'));
