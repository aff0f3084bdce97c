-- 50_audit_log.sql — the append-only, hash-chained audit log.
--
-- Every change to the governance tables (persons, HR events, grants, pledges,
-- training, settings and the vocabulary) is appended to tmac.audit_log by a
-- row trigger; other code appends its own events through tmac.audit_record().
-- Each entry's hash is sha256(previous hash || the entry's canonical text),
-- so changing or removing an entry breaks the chain at that point, which
-- tmac.verify_audit_log() reports.  An entry takes its place in the chain
-- when its transaction commits (src/audit_chain.c): appends take no lock
-- while the transaction runs, and a pre-commit step, after every trigger and
-- every other piece of the user's code has run, locks tmac.audit_head for the
-- rest of the commit, re-chains the transaction's entries behind whatever was
-- committed meanwhile and moves the head.  So nobody — an employee whose copy
-- is recorded, an administrator — can make another session's act wait by
-- keeping a transaction open, and the chain is in commit order without gaps.
-- Nobody is granted UPDATE or DELETE, and triggers refuse them even to the
-- table owner.
--
-- Its compliance check (audit_log_broken, V) is at the end of this file.

-- Restore: rows that a restore loads into tmac's tables are history, not new
-- events: triggers then keep them as they are (no HR event is applied again, no
-- new audit entry is written, the dumped audit chain and its head are loaded as
-- they were).  tmac.restoring() says so: during the restore window that CREATE
-- EXTENSION opens when schema tmac already carries a dump's vocabulary copy
-- (80_restore.sql, src/restore.c), for a superuser's COPY or INSERT into a
-- table of schema tmac, and it refuses every other change then; outside a
-- window, when a superuser set tmac.restore = on.
CREATE FUNCTION tmac.restoring() RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_restoring' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION tmac.restoring() IS
  'True while a restore loads tmac''s data (restore window, or a superuser''s tmac.restore = on): triggers then load rows as history; during a restore window, raises for any other change';

CREATE FUNCTION tmac.invoker() RETURNS name
  AS 'MODULE_PATHNAME', 'tmac_invoker' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION tmac.invoker() IS
  'The role acting outside any SECURITY DEFINER function (current_user as the caller sees it); tmac uses it to find requesters and approvers';

CREATE TABLE tmac.audit_log (
  entry_id   bigint NOT NULL,
  logged_at  timestamptz NOT NULL,
  actor      name NOT NULL,
  category   text NOT NULL,
  action     text NOT NULL,
  subject    text,
  detail     jsonb,
  prev_hash  bytea NOT NULL,
  hash       bytea NOT NULL
);
-- Not unique: a transaction's entries carry provisional positions until it commits (two
-- open transactions may hold the same one, and a unique index would make the second wait for
-- the first); at commit the positions are final and unique, which verify_audit_log() checks.
-- A large entry (a termination ending 10,000 grants lists them all) is compressed with lz4
-- where the server has it: pglz took a quarter of what ending those grants costs above a bare
-- UPDATE of them (README, Performance).  A server built without lz4 keeps pglz.
DO $lz4$
BEGIN
  ALTER TABLE tmac.audit_log ALTER COLUMN detail SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$lz4$;
CREATE INDEX audit_log_entry_idx ON tmac.audit_log (entry_id);
COMMENT ON INDEX tmac.audit_log_entry_idx IS 'The chain''s order (not unique while transactions are open; see tmac.verify_audit_log)';
CREATE INDEX audit_log_subject_idx ON tmac.audit_log (category, subject);
COMMENT ON TABLE tmac.audit_log IS
  'Append-only, hash-chained audit log of every change to tmac''s governance tables; check it with tmac.verify_audit_log()';
