-- 86_verdicts.sql — kept verdicts: each act's read decision, stored when the act is recorded and
-- kept true by "dirty person" markers, so that the checks over acts (87_checks_cross.sql:
-- handling_without_access, area_entry_without_access, escort_without_access) read the few
-- failing verdicts instead of deciding every act again.
--
-- Issue 23 asks compliance_status for < 1 s at 100,000 persons (1,000,000 handling entries) and
-- growth ≤ 10× to 1,000,000 persons.  Recomputing every act's decision (the set-based profiles of
-- tmac.access_profiles_at, then tmac.read_failures) cost 5–8 s at 100,000 persons: reading the acts
-- alone costs ~0.3 s, so recomputation cannot get there.  Chosen: the issue's fallback, the
-- per-act state maintained incrementally.
--
-- What is kept.  tmac.act_verdict holds, for every act that is decided — a handling entry made by
-- a person (act 'handling'), the person who entered an area ('entrant') and the escort ('escort')
-- of an area entry — the person, the instant and the failing checks of the one decision
-- (tmac.read_failures over tmac.access_profiles_at: pledge, training, clearance, compartment,
-- group; '{}' when they could read it, or when the asset or area has no label).  Not kept, read
-- each time: "was on leave then" (tmac.leave_spans depends on now(): a leave scheduled for the
-- past comes due), whether the entrant is an escorted visitor, the act's wording.
--
-- Who writes it.  (1) The act itself: statement triggers on tmac.handling_entry and
-- tmac.area_entry (INSERT, and UPDATE of the person, instant, asset or area) decide the new rows
-- in the same transaction, with the latest snapshot (tmac.act_verdict_write, below).  (2) The
-- fold, tmac.fold_verdicts(): it recomputes every act of the persons marked dirty and consumes
-- those markers.
--
-- Markers (tmac.verdict_mark, insert-only: a trigger refuses UPDATE; only the fold deletes).  A
-- verdict depends on the person's governance data, on the label of what the act read and on the
-- vocabulary and settings; every statement that changes one of them inserts markers in its own
-- transaction:
--   tmac.person, tmac.access_grant, tmac.pledge, tmac.training_completion, tmac.hr_event — the
--     persons of the old and new rows, in one marker per statement (statement triggers
--     mark_verdicts_*, transition tables; not a person's insert: no act can name them before);
--   tmac.level, tmac.compartment, tmac.org_group, tmac.setting, tmac.training_course, and a
--     TRUNCATE of any of the tables above — one marker for everyone (persons, asset, area NULL);
--   tmac.asset and tmac.restricted_area when a label changes — a marker naming the asset or the
--     area ("the acts of this asset"), resolved to the persons of its acts by whoever reads it
--     (tmac.marked_persons, in the reader's snapshot, in the fold's after its wait), and the
--     persons of the acts the change's own statement sees.
-- These are the tables of the invalidation list (tmac.install_invalidation_triggers,
-- 10_vocabulary.sql) that a profile at an instant reads (tmac.restore_window is not read by it);
-- test/pgtap/verdicts_kept.sql fails when a table of that list has no marking trigger.
--
-- Reading (tmac.act_failures): the stored failing verdicts of persons with no marker (a partial
-- index holds only failing verdicts) + every act of the marked persons (and of the persons of
-- the marked assets' and areas' acts) decided again, set-based, from the data the reader sees
-- (everything when a marker for everyone is there) + the leave spans over the verdicts of the
-- persons who had a leave.  tmac.act_failures(true) decides every act again: the full
-- recomputation, for the DBA and for the tests that compare the two.
--
-- Why a verdict is never stale.  Claim: in any snapshot S a reader takes, for every act X visible
-- in S, either a marker visible in S covers X (names its person, or its asset or area, or
-- everyone), or X's stored verdict V (visible in S) was decided from a snapshot that sees every
-- change visible in S.
--   A change G commits with its markers (same transaction): G visible ⇔ markers visible, until a
--   fold deletes them.  A rollback of G, of an act, or of a fold leaves nothing.  A marker of G
--   covers every act G can change the verdict of, whenever that act was recorded: a person's
--   marker names the person; a label's names the asset or area, and is resolved against the acts
--   the reader sees — an act recorded concurrently with the relabel (invisible to the relabel's
--   statement, decided by its own statement under the old label: attack27_relabel_misses_act) is
--   covered as soon as both are visible, under any isolation level on either side, because
--   nothing is resolved when the marker is written.
--   Who writes a verdict: the act's own trigger (tmac.act_verdict_write) and the fold, nothing
--   else (the tables are tmac's; only its SECURITY DEFINER code writes them).  The trigger
--   decides with a snapshot S_A it takes itself, the latest (tmac.decide_acts_latest,
--   cross_registers.c) — never the transaction's: under REPEATABLE READ or SERIALIZABLE that may
--   be as old as the transaction, or imported (SET TRANSACTION SNAPSHOT) from any earlier
--   transaction, by any role (attack29_imported_snapshot); the label the act read and every
--   profile of the decision, per act (a profile memo is reused only under a snapshot that sees
--   what its own saw) or set-based (over 1,000 acts), are read with S_A.  The trigger runs
--   inside the act's statement, which locked tmac.handling_entry or tmac.area_entry (ROW
--   EXCLUSIVE) before it started; the transaction keeps that lock, and the one on
--   tmac.act_verdict it writes with, until it ends.  So: S_A is taken after A holds a writing lock
--   on an act table, and A holds it until its verdicts are committed or gone.
--   The fold consumes a marker M of a change G in three steps in one READ COMMITTED transaction:
--   (1) it reads the markers (snapshot S1: M committed before S1).  A visible marker whose xid is
--   still in progress is the fold's own transaction's (or a subtransaction's): not committed, so
--   an act recorded before that commit may miss it and nobody would wait for that act — the fold
--   decides its persons again but never deletes it (attack27_fold_own_markers); the fold after
--   the commit does.
--   (2) it lists, in this database, every backend holding a writing lock (not ACCESS SHARE, not
--   ROW SHARE) on tmac.handling_entry, tmac.area_entry or tmac.act_verdict, and the prepared
--   transactions holding one, and waits until each has ended.  Every transaction A that may
--   hold, or still write, a verdict that misses G is among them, or ended before the list: if
--   A's lock was not in the list, A took it after the fold began reading pg_locks (a lock held
--   all the while is listed: each backend's fast-path locks and the lock table are read under the
--   locks their holders take them under), so after S1, after M and G committed — and every S_A
--   of A, taken after that, sees G.  Whether A's own snapshot is older does not
--   matter: nothing is decided with it.  Not listed, and not waited for: a transaction that only
--   keeps a snapshot, old or imported, of any role (attack27_idle_blocks_fold, a login idle in
--   REPEATABLE READ: attack29_stranger_blocks_fold); what it records later it records under a
--   lock taken later, decided with a snapshot taken later.  Nor other databases' backends.
--   (3) a new statement snapshot S2 then sees G and every act of those transactions that
--   committed; the fold resolves the markers' assets and areas to persons in S2, decides every
--   act of those persons visible in S2 again and writes the verdicts, and deletes exactly the
--   markers it read in (1) and may consume, in the same transaction.  It writes a verdict only
--   where S2 saw none, or over the very row version S2 saw (its xmin; an UPDATE that meets a
--   newer version skips it, an INSERT that meets a concurrent one does nothing): a verdict
--   written since S2 by an act's own statement (an update of the act — record_exit's escort —
--   re-decided by its trigger) was decided with a snapshot after the list, which sees G, and
--   for the act as it now is; the fold's decision is for the act as it was
--   (attack27_fold_overwrites_exit).
--   So a reader sees M, or the fold's commit with both the deletion of M and the verdicts decided
--   from S2 ⊇ G.  Any verdict written later is written by a transaction not listed in (2), whose
--   every decision snapshot S_A sees G.  Markers inserted after (1) are not deleted: they are the next fold's.
--   Folds run one at a time (a SHARE UPDATE EXCLUSIVE lock on tmac.verdict_mark, which no marker
--   insert conflicts with).  A fold that cannot wait (a listed transaction runs longer than
--   max_wait) consumes nothing and says so: readers stay right, they just decide the marked
--   persons' acts again.  A fold in REPEATABLE READ or SERIALIZABLE would take S2 = S1: it is
--   refused.
-- Retroactive changes are governance changes like any other: a grant approved late, an HR event
-- dated in the past (inserted or applied later: hr_event rows mark their person), a rehire, a
-- leave (and the leave itself is read each time), a course made mandatory (everyone).
-- An act recorded in the same transaction as a change of its person sees that change.
-- Loads with triggers off (session_replication_role = replica, a superuser's bulk load, as
-- test/bench/compliance_bench.sh does) write no verdicts and no markers: follow them with
-- SELECT tmac.fold_verdicts(everything => true), as the upgrade does for the acts recorded
-- before it.

