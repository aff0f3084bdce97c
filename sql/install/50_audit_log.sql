-- 50_audit_log.sql — the append-only, hash-chained audit log.
--
-- Every change to the governance tables (persons, HR events, grants, pledges,
-- training, settings and the vocabulary) is appended to tmac.audit_log by a
-- row trigger; other code appends its own events through tmac.audit_record().
-- Each entry's hash is sha256(previous hash || the entry's canonical text),
-- so changing or removing an entry breaks the chain at that point, which
-- tmac.verify_audit_log() reports.  Appends are serialised by a row lock on
-- tmac.audit_head (taken at a transaction's first append, held until commit,
-- and the row is updated once at commit), so the chain never forks: a
-- concurrent writer waits, and a REPEATABLE READ writer that would fork it
-- gets a serialization failure instead.  Nobody is granted UPDATE or DELETE,
-- and triggers refuse them even to the table owner.

CREATE FUNCTION tmac.invoker() RETURNS name
  AS 'MODULE_PATHNAME', 'tmac_invoker' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION tmac.invoker() IS
  'The role acting outside any SECURITY DEFINER function (current_user as the caller sees it); tmac uses it to find requesters and approvers';

CREATE TABLE tmac.audit_log (
  entry_id   bigint PRIMARY KEY,
  logged_at  timestamptz NOT NULL,
  actor      name NOT NULL,
  category   text NOT NULL,
  action     text NOT NULL,
  subject    text,
  detail     jsonb,
  prev_hash  bytea NOT NULL,
  hash       bytea NOT NULL
);
CREATE INDEX audit_log_subject_idx ON tmac.audit_log (category, subject);
COMMENT ON TABLE tmac.audit_log IS
  'Append-only, hash-chained audit log of every change to tmac''s governance tables; check it with tmac.verify_audit_log()';
COMMENT ON COLUMN tmac.audit_log.entry_id IS 'Position in the chain: 1, 2, 3, … without gaps';
COMMENT ON COLUMN tmac.audit_log.actor IS 'The role acting (current_user outside tmac''s own functions)';
COMMENT ON COLUMN tmac.audit_log.category IS 'What kind of thing changed: a table name such as person or access_grant, or a category given to tmac.audit_record';
COMMENT ON COLUMN tmac.audit_log.action IS 'INSERT, UPDATE, DELETE, TRUNCATE, or an action named by tmac.audit_record';
COMMENT ON COLUMN tmac.audit_log.subject IS 'The key of the changed row, or the subject given to tmac.audit_record';
COMMENT ON COLUMN tmac.audit_log.detail IS 'The row before and after the change ({"old":…,"new":…}), or the detail given to tmac.audit_record';
COMMENT ON COLUMN tmac.audit_log.prev_hash IS 'Hash of the previous entry (32 zero bytes for the first)';
COMMENT ON COLUMN tmac.audit_log.hash IS 'sha256(prev_hash || tmac.audit_entry_text(…)) of this entry';

CREATE TABLE tmac.audit_head (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_id    bigint NOT NULL,
  last_hash  bytea NOT NULL
);
COMMENT ON TABLE tmac.audit_head IS
  'The end of the audit chain (one row); its row lock serialises appends so the chain never forks';
INSERT INTO tmac.audit_head VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');
-- Restore: the dumped head replaces the fresh one (see audit_head_merge).
CREATE FUNCTION tmac.audit_head_merge() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  UPDATE tmac.audit_head SET last_id = NEW.last_id, last_hash = NEW.last_hash;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.audit_head_merge() IS
  'Trigger: lets pg_restore bring back the end of the audit chain over the one CREATE EXTENSION installed';
CREATE TRIGGER merge BEFORE INSERT ON tmac.audit_head
  FOR EACH ROW EXECUTE FUNCTION tmac.audit_head_merge();