COMMENT ON COLUMN tmac.audit_log.entry_id IS 'Position in the chain: 1, 2, 3, … without gaps, in commit order (final when the entry''s transaction commits)';
COMMENT ON COLUMN tmac.audit_log.actor IS 'The role acting (current_user outside tmac''s own functions)';
COMMENT ON COLUMN tmac.audit_log.category IS 'What kind of thing changed: a table name such as person or access_grant, or a category given to tmac.audit_record';
COMMENT ON COLUMN tmac.audit_log.action IS 'INSERT, UPDATE, DELETE, TRUNCATE, or an action named by tmac.audit_record';
COMMENT ON COLUMN tmac.audit_log.subject IS 'The key of the changed row (NULL when a statement changed several rows), or the subject given to tmac.audit_record';
COMMENT ON COLUMN tmac.audit_log.detail IS 'One changed row: the row before and after ({"old":…,"new":…}); several inserted or deleted rows: {"count":n,"rows":[{"new":…},…]}; several updated rows: {"count":n,"key":key column,"changes":[{"keys":[…],"old":{changed columns},"new":{changed columns}},…]}; a bulk load of HR events: {"count":n,"key":"event_id","rows":[{"new":{"event_id":…}},…],"digest":sha256 hex}; the persons it hires: {"count":n,"key":"person_id","keys":[…],"digest":…,"content":"hr_event"}; or the detail given to tmac.audit_record';
COMMENT ON COLUMN tmac.audit_log.prev_hash IS 'Hash of the previous entry (32 zero bytes for the first)';
COMMENT ON COLUMN tmac.audit_log.hash IS 'sha256(prev_hash || tmac.audit_entry_text(…)) of this entry';

CREATE TABLE tmac.audit_head (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_id    bigint NOT NULL,
  last_hash  bytea NOT NULL
);
COMMENT ON TABLE tmac.audit_head IS
  'The end of the audit chain (one row), moved at each commit that appended; its table lock, taken only while such a commit runs, serialises those commits so the chain never forks';
INSERT INTO tmac.audit_head VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');
-- Restore: the dumped head replaces the fresh one (see audit_head_merge).
CREATE FUNCTION tmac.audit_head_merge() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF tmac.restoring() THEN
    UPDATE tmac.audit_head SET last_id = NEW.last_id, last_hash = NEW.last_hash;
    IF FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.audit_head_merge() IS
  'Trigger: lets pg_restore bring back the end of the audit chain over the one CREATE EXTENSION installed';
CREATE TRIGGER merge BEFORE INSERT ON tmac.audit_head
  FOR EACH ROW EXECUTE FUNCTION tmac.audit_head_merge();