CREATE TABLE tmac.act_verdict (
  act       text NOT NULL CHECK (act IN ('handling', 'entrant', 'escort')),
  act_id    bigint NOT NULL,
  person_id text NOT NULL,
  at        timestamptz NOT NULL,
  failed    text[] NOT NULL,
  PRIMARY KEY (act, act_id)
);
CREATE INDEX act_verdict_failing_idx ON tmac.act_verdict (act, act_id) WHERE failed <> '{}';
CREATE INDEX act_verdict_person_idx ON tmac.act_verdict (person_id, at);
COMMENT ON TABLE tmac.act_verdict IS
  'Kept verdicts (86_verdicts.sql): for each decided act (a handling entry''s handler, an area entry''s entrant and escort) the checks of the one read decision its person failed at its instant (empty: could read); written by the act, refreshed by tmac.fold_verdicts for the persons marked in tmac.verdict_mark';
COMMENT ON COLUMN tmac.act_verdict.act IS 'handling (tmac.handling_entry, its handler), entrant or escort (tmac.area_entry)';
COMMENT ON COLUMN tmac.act_verdict.failed IS 'The failing checks (pledge, training, clearance, compartment, group) of tmac.read_failures; empty when they could read the label, or when it has none';
COMMENT ON INDEX tmac.act_verdict_failing_idx IS 'tmac compliance: the failing verdicts only (tmac.act_failures reads these)';
COMMENT ON INDEX tmac.act_verdict_person_idx IS 'tmac compliance: verdicts by person and instant (the fold, leave spans)';

-- (One row per statement and table: a COPY of 50,000 HR events writes one marker naming 50,000
-- persons, not 50,000 rows.  The readers read every marker anyway: no index by person.)
CREATE TABLE tmac.verdict_mark (
  mark_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_ids text[] CHECK (cardinality(person_ids) > 0),
  asset_id   bigint,
  area_id    bigint,
  marked_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  why        text NOT NULL,
  CHECK (num_nonnulls(person_ids, asset_id, area_id) <= 1)
);
COMMENT ON TABLE tmac.verdict_mark IS
  'Dirty-person markers of the kept verdicts (86_verdicts.sql): the persons (NULL: everyone) whose verdicts may have changed, one row per statement that changed their governance data; insert-only, consumed by tmac.fold_verdicts';
COMMENT ON COLUMN tmac.verdict_mark.person_ids IS 'The persons whose acts are decided again (the rows a statement changed); NULL with asset_id and area_id NULL: every person (the vocabulary, a setting, a course changed)';
COMMENT ON COLUMN tmac.verdict_mark.asset_id IS 'An asset whose label changed: the persons of its acts (handling entries), resolved by whoever reads the marker';
COMMENT ON COLUMN tmac.verdict_mark.area_id IS 'A restricted area whose label changed: the persons of its acts (entrants and escorts), resolved by whoever reads the marker';
COMMENT ON COLUMN tmac.verdict_mark.why IS 'The table whose change wrote the marker';

CREATE FUNCTION tmac.verdict_mark_frozen() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
    MESSAGE = tmac.message('markers of the kept verdicts are never updated'),
    HINT = tmac.message('Insert a new marker; tmac.fold_verdicts consumes them.');
END
$$;
COMMENT ON FUNCTION tmac.verdict_mark_frozen() IS 'Trigger: refuses an UPDATE of tmac.verdict_mark (markers are insert-only)';
CREATE TRIGGER insert_only BEFORE UPDATE ON tmac.verdict_mark FOR EACH ROW EXECUTE FUNCTION tmac.verdict_mark_frozen();