-- The canonical text an entry's hash covers: independent of DateStyle and TimeZone.
CREATE FUNCTION tmac.audit_entry_text(entry_id bigint, logged_at timestamptz, actor name,
                                      category text, action text, subject text, detail jsonb)
  RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN concat_ws(E'\x1f', entry_id::text,
                   to_char(logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   actor::text, category, action, coalesce(subject, E'\x18'),
                   coalesce(detail::text, E'\x18'));
COMMENT ON FUNCTION tmac.audit_entry_text(bigint, timestamptz, name, text, text, text, jsonb) IS
  'The canonical text of an audit entry that its hash covers (UTC times, fields separated by U+001F)';

-- Appends one entry; the only way rows get into tmac.audit_log.  The first
-- append of a transaction locks the head row (waiting for any other writer to
-- commit); the running end of the chain is then kept in a transaction-local
-- setting, which a rolled-back subtransaction reverts together with its
-- entries, and the head row is written once, at commit (deferred trigger).
CREATE FUNCTION tmac.audit_append(category text, action text, subject text, detail jsonb)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  at timestamptz := clock_timestamp();
  who name := tmac.invoker();
  st text[] := string_to_array(current_setting('tmac.audit_state', true), ':');
  id bigint;
  prev bytea;
  h bytea;
BEGIN
  IF st IS NOT NULL AND st[1] = txid_current()::text THEN
    id := st[2]::bigint + 1;
    prev := decode(st[3], 'hex');
  ELSE
    SELECT last_id + 1, last_hash INTO id, prev FROM tmac.audit_head FOR UPDATE;
  END IF;
  h := sha256(prev || convert_to(tmac.audit_entry_text(id, at, who, category, action, subject, detail), 'UTF8'));
  PERFORM set_config('tmac.audit_state', concat_ws(':', txid_current(), id, encode(h, 'hex')), true);
  PERFORM set_config('tmac.audit_writing', 'on', true);
  INSERT INTO tmac.audit_log VALUES (id, at, who, category, action, subject, detail, prev, h);
  PERFORM set_config('tmac.audit_writing', '', true);
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.audit_append(text, text, text, jsonb) IS
  'Internal: appends one chained entry to tmac.audit_log and returns its entry_id';

-- At commit: the transaction's last entry moves the head of the chain.
CREATE FUNCTION tmac.audit_head_advance() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  st text[] := string_to_array(current_setting('tmac.audit_state', true), ':');
BEGIN
  IF st IS NOT NULL AND st[2]::bigint = NEW.entry_id THEN
    PERFORM set_config('tmac.audit_writing', 'on', true);
    UPDATE tmac.audit_head SET last_id = NEW.entry_id, last_hash = NEW.hash WHERE last_id < NEW.entry_id;
    PERFORM set_config('tmac.audit_writing', '', true);
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.audit_head_advance() IS
  'Deferred trigger: at commit, records the transaction''s last audit entry as the end of the chain';

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
  IF TG_OP IN ('INSERT', 'UPDATE') AND TG_TABLE_NAME = 'audit_head'
     AND current_setting('tmac.audit_writing', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' AND current_setting('tmac.audit_writing', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'tmac.audit_log is append-only'
    USING ERRCODE = 'insufficient_privilege',
          DETAIL = format('%s on the audit log is refused.', TG_OP),
          HINT = 'Entries are added by tmac itself or through tmac.audit_record(); they are never changed or removed.';
END
$$;
COMMENT ON FUNCTION tmac.audit_log_protect() IS
  'Trigger: the audit log is append-only, and only tmac.audit_append adds to it';
CREATE TRIGGER protect BEFORE INSERT OR UPDATE OR DELETE ON tmac.audit_log
  FOR EACH ROW EXECUTE FUNCTION tmac.audit_log_protect();
CREATE CONSTRAINT TRIGGER advance_head AFTER INSERT ON tmac.audit_log
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tmac.audit_head_advance();
CREATE TRIGGER protect_truncate BEFORE TRUNCATE ON tmac.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_log_protect();
CREATE TRIGGER protect BEFORE UPDATE OR DELETE ON tmac.audit_head
  FOR EACH ROW EXECUTE FUNCTION tmac.audit_log_protect();

CREATE FUNCTION tmac.verify_audit_log()
  RETURNS TABLE (entry_id bigint, logged_at timestamptz, problem text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  e record;
  expected_id bigint := 1;
  prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
  head record;
  st text[];
BEGIN
  FOR e IN SELECT * FROM tmac.audit_log a ORDER BY a.entry_id LOOP
    IF e.entry_id <> expected_id THEN
      entry_id := expected_id; logged_at := NULL;
      problem := format('entry %s is missing (next present entry is %s)', expected_id, e.entry_id);
      RETURN NEXT; RETURN;
    END IF;
    IF e.prev_hash <> prev THEN
      entry_id := e.entry_id; logged_at := e.logged_at;
      problem := 'prev_hash does not match the hash of the previous entry';
      RETURN NEXT; RETURN;
    END IF;
    IF e.hash <> sha256(prev || convert_to(tmac.audit_entry_text(e.entry_id, e.logged_at, e.actor,
                          e.category, e.action, e.subject, e.detail), 'UTF8')) THEN
      entry_id := e.entry_id; logged_at := e.logged_at;
      problem := 'hash does not match the entry''s content: the entry was changed';
      RETURN NEXT; RETURN;
    END IF;
    prev := e.hash;
    expected_id := expected_id + 1;
  END LOOP;
  -- The head row moves at commit; inside a writing transaction its end is in tmac.audit_state.
  st := string_to_array(current_setting('tmac.audit_state', true), ':');
  IF st IS NOT NULL AND st[1] = txid_current_if_assigned()::text THEN
    SELECT st[2]::bigint AS last_id, decode(st[3], 'hex') AS last_hash INTO head;
  ELSE
    SELECT h.last_id, h.last_hash INTO head FROM tmac.audit_head h;
  END IF;
  IF head.last_id <> expected_id - 1 OR head.last_hash <> prev THEN
    entry_id := expected_id; logged_at := NULL;
    problem := format('the chain ends at entry %s but tmac.audit_head records entry %s: entries were removed from the end',
                      expected_id - 1, head.last_id);
    RETURN NEXT;
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.verify_audit_log() IS
  'Checks the audit log''s hash chain; returns the first broken link (entry, problem), or no row when the log is intact';

-- Generic statement trigger for the governance tables: one chained entry per
-- statement that changed rows.  A single row is logged as {"old":…,"new":…}
-- with its key as subject; several rows as {"count":n,"rows":[{"old":…,"new":…},…]}
-- in key order, so ending 10,000 grants costs one entry, not 10,000.
-- Arguments: the key column (stable across updates) and the subject column.
CREATE FUNCTION tmac.audit_trigger() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  key_col text := TG_ARGV[0];
  subject_col text := coalesce(TG_ARGV[1], TG_ARGV[0]);
  n bigint;
  changes jsonb;
  one jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT count(*), jsonb_agg(jsonb_build_object(''new'', to_jsonb(r)) ORDER BY r.%I) FROM new_rows r', key_col)
      INTO n, changes;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT count(*), jsonb_agg(jsonb_build_object(''old'', to_jsonb(r)) ORDER BY r.%I) FROM old_rows r', key_col)
      INTO n, changes;
  ELSIF TG_OP = 'UPDATE' THEN
    EXECUTE format('SELECT count(*), jsonb_agg(jsonb_build_object(''old'', to_jsonb(o), ''new'', to_jsonb(r)) ORDER BY r.%1$I)
                      FROM old_rows o JOIN new_rows r ON r.%1$I = o.%1$I
                     WHERE to_jsonb(o) <> to_jsonb(r)', key_col)
      INTO n, changes;
  ELSE
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, NULL, NULL);
    RETURN NULL;
  END IF;
  IF n = 1 THEN
    one := changes -> 0;
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, coalesce(one -> 'new', one -> 'old') ->> subject_col, one);
  ELSIF n > 1 THEN
    PERFORM tmac.audit_append(TG_TABLE_NAME, TG_OP, NULL, jsonb_build_object('count', n, 'rows', changes));
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.audit_trigger() IS
  'Statement trigger: appends each statement''s changes to a governance table to tmac.audit_log (arguments: key column, subject column)';

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