-- The canonical text an entry's hash covers: independent of DateStyle and TimeZone.
-- No SET search_path, so that it stays inlinable: verify_audit_log calls it once per entry of
-- the whole log.  Every function and type is qualified instead (and the SQL-standard body is
-- parsed once, at CREATE time).
CREATE FUNCTION tmac.audit_entry_text(entry_id bigint, logged_at timestamptz, actor name,
                                      category text, action text, subject text, detail jsonb)
  RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN pg_catalog.concat_ws(E'\x1f', entry_id::pg_catalog.text,
                   pg_catalog.to_char(logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   actor::pg_catalog.text, category, action, coalesce(subject, E'\x18'),
                   coalesce(detail::pg_catalog.text, E'\x18'));
COMMENT ON FUNCTION tmac.audit_entry_text(bigint, timestamptz, name, text, text, text, jsonb) IS
  'The canonical text of an audit entry that its hash covers (UTC times, fields separated by U+001F)';

-- True for a row version the current transaction (or one of its subtransactions) wrote: an
-- audit entry of this transaction that has not taken its final place in the chain yet.
CREATE FUNCTION tmac.audit_entry_pending(xmin xid) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_audit_entry_pending' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.audit_entry_pending(xid) IS
  'Internal: true for an audit_log row (given its xmin) that the current transaction wrote, whose place in the chain is final only at commit';

-- Appends one entry; the only way rows get into tmac.audit_log.  It takes no
-- lock: the transaction's first append chains from the head as it reads it
-- (its base), later ones from the transaction's running end, kept in a
-- transaction-local setting (base id, base hash, last id, last hash), which a
-- rolled-back subtransaction reverts together with its entries.  At commit
-- src/audit_chain.c moves the head, re-chaining the entries first when
-- another transaction committed entries after the base.  The id returned is
-- final unless that happens.
CREATE FUNCTION tmac.audit_append(category text, action text, subject text, detail jsonb)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  at timestamptz := clock_timestamp();
  who name := tmac.invoker();
  st text[] := string_to_array(current_setting('tmac.audit_state', true), ':');
  base_id bigint;
  base_hash text;
  id bigint;
  prev bytea;
  h bytea;
BEGIN
  IF tmac.restoring() THEN      -- (during a restore window, raises unless the restore is loading rows)
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = tmac.message('tmac appends nothing to the audit log while a restore loads it'),
            HINT = tmac.message('Restored rows are history: their audit entries come with the dump.');
  END IF;
  IF cardinality(st) = 5 AND st[1] = txid_current()::text THEN
    base_id := st[2]::bigint;
    base_hash := st[3];
    id := st[4]::bigint + 1;
    prev := decode(st[5], 'hex');
  ELSE
    SELECT last_id, last_hash INTO base_id, prev FROM tmac.audit_head;
    base_hash := encode(prev, 'hex');
    id := base_id + 1;
    -- (ALTER EXTENSION UPDATE from 0.1.0: entries its audit_append wrote earlier in this
    -- transaction kept their end as "xid:id:hash", the head unmoved)
    IF cardinality(st) = 3 AND st[1] = txid_current()::text THEN
      id := st[2]::bigint + 1;
      prev := decode(st[3], 'hex');
    END IF;
  END IF;
  h := sha256(prev || convert_to(tmac.audit_entry_text(id, at, who, category, action, subject, detail), 'UTF8'));
  PERFORM set_config('tmac.audit_state', concat_ws(':', txid_current(), base_id, base_hash, id, encode(h, 'hex')), true);
  PERFORM set_config('tmac.audit_writing', 'on', true);
  INSERT INTO tmac.audit_log VALUES (id, at, who, category, action, subject, detail, prev, h);
  PERFORM set_config('tmac.audit_writing', '', true);
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.audit_append(text, text, text, jsonb) IS
  'Internal: appends one chained entry to tmac.audit_log and returns its entry_id (final at commit unless another transaction committed entries meanwhile)';

-- At commit (src/audit_chain.c, under the head's lock, as tmac's owner): another
-- transaction committed entries after this one's base, so this transaction's
-- entries follow the head (new_id, new_hash) instead; returns the hash of the
-- last one.  Only the positions and hashes change, never an entry's content.
CREATE FUNCTION tmac.audit_rechain(base_id bigint, new_id bigint, new_hash bytea) RETURNS bytea
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  e record;
  id bigint := new_id;
  h bytea := new_hash;
  prev bytea;
BEGIN
  PERFORM set_config('tmac.audit_writing', 'rechain', true);
  FOR e IN SELECT a.ctid AS tid, a.* FROM tmac.audit_log a
            WHERE a.entry_id > base_id AND tmac.audit_entry_pending(a.xmin) ORDER BY a.entry_id LOOP
    id := id + 1;
    prev := h;
    h := sha256(prev || convert_to(tmac.audit_entry_text(id, e.logged_at, e.actor, e.category, e.action,
                                                         e.subject, e.detail), 'UTF8'));
    UPDATE tmac.audit_log a SET entry_id = id, prev_hash = prev, hash = h WHERE a.ctid = e.tid;
  END LOOP;
  PERFORM set_config('tmac.audit_writing', '', true);
  RETURN h;
END
$$;
COMMENT ON FUNCTION tmac.audit_rechain(bigint, bigint, bytea) IS
  'Internal (src/audit_chain.c, at commit): moves this transaction''s audit entries behind entries another transaction committed meanwhile; returns the new hash of the last one';

CREATE FUNCTION tmac.audit_record(category text, action text, subject text, detail jsonb)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('audit_record', 'category', category, 'action', action);
  RETURN tmac.audit_append(category, action, subject, detail);
END
$$;
COMMENT ON FUNCTION tmac.audit_record(text, text, text, jsonb) IS
  'Appends a chained entry (category, action, subject, detail) to tmac.audit_log, e.g. a declassification; returns its entry_id';

-- Refuses UPDATE, DELETE and TRUNCATE, and INSERTs that do not come from audit_append.
CREATE FUNCTION tmac.audit_log_protect() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') AND tmac.restoring() THEN
    RETURN NEW;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND TG_TABLE_NAME = 'audit_head'
     AND current_setting('tmac.audit_writing', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' AND current_setting('tmac.audit_writing', true) = 'on' THEN
    RETURN NEW;
  END IF;
  -- audit_rechain at commit: a new position and hash, the same content
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_log' AND current_setting('tmac.audit_writing', true) = 'rechain'
     AND (NEW.logged_at, NEW.actor, NEW.category, NEW.action, NEW.subject, NEW.detail)
         IS NOT DISTINCT FROM (OLD.logged_at, OLD.actor, OLD.category, OLD.action, OLD.subject, OLD.detail) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
          MESSAGE = tmac.message('tmac.audit_log is append-only'),
          DETAIL = tmac.message('%s on the audit log is refused.', TG_OP),
          HINT = tmac.message('Entries are added by tmac itself or through tmac.audit_record(); they are never changed or removed.');
END
$$;
COMMENT ON FUNCTION tmac.audit_log_protect() IS
  'Trigger: the audit log is append-only, and only tmac.audit_append adds to it';
CREATE TRIGGER protect BEFORE INSERT OR UPDATE OR DELETE ON tmac.audit_log
  FOR EACH ROW EXECUTE FUNCTION tmac.audit_log_protect();
CREATE TRIGGER protect_truncate BEFORE TRUNCATE ON tmac.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_log_protect();
CREATE TRIGGER protect BEFORE UPDATE OR DELETE ON tmac.audit_head
  FOR EACH ROW EXECUTE FUNCTION tmac.audit_log_protect();

-- Committed entries form one chain from entry 1 to the head.  Inside a transaction that
-- appended, its own entries (audit_entry_pending) form a second one, from the base it chained
-- from (a committed entry) to its running end: at commit they follow whatever was committed
-- meanwhile (audit_rechain), and the two are one chain again.
CREATE FUNCTION tmac.verify_audit_log()
  RETURNS TABLE (entry_id bigint, logged_at timestamptz, problem text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  e record;
  zero constant bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
  expected_id bigint := 1;
  prev bytea := zero;
  head record;
  st text[] := string_to_array(current_setting('tmac.audit_state', true), ':');
  own_base bigint;              -- this transaction's entries: chained from own_base …
  own_base_hash bytea;
  own_id bigint;                -- … up to own_id - 1, the last with hash own_prev
  own_prev bytea;
  base_hash bytea;              -- the hash of committed entry own_base
  check_id bigint;
  check_prev bytea;
  n bigint;
  d text;
BEGIN
  IF cardinality(st) = 5 AND st[1] = txid_current_if_assigned()::text THEN
    own_base := st[2]::bigint;
    own_base_hash := decode(st[3], 'hex');
    own_id := own_base + 1;
    own_prev := own_base_hash;
    IF own_base = 0 THEN
      base_hash := zero;
    END IF;
  END IF;
  FOR e IN SELECT a.*, own_base IS NOT NULL AND a.entry_id > own_base AND tmac.audit_entry_pending(a.xmin) AS own
             FROM tmac.audit_log a ORDER BY a.entry_id LOOP
    IF e.own THEN
      check_id := own_id; check_prev := own_prev;
    ELSE
      check_id := expected_id; check_prev := prev;
    END IF;
    IF e.entry_id = check_id - 1 THEN
      entry_id := e.entry_id; logged_at := e.logged_at;
      problem := tmac.message('entry %s appears twice', e.entry_id);
      RETURN NEXT; RETURN;
    END IF;
    IF e.entry_id <> check_id THEN
      entry_id := check_id; logged_at := NULL;
      problem := tmac.message('entry %s is missing (next present entry is %s)', check_id, e.entry_id);
      RETURN NEXT; RETURN;
    END IF;
    IF e.prev_hash <> check_prev THEN
      entry_id := e.entry_id; logged_at := e.logged_at;
      problem := tmac.message('prev_hash does not match the hash of the previous entry');
      RETURN NEXT; RETURN;
    END IF;
    IF e.hash <> sha256(check_prev || convert_to(tmac.audit_entry_text(e.entry_id, e.logged_at, e.actor,
                          e.category, e.action, e.subject, e.detail), 'UTF8')) THEN
      entry_id := e.entry_id; logged_at := e.logged_at;
      problem := tmac.message('hash does not match the entry''s content: the entry was changed');
      RETURN NEXT; RETURN;
    END IF;
    IF e.own THEN
      own_prev := e.hash;
      own_id := own_id + 1;
    ELSE
      IF e.entry_id = own_base THEN
        base_hash := e.hash;
      END IF;
      prev := e.hash;
      expected_id := expected_id + 1;
    END IF;
  END LOOP;
  SELECT h.last_id, h.last_hash INTO head FROM tmac.audit_head h;
  IF head.last_id <> expected_id - 1 OR head.last_hash <> prev THEN
    entry_id := expected_id; logged_at := NULL;
    problem := tmac.message('the chain ends at entry %s but tmac.audit_head records entry %s: entries were removed from the end',
                      expected_id - 1, head.last_id);
    RETURN NEXT; RETURN;
  END IF;
  IF own_base IS NOT NULL THEN
    IF base_hash IS DISTINCT FROM own_base_hash THEN
      entry_id := own_base + 1; logged_at := NULL;
      problem := tmac.message('this transaction''s entries follow entry %s, which is missing or was changed', own_base);
      RETURN NEXT; RETURN;
    END IF;
    IF own_id - 1 <> st[4]::bigint OR own_prev <> decode(st[5], 'hex') THEN
      entry_id := own_id; logged_at := NULL;
      problem := tmac.message('this transaction''s entries end at entry %s but it appended up to entry %s: entries were removed from the end',
                        own_id - 1, st[4]);
      RETURN NEXT; RETURN;
    END IF;
  END IF;
  -- The chain is intact.  An entry that records rows of an append-only ledger by their keys and
  -- a digest (a bulk load of tmac.hr_event) still matches the rows in the table.
  FOR e IN SELECT a.entry_id, a.logged_at, a.detail FROM tmac.audit_log a
            WHERE a.category = 'hr_event' AND a.action = 'INSERT' AND a.detail ? 'digest'
            ORDER BY a.entry_id LOOP
    SELECT count(*), encode(sha256(convert_to(string_agg(tmac.hr_event_canonical(h.event_id, h.person_id, h.kind,
                                                           h.effective_at, h.attributes, h.received_at, h.received_by),
                                                         E'\n' ORDER BY h.event_id COLLATE "C"), 'UTF8')), 'hex')
      INTO n, d
      FROM tmac.hr_event h
     WHERE h.event_id IN (SELECT k.r -> 'new' ->> 'event_id' FROM jsonb_array_elements(e.detail -> 'rows') k(r));
    IF n IS DISTINCT FROM (e.detail ->> 'count')::bigint
       OR n IS DISTINCT FROM jsonb_array_length(e.detail -> 'rows') THEN
      entry_id := e.entry_id; logged_at := e.logged_at;
      problem := tmac.message('the entry records %s HR events but tmac.hr_event holds %s of them: events were removed',
                        e.detail ->> 'count', n);
      RETURN NEXT; RETURN;
    END IF;
    IF d IS DISTINCT FROM e.detail ->> 'digest' THEN
      entry_id := e.entry_id; logged_at := e.logged_at;
      problem := tmac.message('the HR events this entry records no longer match its digest: an event was changed');
      RETURN NEXT; RETURN;
    END IF;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.verify_audit_log() IS
  'Checks the audit log''s hash chain, then that the HR events each bulk entry records by digest still match it; returns the first problem (entry, problem), or no row when the log is intact';

-- A statement recorded by the tmac function that runs it (src/audit_chain.c): set just before
-- the UPDATE, taken by its statement trigger, cleared at every transaction end and
-- subtransaction abort.  Executable by the extension owner alone.
CREATE FUNCTION tmac.audit_cover_next_update(tbl regclass) RETURNS void
  AS 'MODULE_PATHNAME', 'tmac_audit_cover_next_update' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.audit_cover_next_update(regclass) IS
  'Internal: the next UPDATE of the table is recorded in the audit log by the tmac function that runs it (tmac.end_grants_of), not by tmac.audit_trigger';
CREATE FUNCTION tmac.audit_covered(tbl regclass) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_audit_covered' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.audit_covered(regclass) IS
  'Internal: true (once) when this UPDATE of the table is recorded by its caller (tmac.audit_cover_next_update); clears the mark either way';

-- Generic statement trigger for the governance tables: one chained entry per
-- statement that changed rows.  A single row is logged as {"old":…,"new":…}
-- (whole rows; INSERT has only "new", DELETE only "old") with its key as
-- subject.  Several rows:
--   INSERT, DELETE: {"count":n,"rows":[{"new":…},…]} (or {"old":…}), whole rows in key order;
--   UPDATE: {"count":n,"key":"<key column>","changes":[{"keys":[…],"old":{…},"new":{…}},…]}:
--     of each row only the columns that changed, with their old and new
--     values; rows whose changes are identical share one element, whose "keys"
--     lists them in order.  Ending 10,000 grants thus costs one small entry,
--     and each row's change can still be read from it (test/README-people.md,
--     "For auditors: the audit log").
--   INSERT of several HR events (argument hr_event_digest): the keys and the SHA-256 digest of
--     the events' canonical text (tmac.hr_event_canonical), which verify_audit_log recomputes
--     from tmac.hr_event; INSERT of the persons a bulk load hires (argument hr_feed_keys, while
--     the HR feed applies): the keys and a digest of the rows as written, their content being
--     the hire events'.  See README, "The audit log".
-- A row an UPDATE left unchanged is not logged.  An UPDATE that a tmac function records
-- itself (tmac.audit_cover_next_update; the grants a termination ends, tmac.end_grants_of)
-- is not summarised here.
-- Arguments: the key column (stable across updates, unique within a statement) and the subject column.
-- The planner has no statistics on transition tables and estimates the join
-- of 10,000 old and new rows at 500,000 rows: it would JIT-compile the summary
-- (longer than running it) and sort where hashing is cheaper, hence the settings.
CREATE FUNCTION tmac.audit_trigger() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET jit = off SET enable_mergejoin = off SET enable_sort = off SET work_mem = '64MB' AS
$$
DECLARE
  key_col text := TG_ARGV[0];
  subject_col text := coalesce(TG_ARGV[1], TG_ARGV[0]);
  n bigint;
  o jsonb;
  r jsonb;
  changes jsonb;
  cols text[];
  tz text;
  ds text;
BEGIN
  IF tmac.restoring() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND tmac.audit_covered(TG_RELID) THEN
    RETURN NULL;                -- its caller appends the entry (tmac.end_grants_of)
  END IF;
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, NULL, NULL);
    RETURN NULL;
  END IF;
  -- Most statements change one row or none (e.g. each HR event's own statements):
  -- static SQL, planned once per trigger, and no JSON of other rows.
  IF TG_OP = 'DELETE' THEN
    SELECT count(*) INTO n FROM old_rows;
  ELSE
    SELECT count(*) INTO n FROM new_rows;
  END IF;
  IF n = 0 THEN
    RETURN NULL;
  ELSIF n = 1 THEN
    IF TG_OP = 'INSERT' THEN
      SELECT to_jsonb(x) INTO r FROM new_rows x;
      changes := jsonb_build_object('new', r);
    ELSIF TG_OP = 'DELETE' THEN
      SELECT to_jsonb(x) INTO o FROM old_rows x;
      changes := jsonb_build_object('old', o);
    ELSE
      SELECT to_jsonb(x) INTO o FROM old_rows x;
      SELECT to_jsonb(x) INTO r FROM new_rows x;
      IF o = r THEN
        RETURN NULL;
      END IF;
      changes := jsonb_build_object('old', o, 'new', r);
    END IF;
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, coalesce(r, o) ->> subject_col, changes);
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' AND TG_ARGV[2] = 'hr_event_digest' THEN
    -- an append-only ledger (tmac.hr_event): the keys and the digest of the rows' canonical
    -- text; tmac.verify_audit_log() recomputes it from the table
    -- (the whole entry in one pass over the events, which the aggregate sorts by key itself:
    -- src/hr_event_audit.c)
    SELECT tmac.hr_event_audit_detail(r.event_id, r.person_id, r.kind, r.effective_at, r.attributes, r.received_at,
                                      r.received_by)
      INTO changes
      FROM new_rows r;
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, NULL, changes);
  ELSIF TG_OP = 'INSERT' AND TG_ARGV[2] = 'hr_feed_keys' AND tmac.hr_feed_applying() THEN
    -- rows the HR feed derives from the events it applies (the persons a bulk load hires): their
    -- keys, and the digest of their text as written (record text, UTC instants, ISO dates)
    tz := current_setting('TimeZone');
    ds := current_setting('DateStyle');
    PERFORM set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true);
    -- (the whole entry in one pass over the rows, which the aggregate sorts by key itself:
    -- src/hr_event_audit.c)
    EXECUTE format('SELECT tmac.hr_feed_keys_detail($1, r.%1$I, r::text) FROM new_rows r', key_col)
      INTO changes USING key_col;
    PERFORM set_config('TimeZone', tz, true), set_config('DateStyle', ds, true);
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, NULL, changes);
  ELSIF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT jsonb_agg(jsonb_build_object(''new'', to_jsonb(r)) ORDER BY r.%I) FROM new_rows r', key_col)
      INTO changes;
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, NULL, jsonb_build_object('count', n, 'rows', changes));
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT jsonb_agg(jsonb_build_object(''old'', to_jsonb(r)) ORDER BY r.%I) FROM old_rows r', key_col)
      INTO changes;
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, NULL, jsonb_build_object('count', n, 'rows', changes));
  ELSE
    -- first the columns any row changed, then the changes of those columns only
    EXECUTE tmac.audit_update_query(TG_RELID, key_col, NULL) INTO cols;
    IF cardinality(cols) = 0 THEN
      RETURN NULL;
    END IF;
    EXECUTE tmac.audit_update_query(TG_RELID, key_col, cols) INTO n, changes;
    IF n = 1 THEN               -- one of the rows changed: logged as a single row
      EXECUTE format('SELECT to_jsonb(o), to_jsonb(r) FROM old_rows o JOIN new_rows r ON r.%1$I = o.%1$I
                       WHERE to_jsonb(r) -> %1$L = $1', key_col)
        INTO o, r USING changes -> 0 -> 'keys' -> 0;
      PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, r ->> subject_col, jsonb_build_object('old', o, 'new', r));
    ELSIF n > 1 THEN
      PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, NULL,
                                jsonb_build_object('count', n, 'key', key_col, 'changes', changes));
    END IF;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.audit_trigger() IS
  'Statement trigger: appends each statement''s changes to a governance table to tmac.audit_log (arguments: key column, subject column)';