-- The set-based twin of the profile for the checks over every act: many (person, instant) pairs
-- in one query, as tmac.access_profile_of(person, at) answers each — the person's state then
-- (tmac.person_state_at for a person with scheduled HR events, else their row), the clearances
-- and compartment grants in force then (tmac.grant_in_force), a pledge valid then (as
-- tmac.pledge_window), the required training current then (tmac.training_courses_required,
-- tmac.training_span, access holders by tmac.training_holder_at, as tmac.training_status_of) and
-- the groups their group reaches — then decided by the one decision (tmac.read_failures, C).
-- Only what a read decision needs; "active" is left out, as the checks leave it out for a past
-- instant.  test/pgtap/compscale2_profiles.sql compares it with tmac.access_profile_of.
-- Hash joins and hashed aggregates over the pairs (the planner cannot count an array parameter's
-- elements, and would otherwise probe an index once per pair or sort to disk).
CREATE FUNCTION tmac.access_profiles_at(person_ids text[], ats timestamptz[])
  RETURNS TABLE (person_id text, at timestamptz, clearance_rank integer, read_compartments integer[],
                 reach integer[], pledge_ok boolean, training_ok boolean)
  LANGUAGE sql STABLE   -- (a SQL-standard body: its names are bound when created, no search_path to pin)
  SET enable_nestloop = off SET enable_mergejoin = off SET enable_sort = off SET work_mem = '128MB' SET jit = off