-- The queries with which audit_trigger summarises a multi-row UPDATE of tbl.
-- With cols NULL: the names of the columns that changed in any row (one pass of
-- cheap comparisons).  With cols: the number of rows that changed and the
-- "changes" array (see above), looking at those columns only: per row, each
-- column gives its old and its new value when it changed and two nulls when it
-- did not, and rows are grouped by these, so JSON is built once per distinct
-- change rather than once per row.  A column whose type has no hash opclass
-- (json, point, …) is compared and grouped as text, and so is a column of a type
-- defined outside pg_catalog (tmac.label): this function's search_path holds only
-- pg_catalog, where such a type's = is not found.
CREATE FUNCTION tmac.audit_update_query(tbl regclass, key_col text, cols text[]) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  sel text[] := '{}';       -- per row, each column: old and new value when it changed, else nulls
  grp text[] := '{}';
  olds text[] := '{}';      -- per group: name, value pairs of the old values
  news text[] := '{}';
  changed text[] := '{}';   -- per group: the name of each column, when it changed
  c record;
  i integer := 0;
  cast_to text;
  differs text;
BEGIN
  FOR c IN
    SELECT a.attname,
           t.typcategory = 'A' OR t.typtype IN ('r', 'm', 'e')
             OR (b.typnamespace = 'pg_catalog'::regnamespace
                 AND EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                              WHERE am.amname = 'hash' AND oc.opcdefault AND oc.opcintype = b.oid)) AS hashable
      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      JOIN pg_type b ON b.oid = coalesce(nullif(t.typbasetype, 0), t.oid)
     WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> key_col
       AND (cols IS NULL OR a.attname::text = ANY (cols))
     ORDER BY a.attnum
  LOOP
    i := i + 1;
    cast_to := CASE WHEN c.hashable THEN '' ELSE '::text' END;
    differs := format('o.%1$I%2$s IS DISTINCT FROM r.%1$I%2$s', c.attname, cast_to);
    IF cols IS NULL THEN
      changed := changed || format('CASE WHEN bool_or(%s) THEN %L END', differs, c.attname);
      CONTINUE;
    END IF;
    sel := sel || format('CASE WHEN %s THEN o.%I%s END AS o%s', differs, c.attname, cast_to, i)
               || format('CASE WHEN %s THEN r.%I%s END AS n%s', differs, c.attname, cast_to, i);
    grp := grp || format('d.o%s', i) || format('d.n%s', i);
    olds := olds || format('%L, d.o%s', c.attname, i);
    news := news || format('%L, d.n%s', c.attname, i);
    -- (a column that changed is not null on at least one side)
    changed := changed || format('CASE WHEN d.o%1$s IS NOT NULL OR d.n%1$s IS NOT NULL THEN %2$L END', i, c.attname);
  END LOOP;
  IF cols IS NULL THEN
    RETURN format('SELECT array_remove(ARRAY[%s]::text[], NULL) FROM old_rows o JOIN new_rows r ON r.%2$I = o.%2$I',
                  coalesce(array_to_string(changed, ', '), ''), key_col);
  END IF;
  IF i = 0 THEN
    RETURN 'SELECT 0::bigint, NULL::jsonb';
  END IF;
  -- (no ORDER BY inside the grouped aggregates: it would rule out hash aggregation)
  RETURN format($q$
    SELECT sum(g.cnt)::bigint,
           jsonb_agg(jsonb_build_object('keys', g.keys, 'old', tmac.audit_pick(g.ov, g.cols),
                                        'new', tmac.audit_pick(g.nv, g.cols)) ORDER BY g.keys[1])
      FROM (SELECT count(*) AS cnt, ARRAY(SELECT x FROM unnest(array_agg(d.k)) x ORDER BY x) AS keys,
                   %3$s AS ov, %4$s AS nv, array_remove(ARRAY[%5$s], NULL) AS cols
              FROM (SELECT r.%1$I AS k, %2$s FROM old_rows o JOIN new_rows r ON r.%1$I = o.%1$I) d
             GROUP BY %6$s) g
     WHERE g.cols <> '{}'$q$,
    key_col, array_to_string(sel, ', '), tmac.audit_jsonb_object(olds), tmac.audit_jsonb_object(news),
    array_to_string(changed, ', '), array_to_string(grp, ', '));
END
$$;
COMMENT ON FUNCTION tmac.audit_update_query(regclass, text, text[]) IS
  'Internal: the queries that summarise a multi-row UPDATE for the audit log (which columns changed; then the changes of each row, identical changes grouped)';

-- The SQL of jsonb_build_object(name, value, …) over pairs, in chunks (a function takes at most 100 arguments).
CREATE FUNCTION tmac.audit_jsonb_object(pairs text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (SELECT coalesce(string_agg(format('jsonb_build_object(%s)', c.p), ' || ' ORDER BY c.chunk), '''{}''::jsonb')
            FROM (SELECT (u.i - 1) / 50 AS chunk, string_agg(u.x, ', ' ORDER BY u.i) AS p
                    FROM unnest(pairs) WITH ORDINALITY u(x, i) GROUP BY 1) c);
COMMENT ON FUNCTION tmac.audit_jsonb_object(text[]) IS 'Internal: the SQL of a jsonb object built from name, value pairs';

CREATE FUNCTION tmac.audit_pick(obj jsonb, keys text[]) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(obj) e WHERE e.key = ANY (keys));
COMMENT ON FUNCTION tmac.audit_pick(jsonb, text[]) IS 'Internal: the members of a jsonb object with the given keys';

-- Creates the audit trigger on a table (used by this and later files).
CREATE FUNCTION tmac.add_audit_trigger(tbl regclass, key_col text, subject_col text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_trigger(%L, %L)',
                 tbl, key_col, coalesce(subject_col, key_col));
  EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_trigger(%L, %L)',
                 tbl, key_col, coalesce(subject_col, key_col));
  EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_trigger(%L, %L)',
                 tbl, key_col, coalesce(subject_col, key_col));
  EXECUTE format('CREATE TRIGGER audit_truncate AFTER TRUNCATE ON %s
                    FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_trigger(%L)', tbl, key_col);
END
$$;
COMMENT ON FUNCTION tmac.add_audit_trigger(regclass, text, text) IS
  'Internal (install time): puts the audit statement triggers on a governance table';

-- Vocabulary tables (created in 10_vocabulary.sql) are audited too.
SELECT tmac.add_audit_trigger('tmac.level', 'rank', 'code');
SELECT tmac.add_audit_trigger('tmac.compartment', 'compartment_id', 'code');
SELECT tmac.add_audit_trigger('tmac.org_group', 'group_id', 'code');

SELECT pg_catalog.pg_extension_config_dump('tmac.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.audit_head', '');


-- The audit log's check (criterion V; the compliance registry: 45_compliance_registry.sql).

CREATE FUNCTION tmac.check_audit_log_broken()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'audit_log',
         tmac.message('The audit log fails verification at entry %s: %s. Preserve the database and investigate; compare with a backup.',
                v.entry_id, v.problem),
         v.logged_at
    FROM tmac.verify_audit_log() v;
END;
COMMENT ON FUNCTION tmac.check_audit_log_broken() IS
  'Check audit_log_broken: tmac.verify_audit_log() finds a broken link in the hash chain';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('audit_log_broken', 'V', 'critical', tmac.msgid('Audit log fails verification'),
   tmac.msgid('tmac.verify_audit_log() finds an entry changed, removed or out of chain.'),
   tmac.msgid('Preserve the database, investigate and compare with backups.'), 'tmac.check_audit_log_broken', '{}', '{protected_tables,audit_entries}', true);