BEGIN ATOMIC
  WITH RECURSIVE x AS MATERIALIZED (          -- the pairs, numbered: every step below joins on n
    SELECT u.pid, u.at, row_number() OVER () AS n
      FROM (SELECT DISTINCT u.pid, u.at FROM unnest($1, $2) u(pid, at) WHERE u.pid IS NOT NULL AND u.at IS NOT NULL) u
  ), s AS MATERIALIZED (
    SELECT tmac.setting_value('date_time_zone') AS tz, tmac.setting_on('require_pledge') AS need_pledge,
           tmac.setting_on('require_training') AS need_training, (SELECT min(l.rank) FROM tmac.level l)::integer AS lowest
  ), ev AS MATERIALIZED (     -- persons with HR events scheduled (few): their state is tmac.person_state_at's
    SELECT DISTINCT e.person_id FROM tmac.hr_event e WHERE e.outcome = 'scheduled' AND e.person_id IS NOT NULL
  ), st AS MATERIALIZED (     -- the person as decisions see them then
    SELECT x.n, x.pid, x.at, p.job_role, p.org_group_id, p.pledge_required_since AS pledge_since, NULL::timestamptz AS role_change_at
      FROM x JOIN tmac.person p ON p.person_id = x.pid
     WHERE NOT EXISTS (SELECT 1 FROM ev WHERE ev.person_id = x.pid)
    UNION ALL
    SELECT x.n, x.pid, x.at, ps.job_role, ps.org_group_id, ps.pledge_since, ps.role_change_at
      FROM x JOIN ev ON ev.person_id = x.pid CROSS JOIN LATERAL tmac.person_state_at(x.pid, x.at) ps
  ), gr AS MATERIALIZED (     -- (the compartments unsorted, with repeats: read_failures makes them a set)
    SELECT q.n,
           max(q.level_rank) FILTER (WHERE q.kind = 'clearance' AND q.in_force) AS clearance_rank,
           array_agg(q.compartment_id) FILTER (WHERE q.kind = 'compartment' AND q.in_force) AS compartments,
           bool_or(q.holder) AS holder
      FROM (SELECT st.n, g.kind, g.level_rank, g.compartment_id,
                   g.approved_at IS NOT NULL AND tmac.grant_in_force(g, st.at, st.job_role, st.org_group_id, st.role_change_at) AS in_force,
                   tmac.training_holder_at(g, st.at) AS holder
              FROM st JOIN tmac.access_grant g ON g.person_id = st.pid) q
     WHERE q.in_force OR q.holder
     GROUP BY q.n
  ), pl AS (
    SELECT st.n,
           bool_or(pl.signed_on::timestamp AT TIME ZONE s.tz <= st.at
                   AND (pl.valid_until IS NULL OR st.at < (pl.valid_until + 1)::timestamp AT TIME ZONE s.tz)) AS ok
      FROM st CROSS JOIN s JOIN tmac.pledge pl ON pl.person_id = st.pid
     WHERE s.need_pledge AND pl.kind <> 'termination'
       AND (st.pledge_since IS NULL OR pl.signed_on >= (st.pledge_since AT TIME ZONE s.tz)::date)
     GROUP BY st.n
  ), req AS MATERIALIZED (
    SELECT r.course, r.validity, r.holders_only, row_number() OVER () AS k FROM tmac.training_courses_required() r
  ), trc AS (
    SELECT st.n, r.k,
           -- (current_until IS NOT NULL in tmac.training_status_of: a missing completion's span is unbounded)
           bool_or(upper(tmac.training_span(t.completed_on, r.validity)) IS NOT NULL
                   AND tmac.training_span(t.completed_on, r.validity) @> (st.at AT TIME ZONE s.tz)) AS current
      FROM st CROSS JOIN s CROSS JOIN req r
      LEFT JOIN gr ON gr.n = st.n
      LEFT JOIN tmac.training_completion t ON t.person_id = st.pid AND (r.course IS NULL OR t.course = r.course)
     WHERE s.need_training AND (NOT r.holders_only OR coalesce(gr.holder, false))
     GROUP BY st.n, r.k
  ), tr AS (
    SELECT trc.n, bool_and(coalesce(trc.current, false)) AS ok FROM trc GROUP BY trc.n
  ), d(root, id) AS (
    SELECT DISTINCT st.org_group_id, st.org_group_id FROM st WHERE st.org_group_id <> 0
    UNION
    SELECT d.root, g.group_id FROM tmac.org_group g JOIN d ON g.parent_id = d.id
  ), rc AS (
    SELECT d.root, array_agg(d.id) AS ids FROM d GROUP BY d.root
  )
  SELECT st.pid, st.at, coalesce(gr.clearance_rank, s.lowest, 0), coalesce(gr.compartments, '{}'), coalesce(rc.ids, '{}'),
         NOT s.need_pledge OR coalesce(pl.ok, false), NOT s.need_training OR coalesce(tr.ok, false)
    FROM st CROSS JOIN s
    LEFT JOIN gr ON gr.n = st.n
    LEFT JOIN pl ON pl.n = st.n
    LEFT JOIN tr ON tr.n = st.n
    LEFT JOIN rc ON rc.root = st.org_group_id;
END;
COMMENT ON FUNCTION tmac.access_profiles_at(text[], timestamptz[]) IS
  'Internal (checks across registers): the read side of tmac.access_profile_of for many (person, instant) pairs in one set-based query (person_ids[i] at ats[i]); unknown persons have no row';

CREATE FUNCTION tmac.read_failures(lbl tmac.label, clearance_rank integer, compartments integer[], reach integer[],
                                   pledge_ok boolean, training_ok boolean)
  RETURNS text[] AS 'MODULE_PATHNAME', 'tmac_read_failures' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.read_failures(tmac.label, integer, integer[], integer[], boolean, boolean) IS
  'Internal (checks across registers): every check (pledge, training, clearance, compartment, group) a read profile of tmac.access_profiles_at fails for a label, by the one decision; empty when it may read';

-- The one decision over many acts: each (act, id, person, instant, label) decided by
-- tmac.read_failures over the person's profile then (tmac.access_profiles_at), set-based.
-- (Hash joins: the planner cannot count the arrays' elements.)
CREATE FUNCTION tmac.decide_reads_set(acts text[], act_ids bigint[], person_ids text[], ats timestamptz[], labels tmac.label[])
  RETURNS TABLE (act text, act_id bigint, person_id text, at timestamptz, failed text[])
  LANGUAGE sql STABLE
  SET enable_nestloop = off SET enable_mergejoin = off SET jit = off
BEGIN ATOMIC
  WITH r AS MATERIALIZED (
    SELECT r.act, r.act_id, r.person_id, r.at, r.lbl FROM unnest($1, $2, $3, $4, $5) r(act, act_id, person_id, at, lbl)
  ), p AS MATERIALIZED (
    SELECT p.person_id, p.at, p.clearance_rank, p.read_compartments, p.reach, p.pledge_ok, p.training_ok
      FROM tmac.access_profiles_at($3, $4) p
  )
  SELECT r.act, r.act_id, r.person_id, r.at,
         CASE WHEN r.lbl IS NULL OR p.person_id IS NULL THEN '{}'::text[]
              ELSE tmac.read_failures(r.lbl, p.clearance_rank, p.read_compartments, p.reach, p.pledge_ok, p.training_ok) END
    FROM r LEFT JOIN p ON p.person_id = r.person_id AND p.at = r.at;
END;
COMMENT ON FUNCTION tmac.decide_reads_set(text[], bigint[], text[], timestamptz[], tmac.label[]) IS
  'Internal (kept verdicts): the failing checks of the one read decision for many acts (acts[i], act_ids[i] by person_ids[i] at ats[i] over labels[i]), set-based; empty when they could read it or the label is NULL';

-- The same for any number of acts: a few (an act being recorded, the acts of a few marked
-- persons at a fold) are decided one by one by the per-person decision (tmac.access_failures_at,
-- its "active" check left out as for every past instant), which reads each person's rows by
-- index; the set-based form's hash joins read every grant, pledge and completion, whatever the
-- number of acts.  Both are the one decision (decision.c); verdicts_kept.sql compares the
-- verdicts the acts and the folds keep with the set-based recomputation.  The checks themselves
-- read set-based only (compscale2_findings.sql counts their profile queries: none).
CREATE FUNCTION tmac.decide_reads(acts text[], act_ids bigint[], person_ids text[], ats timestamptz[], labels tmac.label[])
  RETURNS TABLE (act text, act_id bigint, person_id text, at timestamptz, failed text[])
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF coalesce(cardinality(acts), 0) > 1000 THEN
    RETURN QUERY SELECT d.act, d.act_id, d.person_id, d.at, d.failed FROM tmac.decide_reads_set(acts, act_ids, person_ids, ats, labels) d;
    RETURN;
  END IF;
  RETURN QUERY
  SELECT u.act, u.act_id, u.person_id, u.at,
         CASE WHEN u.lbl IS NULL THEN '{}'::text[]
              ELSE ARRAY(SELECT x FROM unnest(tmac.access_failures_at(u.person_id, u.lbl, u.at, false)) WITH ORDINALITY y(x, k)
                          WHERE x <> 'active' ORDER BY k) END
    FROM unnest(acts, act_ids, person_ids, ats, labels) u(act, act_id, person_id, at, lbl);
END
$$;
COMMENT ON FUNCTION tmac.decide_reads(text[], bigint[], text[], timestamptz[], tmac.label[]) IS
  'Internal (kept verdicts): the failing checks of the one read decision for these acts — one by one (tmac.access_failures_at) for up to 1,000, set-based (tmac.decide_reads_set) beyond';

-- The acts being recorded, decided by their own trigger: what each read (the asset's or the area's
-- label) and the decision (tmac.decide_reads), both read with the caller's snapshot —
-- tmac.decide_acts_latest runs it with the latest one (why: the header's argument).  An act whose
-- asset or area is not there (a handling entry without an asset) is not decided, as tmac.act_reads.
CREATE FUNCTION tmac.decide_acts(acts text[], act_ids bigint[], person_ids text[], ats timestamptz[], object_ids bigint[])
  RETURNS TABLE (act text, act_id bigint, person_id text, at timestamptz, failed text[])
  LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT d.act, d.act_id, d.person_id, d.at, d.failed
    FROM (SELECT array_agg(u.act) AS a, array_agg(u.act_id) AS i, array_agg(u.pid) AS p, array_agg(u.at) AS t,
                 array_agg(coalesce(x.label, r.label)) AS l
            FROM unnest($1, $2, $3, $4, $5) u(act, act_id, pid, at, obj)
            LEFT JOIN tmac.asset x ON u.act = 'handling' AND x.asset_id = u.obj
            LEFT JOIN tmac.restricted_area r ON u.act <> 'handling' AND r.area_id = u.obj
           WHERE x.asset_id IS NOT NULL OR r.area_id IS NOT NULL) g
   CROSS JOIN LATERAL tmac.decide_reads(g.a, g.i, g.p, g.t, g.l) d
   WHERE g.a IS NOT NULL;
END;
COMMENT ON FUNCTION tmac.decide_acts(text[], bigint[], text[], timestamptz[], bigint[]) IS
  'Internal (kept verdicts): the acts being recorded (acts[i], act_ids[i] by person_ids[i] at ats[i] of the asset (handling) or area (entrant, escort) object_ids[i]) with their labels and failing checks, read with the caller''s snapshot';

CREATE FUNCTION tmac.decide_acts_latest(acts text[], act_ids bigint[], person_ids text[], ats timestamptz[], object_ids bigint[])
  RETURNS TABLE (act text, act_id bigint, person_id text, at timestamptz, failed text[])
  AS 'MODULE_PATHNAME', 'tmac_decide_acts_latest' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION tmac.decide_acts_latest(text[], bigint[], text[], timestamptz[], bigint[]) IS
  'Internal (kept verdicts): tmac.decide_acts read with the latest snapshot taken now, whatever the transaction''s isolation level or imported snapshot (the acts'' own trigger decides with it)';

-- The decided acts of some persons (NULL: of everyone), with what each read.
CREATE FUNCTION tmac.act_reads(person_ids text[])
  RETURNS TABLE (act text, act_id bigint, person_id text, at timestamptz, lbl tmac.label)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT 'handling', e.entry_id, e.handler, e.handled_at, a.label
    FROM tmac.handling_entry e JOIN tmac.asset a ON a.asset_id = e.asset_id
   WHERE NOT e.automatic AND e.handler IS NOT NULL AND ($1 IS NULL OR e.handler = ANY ($1))
  UNION ALL
  SELECT 'entrant', e.entry_id, e.person_id, e.entered_at, ar.label
    FROM tmac.area_entry e JOIN tmac.restricted_area ar ON ar.area_id = e.area_id
   WHERE e.person_id IS NOT NULL AND ($1 IS NULL OR e.person_id = ANY ($1))
  UNION ALL
  SELECT 'escort', e.entry_id, e.escort, e.entered_at, ar.label
    FROM tmac.area_entry e JOIN tmac.restricted_area ar ON ar.area_id = e.area_id
   WHERE e.escort IS NOT NULL AND ($1 IS NULL OR e.escort = ANY ($1));
END;
COMMENT ON FUNCTION tmac.act_reads(text[]) IS
  'Internal (kept verdicts): the decided acts of these persons (NULL: of everyone) — handling entries by their handler, area entries by their entrant and escort — with the label each read';

-- The persons of the acts of some assets and areas, as the caller's snapshot sees them: an asset's
-- or area's label-change marker is resolved when it is read, so that an act recorded while the
-- label changed (not visible to the change's own statement) is among them.
CREATE FUNCTION tmac.marked_persons(asset_ids bigint[], area_ids bigint[])
  RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT coalesce(array_agg(DISTINCT x.who), '{}')
    FROM (SELECT e.handler FROM tmac.handling_entry e
           WHERE e.asset_id = ANY ($1) AND NOT e.automatic AND e.handler IS NOT NULL
          UNION ALL
          SELECT w.who FROM tmac.area_entry e CROSS JOIN LATERAL (VALUES (e.person_id), (e.escort)) w(who)
           WHERE e.area_id = ANY ($2) AND w.who IS NOT NULL) x(who);
END;
COMMENT ON FUNCTION tmac.marked_persons(bigint[], bigint[]) IS
  'Internal (kept verdicts): the persons of the decided acts of these assets (handlers) and areas (entrants, escorts) that the caller sees — what a label-change marker names';

-- Every decided act of these persons (NULL: of everyone) decided now.  (EXECUTE: planned with the
-- argument, an index scan by person for a few persons, a scan for everyone.)
CREATE FUNCTION tmac.act_verdicts_of(person_ids text[], set_based boolean DEFAULT false)
  RETURNS TABLE (act text, act_id bigint, person_id text, at timestamptz, failed text[])
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN QUERY EXECUTE replace(
    'SELECT d.act, d.act_id, d.person_id, d.at, d.failed
       FROM (SELECT pg_catalog.array_agg(x.act) AS a, pg_catalog.array_agg(x.act_id) AS i, pg_catalog.array_agg(x.person_id) AS p,
                    pg_catalog.array_agg(x.at) AS t, pg_catalog.array_agg(x.lbl) AS l
               FROM tmac.act_reads($1) x) g
      CROSS JOIN LATERAL tmac.decide_reads(g.a, g.i, g.p, g.t, g.l) d
      WHERE g.a IS NOT NULL', 'decide_reads(', CASE WHEN set_based THEN 'decide_reads_set(' ELSE 'decide_reads(' END)
    USING person_ids;
END
$$;
COMMENT ON FUNCTION tmac.act_verdicts_of(text[], boolean) IS
  'Internal (kept verdicts): every decided act of these persons (NULL: of everyone) decided now by the one decision (set_based: always set-based, the full recomputation''s form)';

-- The acts that fail, with their failing checks: the kept verdicts of persons without a marker,
-- the marked persons' acts decided again, and "active" for an act in one of its person's leaves.
-- recompute: decide every act again (the full recomputation; the DBA's and the tests' reference).
CREATE FUNCTION tmac.act_failures(recompute boolean DEFAULT false)
  RETURNS TABLE (act text, act_id bigint, failed text[])
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  everyone boolean;
  dirty text[];
BEGIN
  SELECT coalesce(bool_or(num_nonnulls(m.person_ids, m.asset_id, m.area_id) = 0), false),
         ARRAY(SELECT DISTINCT u.p FROM tmac.verdict_mark x CROSS JOIN LATERAL unnest(x.person_ids) u(p))
           || tmac.marked_persons(coalesce(array_agg(m.asset_id) FILTER (WHERE m.asset_id IS NOT NULL), '{}'),
                                  coalesce(array_agg(m.area_id) FILTER (WHERE m.area_id IS NOT NULL), '{}'))
    INTO everyone, dirty
    FROM tmac.verdict_mark m;
  everyone := everyone OR recompute;
  IF everyone THEN
    RETURN QUERY
    WITH lv AS MATERIALIZED (SELECT l.person_id, array_agg(l.span) AS spans FROM tmac.leave_spans() l GROUP BY l.person_id)
    SELECT d.act, d.act_id, f.failed
      FROM tmac.act_verdicts_of(NULL, true) d
      LEFT JOIN lv ON lv.person_id = d.person_id
     CROSS JOIN LATERAL (SELECT CASE WHEN lv.spans IS NULL THEN d.failed ELSE d.failed || tmac.on_leave_failure(lv.spans, d.at) END AS failed) f
     WHERE cardinality(f.failed) > 0;
    RETURN;
  END IF;
  RETURN QUERY
  WITH lv AS MATERIALIZED (SELECT l.person_id, array_agg(l.span) AS spans FROM tmac.leave_spans() l GROUP BY l.person_id),
  dm AS MATERIALIZED (SELECT DISTINCT u.person_id FROM unnest(dirty) u(person_id))
  -- the kept failing verdicts of clean persons (partial index)
  SELECT v.act, v.act_id, CASE WHEN lv.spans IS NULL THEN v.failed ELSE v.failed || tmac.on_leave_failure(lv.spans, v.at) END
    FROM tmac.act_verdict v
    LEFT JOIN lv ON lv.person_id = v.person_id
   WHERE v.failed <> '{}' AND NOT EXISTS (SELECT 1 FROM dm WHERE dm.person_id = v.person_id)
  UNION ALL
  -- clean persons' acts that passed, dated in one of their leaves
  SELECT v.act, v.act_id, ARRAY['active']
    FROM lv JOIN tmac.act_verdict v ON v.person_id = lv.person_id
   WHERE v.failed = '{}' AND NOT EXISTS (SELECT 1 FROM dm WHERE dm.person_id = v.person_id)
     AND cardinality(tmac.on_leave_failure(lv.spans, v.at)) > 0
  UNION ALL
  -- the marked persons' acts, decided again
  SELECT d.act, d.act_id, f.failed
    FROM (SELECT 1 WHERE cardinality(dirty) > 0) one
   CROSS JOIN LATERAL tmac.act_verdicts_of(dirty, true) d
    LEFT JOIN lv ON lv.person_id = d.person_id
   CROSS JOIN LATERAL (SELECT CASE WHEN lv.spans IS NULL THEN d.failed ELSE d.failed || tmac.on_leave_failure(lv.spans, d.at) END AS failed) f
   WHERE cardinality(f.failed) > 0;
END
$$;
COMMENT ON FUNCTION tmac.act_failures(boolean) IS
  'Internal (checks across registers): every decided act that fails (kept verdicts of unmarked persons, the marked persons'' acts decided again, "active" in a leave), with its failing checks; recompute decides every act again (the full recomputation)';

-- The acts' own triggers: decide the new or changed rows in the act's transaction, with the latest
-- snapshot (tmac.decide_acts_latest: never the transaction's own in REPEATABLE READ, which may be
-- imported from before a change whose marker a fold has since consumed).  The transition tables
-- say which acts; everything they read — the label, the person's governance data — is read there.
CREATE FUNCTION tmac.act_verdict_write() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  a text[]; i bigint[]; p text[]; t timestamptz[]; o bigint[];
BEGIN
  IF TG_TABLE_NAME = 'handling_entry' THEN
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg('handling'::text), array_agg(n.entry_id), array_agg(n.handler), array_agg(n.handled_at), array_agg(n.asset_id)
        INTO a, i, p, t, o
        FROM new_rows n
       WHERE NOT n.automatic AND n.handler IS NOT NULL AND n.asset_id IS NOT NULL;
    ELSE
      DELETE FROM tmac.act_verdict v USING new_rows n JOIN old_rows o ON o.entry_id = n.entry_id
       WHERE v.act = 'handling' AND v.act_id = n.entry_id
         AND (n.handler, n.handled_at, n.asset_id, n.automatic) IS DISTINCT FROM (o.handler, o.handled_at, o.asset_id, o.automatic);
      SELECT array_agg('handling'::text), array_agg(n.entry_id), array_agg(n.handler), array_agg(n.handled_at), array_agg(n.asset_id)
        INTO a, i, p, t, o
        FROM new_rows n JOIN old_rows o ON o.entry_id = n.entry_id
       WHERE NOT n.automatic AND n.handler IS NOT NULL AND n.asset_id IS NOT NULL
         AND (n.handler, n.handled_at, n.asset_id, n.automatic) IS DISTINCT FROM (o.handler, o.handled_at, o.asset_id, o.automatic);
    END IF;
  ELSE
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg(w.act), array_agg(n.entry_id), array_agg(w.who), array_agg(n.entered_at), array_agg(n.area_id)
        INTO a, i, p, t, o
        FROM new_rows n
       CROSS JOIN LATERAL (VALUES ('entrant', n.person_id), ('escort', n.escort)) w(act, who)
       WHERE w.who IS NOT NULL;
    ELSE
      DELETE FROM tmac.act_verdict v USING new_rows n JOIN old_rows o ON o.entry_id = n.entry_id
       WHERE v.act IN ('entrant', 'escort') AND v.act_id = n.entry_id
         AND (n.area_id, n.person_id, n.escort, n.entered_at) IS DISTINCT FROM (o.area_id, o.person_id, o.escort, o.entered_at);
      SELECT array_agg(w.act), array_agg(n.entry_id), array_agg(w.who), array_agg(n.entered_at), array_agg(n.area_id)
        INTO a, i, p, t, o
        FROM new_rows n JOIN old_rows o ON o.entry_id = n.entry_id
       CROSS JOIN LATERAL (VALUES ('entrant', n.person_id), ('escort', n.escort)) w(act, who)
       WHERE w.who IS NOT NULL
         AND (n.area_id, n.person_id, n.escort, n.entered_at) IS DISTINCT FROM (o.area_id, o.person_id, o.escort, o.entered_at);
    END IF;
  END IF;
  IF a IS NOT NULL THEN
    INSERT INTO tmac.act_verdict AS v (act, act_id, person_id, at, failed)
    SELECT d.act, d.act_id, d.person_id, d.at, d.failed FROM tmac.decide_acts_latest(a, i, p, t, o) d
    ON CONFLICT ON CONSTRAINT act_verdict_pkey
    DO UPDATE SET person_id = EXCLUDED.person_id, at = EXCLUDED.at, failed = EXCLUDED.failed;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.act_verdict_write() IS
  'Statement trigger of tmac.handling_entry and tmac.area_entry: decides the acts inserted, or whose person, instant, asset or area changed, and keeps their verdicts (tmac.act_verdict) in the same transaction';
CREATE TRIGGER act_verdict_insert AFTER INSERT ON tmac.handling_entry
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmac.act_verdict_write();
CREATE TRIGGER act_verdict_update AFTER UPDATE ON tmac.handling_entry
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmac.act_verdict_write();
CREATE TRIGGER act_verdict_insert AFTER INSERT ON tmac.area_entry
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmac.act_verdict_write();
CREATE TRIGGER act_verdict_update AFTER UPDATE ON tmac.area_entry
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmac.act_verdict_write();

-- The markers.  Person-scoped tables mark the persons of their old and new rows; the vocabulary,
-- the settings and the courses mark everyone; an asset's or area's new label marks the persons of
-- its acts.
CREATE FUNCTION tmac.verdict_mark_write() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF TG_OP = 'TRUNCATE' OR TG_NARGS = 0 THEN
    INSERT INTO tmac.verdict_mark (person_ids, why) VALUES (NULL, TG_TABLE_NAME);
  ELSIF TG_TABLE_NAME = 'asset' THEN
    INSERT INTO tmac.verdict_mark (asset_id, why)
    SELECT n.asset_id, TG_TABLE_NAME FROM new_rows n JOIN old_rows o ON o.asset_id = n.asset_id
     WHERE n.label::text IS DISTINCT FROM o.label::text;
    INSERT INTO tmac.verdict_mark (person_ids, why)
    SELECT array_agg(x.p), TG_TABLE_NAME
      FROM (SELECT DISTINCT h.handler
              FROM new_rows n JOIN old_rows o ON o.asset_id = n.asset_id
              JOIN tmac.handling_entry h ON h.asset_id = n.asset_id
             WHERE n.label::text IS DISTINCT FROM o.label::text AND h.handler IS NOT NULL) x(p)
    HAVING count(*) > 0;
  ELSIF TG_TABLE_NAME = 'restricted_area' THEN
    INSERT INTO tmac.verdict_mark (area_id, why)
    SELECT n.area_id, TG_TABLE_NAME FROM new_rows n JOIN old_rows o ON o.area_id = n.area_id
     WHERE n.label::text IS DISTINCT FROM o.label::text;
    INSERT INTO tmac.verdict_mark (person_ids, why)
    SELECT array_agg(x.p), TG_TABLE_NAME
      FROM (SELECT DISTINCT w.who
              FROM new_rows n JOIN old_rows o ON o.area_id = n.area_id
              JOIN tmac.area_entry e ON e.area_id = n.area_id
             CROSS JOIN LATERAL (VALUES (e.person_id), (e.escort)) w(who)
             WHERE n.label::text IS DISTINCT FROM o.label::text AND w.who IS NOT NULL) x(p)
    HAVING count(*) > 0;
  ELSIF TG_OP = 'INSERT' THEN
    -- (a person named twice is named twice, the readers take the distinct persons; an update's
    -- old and new rows name the same persons mostly, whence its UNION)
    EXECUTE format('INSERT INTO tmac.verdict_mark (person_ids, why)
                    SELECT array_agg(n.%1$I), %2$L FROM new_rows n WHERE n.%1$I IS NOT NULL
                    HAVING count(*) > 0', TG_ARGV[0], TG_TABLE_NAME);
  ELSIF TG_OP = 'UPDATE' THEN
    EXECUTE format('INSERT INTO tmac.verdict_mark (person_ids, why)
                    SELECT array_agg(x.p), %2$L
                      FROM (SELECT n.%1$I FROM new_rows n WHERE n.%1$I IS NOT NULL
                            UNION SELECT o.%1$I FROM old_rows o WHERE o.%1$I IS NOT NULL) x(p)
                    HAVING count(*) > 0', TG_ARGV[0], TG_TABLE_NAME);
  ELSE
    EXECUTE format('INSERT INTO tmac.verdict_mark (person_ids, why)
                    SELECT array_agg(o.%1$I), %2$L FROM old_rows o WHERE o.%1$I IS NOT NULL
                    HAVING count(*) > 0', TG_ARGV[0], TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.verdict_mark_write() IS
  'Statement trigger of the tables a kept verdict depends on: marks the persons of the changed rows (the column named by the argument), or everyone (no argument, or TRUNCATE), or the persons of the acts of an asset or area whose label changed';

DO $install$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('person', 'person_id'), ('access_grant', 'person_id'), ('pledge', 'person_id'),
      ('training_completion', 'person_id'), ('hr_event', 'person_id'),
      ('level', NULL), ('compartment', NULL), ('org_group', NULL), ('setting', NULL), ('training_course', NULL),
      ('asset', ''), ('restricted_area', '')) AS l(tbl, col)
  LOOP
    IF t.col IS NULL THEN
      EXECUTE format('CREATE TRIGGER mark_verdicts AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tmac.%I
                        FOR EACH STATEMENT EXECUTE FUNCTION tmac.verdict_mark_write()', t.tbl);
      CONTINUE;
    END IF;
    IF t.col = '' THEN      -- a label changed: the persons of its acts
      EXECUTE format('CREATE TRIGGER mark_verdicts_update AFTER UPDATE ON tmac.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION tmac.verdict_mark_write(%L)', t.tbl, t.tbl);
      CONTINUE;
    END IF;
    -- (not a new person: no act can name a person before their row exists — every act's person
    -- is a foreign key, checked at once — so a person inserted has no act to decide again; an
    -- act recorded later is decided by its own trigger.  An HR COPY's 45,000 hires need no marker.)
    IF t.tbl <> 'person' THEN
      EXECUTE format('CREATE TRIGGER mark_verdicts_insert AFTER INSERT ON tmac.%I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION tmac.verdict_mark_write(%L)', t.tbl, t.col);
    END IF;
    EXECUTE format('CREATE TRIGGER mark_verdicts_update AFTER UPDATE ON tmac.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION tmac.verdict_mark_write(%L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER mark_verdicts_delete AFTER DELETE ON tmac.%I REFERENCING OLD TABLE AS old_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION tmac.verdict_mark_write(%L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER mark_verdicts_truncate AFTER TRUNCATE ON tmac.%I
                      FOR EACH STATEMENT EXECUTE FUNCTION tmac.verdict_mark_write()', t.tbl);
  END LOOP;
END
$install$;

-- The fold: decide the marked persons' acts again, keep their verdicts, consume the markers read
-- (the argument in the header above).  everything: decide every act (after a load with triggers
-- off, and at upgrade).  Returns the markers consumed, or NULL when an older transaction ran longer
-- than max_wait (nothing consumed).
CREATE FUNCTION tmac.fold_verdicts(max_wait interval DEFAULT '1 minute', everything boolean DEFAULT false) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  ids bigint[];
  everyone boolean;
  dirty text[];
  assets bigint[];
  areas bigint[];
  any_mark boolean;
  top bigint;
  vx text[];
  px xid[];
  deadline timestamptz;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_transaction_state',
      MESSAGE = tmac.message('tmac.fold_verdicts runs in a READ COMMITTED transaction'),
      DETAIL = tmac.message('It decides the acts again from a snapshot taken after the transactions recording acts when it read its markers have ended.'),
      HINT = tmac.message('Call it outside an explicit REPEATABLE READ or SERIALIZABLE transaction.');
  END IF;
  LOCK TABLE tmac.verdict_mark IN SHARE UPDATE EXCLUSIVE MODE;    -- one fold at a time
  -- (1) the markers committed before this statement's snapshot.  A visible marker whose
  -- transaction is still in progress is this transaction's (or a subtransaction's) own: not
  -- committed, not this fold's to consume (its persons are decided again all the same).  Only a
  -- transaction with an xid has written one, and its subtransactions' xids follow its own: a
  -- marker's 32-bit xmin at or after it is widened to 64 bits from it (top) for pg_xact_status.
  top := pg_catalog.pg_current_xact_id_if_assigned()::text::bigint;
  SELECT array_agg(m.mark_id) FILTER (WHERE NOT o.own),
         coalesce(bool_or(num_nonnulls(m.person_ids, m.asset_id, m.area_id) = 0), false),
         ARRAY(SELECT DISTINCT u.p FROM tmac.verdict_mark x CROSS JOIN LATERAL unnest(x.person_ids) u(p)),
         coalesce(array_agg(DISTINCT m.asset_id) FILTER (WHERE m.asset_id IS NOT NULL), '{}'),
         coalesce(array_agg(DISTINCT m.area_id) FILTER (WHERE m.area_id IS NOT NULL), '{}'),
         count(*) > 0
    INTO ids, everyone, dirty, assets, areas, any_mark
    FROM tmac.verdict_mark m
   CROSS JOIN LATERAL (SELECT (m.xmin::text::bigint - top % 4294967296 + 4294967296) % 4294967296 AS d) w
   CROSS JOIN LATERAL (SELECT top IS NOT NULL AND w.d < 2147483648
                              AND pg_catalog.pg_xact_status((top + w.d)::text::xid8) = 'in progress' AS own) o;
  everyone := everyone OR everything;
  IF NOT any_mark AND NOT everyone THEN
    RETURN 0;
  END IF;
  -- (2) the transactions of this database that may hold, or still write, a verdict decided without
  -- a marker's change: those holding a writing lock on the act tables or the verdicts (an act's
  -- trigger decides with a snapshot taken after its statement took that lock, and the lock is
  -- kept until the transaction ends), and the prepared transactions of this database holding
  -- one.  Not a transaction that merely keeps an old snapshot (whoever it is: it can record an act
  -- only by taking the lock first, and then decides with a newer snapshot).
  SELECT array_agg(l.virtualxid) INTO vx
    FROM pg_catalog.pg_locks l
   WHERE l.locktype = 'virtualxid' AND l.mode = 'ExclusiveLock' AND l.granted
     AND l.pid IN (SELECT w.pid FROM pg_catalog.pg_locks w
                    WHERE w.locktype = 'relation' AND w.pid <> pg_catalog.pg_backend_pid()
                      AND w.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
                      AND w.relation IN ('tmac.handling_entry'::regclass, 'tmac.area_entry'::regclass, 'tmac.act_verdict'::regclass)
                      AND w.mode NOT IN ('AccessShareLock', 'RowShareLock'));
  SELECT array_agg(x.transaction) INTO px
    FROM pg_catalog.pg_prepared_xacts x
   WHERE x.database = pg_catalog.current_database()
     AND EXISTS (SELECT 1 FROM pg_catalog.pg_locks t JOIN pg_catalog.pg_locks w ON w.virtualtransaction = t.virtualtransaction
                  WHERE t.locktype = 'transactionid' AND t.transactionid = x.transaction AND t.pid IS NULL
                    AND w.locktype = 'relation' AND w.mode NOT IN ('AccessShareLock', 'RowShareLock')
                    AND w.relation IN ('tmac.handling_entry'::regclass, 'tmac.area_entry'::regclass, 'tmac.act_verdict'::regclass));
  deadline := clock_timestamp() + max_wait;
  LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                           WHERE l.locktype = 'virtualxid' AND l.virtualxid = ANY (vx))
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_xacts x WHERE x.transaction = ANY (px));
    IF clock_timestamp() > deadline THEN
      RAISE NOTICE USING MESSAGE = tmac.message('tmac.fold_verdicts consumed no marker: a transaction that may record an act without their changes ran longer than %s', max_wait);
      RETURN NULL;
    END IF;
    PERFORM pg_catalog.pg_sleep(0.02);
  END LOOP;
  -- (3) decide again from a snapshot taken now (the assets' and areas' markers resolved to the
  -- persons of their acts now); keep what changed — only over a verdict this snapshot sees (its
  -- xmin then): a verdict written since, by an act's own update, is newer than this decision;
  -- drop the verdicts of acts no longer there (a truncated entry log); consume the markers read
  IF NOT everyone AND (cardinality(assets) > 0 OR cardinality(areas) > 0) THEN
    dirty := dirty || tmac.marked_persons(assets, areas);
  END IF;
  WITH f AS MATERIALIZED (
    SELECT f.act, f.act_id, f.person_id, f.at, f.failed, v.xmin::text AS seen
      FROM tmac.act_verdicts_of(CASE WHEN everyone THEN NULL ELSE dirty END) f
      LEFT JOIN tmac.act_verdict v ON v.act = f.act AND v.act_id = f.act_id
  ), u AS (
    UPDATE tmac.act_verdict v SET person_id = f.person_id, at = f.at, failed = f.failed
      FROM f
     WHERE v.act = f.act AND v.act_id = f.act_id AND v.xmin::text = f.seen
       AND (v.person_id, v.at, v.failed) IS DISTINCT FROM (f.person_id, f.at, f.failed)
  )
  INSERT INTO tmac.act_verdict AS v (act, act_id, person_id, at, failed)
  SELECT f.act, f.act_id, f.person_id, f.at, f.failed FROM f WHERE f.seen IS NULL
  ON CONFLICT ON CONSTRAINT act_verdict_pkey DO NOTHING;
  DELETE FROM tmac.act_verdict v
   WHERE (everyone OR v.person_id = ANY (dirty))
     AND NOT EXISTS (SELECT 1 FROM tmac.handling_entry e WHERE v.act = 'handling' AND e.entry_id = v.act_id)
     AND NOT EXISTS (SELECT 1 FROM tmac.area_entry e WHERE v.act <> 'handling' AND e.entry_id = v.act_id);
  DELETE FROM tmac.verdict_mark m WHERE m.mark_id = ANY (ids);
  RETURN coalesce(cardinality(ids), 0);
END
$$;
COMMENT ON FUNCTION tmac.fold_verdicts(interval, boolean) IS
  'Decides again every act of the persons marked dirty (tmac.verdict_mark; everything: every act), keeps their verdicts (tmac.act_verdict) and consumes the committed markers, after waiting (at most max_wait) for the transactions of this database that were recording acts when it read them (a writing lock on the act tables); returns the markers consumed (NULL: none, such a transaction ran too long). Run by tmac.run_maintenance; callable by the DBA';
