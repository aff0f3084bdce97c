-- 80_restore.sql — plain pg_restore, pg_restore -j, psql and pg_upgrade need no wrapper.
--
-- Labels are parsed while a dump is restored (defaults, partition bounds, views and
-- SECURITY LABELs in pre-data; your rows in data, which pg_dump orders by schema name and
-- pg_restore -j loads in any order) and during pg_upgrade's schema restore, when tmac's
-- vocabulary tables are not filled yet or do not exist.  Two things make that work
-- (src/vocabulary_copy.c and src/restore.c explain them in full):
--
--  - The vocabulary copy: schema tmac, which is not a member of the extension, carries a
--    copy of the vocabulary as its security label for provider tmac_vocabulary.  pg_dump
--    writes it right after CREATE SCHEMA tmac, before CREATE EXTENSION tmac; label input
--    reads it during pg_upgrade and during a restore window.  A statement trigger on the
--    vocabulary tables rewrites it after every change.
--  - The restore window: CREATE EXTENSION tmac opens one when the schema already carries a
--    copy (a dump is being restored).  Until it closes, the restore's own COPY/INSERT into
--    tmac's tables is loaded as history, and every other change to tmac's data is refused.
--    It closes with the dump's privilege pass: tmac.end_restore() has no initial privileges
--    recorded, so every dump revokes EXECUTE on it from PUBLIC after all data, and an event
--    trigger that sees that REVOKE calls it.  After a dump without privileges (-x), a
--    superuser calls SELECT tmac.end_restore() once.

-- The copy, exactly as tmac writes it (one entry a line, fields separated by tabs).
CREATE FUNCTION tmac.vocabulary_copy_text() RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT 'tmac vocabulary 1'
      || coalesce((SELECT string_agg(E'\nL\t' || l.rank || E'\t' || l.code || E'\t' || l.name
                                     || coalesce((SELECT string_agg(E'\t' || a.alias, '' ORDER BY a.n)
                                                    FROM unnest(l.aliases) WITH ORDINALITY a(alias, n)), ''),
                                     '' ORDER BY l.rank)
                     FROM tmac.level l), '')
      || coalesce((SELECT string_agg(E'\nC\t' || c.compartment_id || E'\t' || c.code || E'\t' || c.name,
                                     '' ORDER BY c.compartment_id)
                     FROM tmac.compartment c), '')
      || coalesce((SELECT string_agg(E'\nG\t' || g.group_id || E'\t' || coalesce(g.parent_id, 0)
                                     || E'\t' || g.code || E'\t' || g.name, '' ORDER BY g.group_id)
                     FROM tmac.org_group g), '')
$$;
COMMENT ON FUNCTION tmac.vocabulary_copy_text() IS 'The vocabulary copy that schema tmac carries as its tmac_vocabulary security label, generated from tmac.level, tmac.compartment and tmac.org_group';

CREATE FUNCTION tmac.vocabulary_copy_sync() RETURNS trigger
  AS 'MODULE_PATHNAME', 'tmac_vocabulary_copy_sync' LANGUAGE C;
COMMENT ON FUNCTION tmac.vocabulary_copy_sync() IS 'Statement trigger: rewrites the vocabulary copy on schema tmac after a change of the vocabulary (not during pg_upgrade or a restore window)';
-- Both copies of the vocabulary follow every change of it: the one schema tmac carries
-- (vocabulary_copy) and the codes every protected table carries (vocabulary_needed, 61_protect.sql).
DO $t$
DECLARE
  t text;
  trg text;
BEGIN
  FOREACH t IN ARRAY ARRAY['level', 'compartment', 'org_group'] LOOP
    FOREACH trg IN ARRAY ARRAY['vocabulary_copy', 'vocabulary_needed'] LOOP
      EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tmac.%I
                                   FOR EACH STATEMENT EXECUTE FUNCTION tmac.%I()', trg, t, trg || '_sync');
    END LOOP;
  END LOOP;
END
$t$;

-- The restore window: a row while one is open.  Not dumped (pg_extension_config_dump is
-- not called): a restore opens its own.  pg_restore -j loads tables in any order (grants
-- before persons, say), so the foreign keys among tmac's tables are dropped while the window
-- is open and added back, validated, when it ends.
CREATE TABLE tmac.restore_window (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  opened_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
  opened_by  name NOT NULL DEFAULT session_user,
  relaxed    jsonb NOT NULL DEFAULT '[]',  -- the foreign keys dropped for the restore: [{"table","name","definition"}]
  loaded     text[] NOT NULL DEFAULT '{}', -- tmac's tables whose data the restore has loaded (a COPY each)
  awaiting_data boolean NOT NULL DEFAULT false  -- a schema-only pass ended: the data pass ends the restore
);
COMMENT ON TABLE tmac.restore_window IS
  'One row while a restore is in progress: opened by CREATE EXTENSION tmac over a restored vocabulary copy, closed by tmac.end_restore()';

-- The last governance table exists: every one gets its invalidation trigger (the one list,
-- 10_vocabulary.sql), before the restore window below can be opened.
SELECT tmac.install_invalidation_triggers();
DROP FUNCTION tmac.install_invalidation_triggers();

-- SECURITY LABEL FOR tmac set while tmac was not installed (a restore sets the labels of every
-- schema before CREATE EXTENSION, pg_upgrade too) was checked for syntax only; its names are
-- resolved here, when a restore ends or tmac is installed over such labels.
CREATE FUNCTION tmac.check_object_labels() RETURNS void
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  o record;
BEGIN
  FOR o IN SELECT s.classoid, s.objoid, s.objsubid, s.label FROM pg_catalog.pg_seclabel s
            WHERE s.provider = 'tmac' ORDER BY 1, 2, 3 LOOP
    BEGIN
      PERFORM o.label::tmac.label;
    EXCEPTION WHEN OTHERS THEN
      RAISE EXCEPTION USING ERRCODE = 'undefined_object',
        MESSAGE = tmac.message('the tmac label ''%s'' of %s does not name entries of tmac''s vocabulary', o.label,
                               pg_catalog.pg_describe_object(o.classoid, o.objoid, o.objsubid)),
        DETAIL = SQLERRM,
        HINT = tmac.message('It was set while tmac was not installed. Define what it names, or remove it with SECURITY LABEL FOR tmac ON … IS NULL.');
    END;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.check_object_labels() IS 'Raises undefined_object for the first SECURITY LABEL FOR tmac whose level, compartments or groups tmac''s vocabulary does not define';

-- Ends the window: the restored vocabulary must be the one the copy described (labels were
-- read with it), the relaxed foreign keys are added back (and so validated), object labels set
-- before CREATE EXTENSION must name the vocabulary, and the restored audit chain must verify.
-- Then the window closes and the restore itself is recorded in the audit log.  Superusers only
-- (the restore's own role).
CREATE FUNCTION tmac.end_restore() RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  w tmac.restore_window;
  stored text;
  wanted text;
  diff record;
  broken record;
  fk record;
BEGIN
  SELECT * INTO w FROM tmac.restore_window FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  -- Closed first, so that the checks below run (and fire tmac's triggers) as after a restore;
  -- any failure rolls the whole call back, and the window stays open.
  DELETE FROM tmac.restore_window;
  -- The kept verdicts (86_verdicts.sql) are not dumped, and a data pass may have run with
  -- triggers off: a marker for everyone has every act decided again until a fold stores them.
  INSERT INTO tmac.verdict_mark (person_ids, why) VALUES (NULL, 'restore');
  SELECT s.label INTO stored FROM pg_catalog.pg_seclabel s
   WHERE s.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
     AND s.objoid = 'tmac'::pg_catalog.regnamespace AND s.objsubid = 0 AND s.provider = 'tmac_vocabulary';
  wanted := tmac.vocabulary_copy_text();
  IF stored IS DISTINCT FROM wanted THEN
    SELECT (SELECT replace(a.line, E'\t', ' ') FROM unnest(string_to_array(stored, E'\n')) WITH ORDINALITY a(line, n)
             WHERE a.line <> ALL (string_to_array(wanted, E'\n')) ORDER BY a.n LIMIT 1) AS copy_only,
           (SELECT replace(b.line, E'\t', ' ') FROM unnest(string_to_array(wanted, E'\n')) WITH ORDINALITY b(line, n)
             WHERE b.line <> ALL (coalesce(string_to_array(stored, E'\n'), '{}')) ORDER BY b.n LIMIT 1) AS tables_only
      INTO diff;
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('the restored vocabulary differs from the copy the dump carried'),
      DETAIL = tmac.message('Only in the copy: %s.  Only in tmac''s tables: %s.',
                            coalesce('"' || diff.copy_only || '"', tmac.message('nothing')),
                            coalesce('"' || diff.tables_only || '"', tmac.message('nothing'))),
      HINT = tmac.message('Labels were read with the copy during the restore: restore tmac.level, tmac.compartment and tmac.org_group from the same dump, then run SELECT tmac.end_restore().');
  END IF;
  FOR fk IN SELECT * FROM jsonb_to_recordset(w.relaxed) AS x("table" text, name text, definition text) LOOP
    EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk."table", fk.name, fk.definition);
  END LOOP;
  PERFORM tmac.check_object_labels();
  SELECT * INTO broken FROM tmac.verify_audit_log() LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'data_corrupted',
      MESSAGE = tmac.message('the restored audit log does not verify at entry %s: %s', broken.entry_id, broken.problem),
      HINT = tmac.message('Restore tmac.audit_log and tmac.audit_head from the same dump, then run SELECT tmac.end_restore().');
  END IF;
  -- a built-in check of the dump that this tmac does not have (a dump of another version) has no
  -- function to run: it goes, and its deletion is audited
  DELETE FROM tmac.compliance_check k
   WHERE k.builtin AND NOT coalesce(tmac.is_own_function(pg_catalog.to_regproc(k.function_name)), false);
  PERFORM tmac.login_gate_sync();          -- the restored persons' login gate (76_login_gate.sql)
  PERFORM tmac.audit_append('restore', 'END', pg_catalog.current_database()::text,
            pg_catalog.jsonb_build_object('opened_at', w.opened_at, 'opened_by', w.opened_by,
                                          'last_restored_entry', (SELECT h.last_id FROM tmac.audit_head h)));
  RETURN true;
END
$$;
COMMENT ON FUNCTION tmac.end_restore() IS 'Ends a restore: checks the restored vocabulary against the dump''s copy and the audit chain, closes the restore window, drops built-in checks this tmac does not have, rebuilds the login gate and records the restore in the audit log; false when no restore was in progress';

CREATE FUNCTION tmac.restore_closing_command(command pg_catalog.pg_ddl_command) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_restore_closing_command' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION tmac.restore_closing_command(pg_catalog.pg_ddl_command) IS 'Internal: true when an event trigger''s GRANT or REVOKE names tmac.end_restore() (the privilege pass of a restored dump)';

-- Runs as its owner: it fires for everyone's GRANT and REVOKE, and only a GRANT or REVOKE on
-- tmac.end_restore() (which only its owner or a superuser can issue) calls end_restore.
-- A privilege pass that finds none of tmac's tables loaded, and no audit log, ends a schema-only pass
-- (pg_restore --schema-only, pg_dump --schema-only | psql): the window stays open for the data
-- pass, which ends the restore by itself (tmac.restore_loaded).
CREATE FUNCTION tmac.restore_privilege_pass() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  c record;
  detail text;
  hint text;
BEGIN
  FOR c IN SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands() LOOP
    IF NOT c.in_extension AND tmac.restore_closing_command(c.command) THEN
      -- (a dump's audit log is never empty, install writes entries; a restore with --inserts
      -- loads it without a COPY)
      IF EXISTS (SELECT FROM tmac.restore_window w WHERE w.loaded = '{}' AND NOT w.awaiting_data)
         AND NOT EXISTS (SELECT FROM tmac.audit_log) THEN
        UPDATE tmac.restore_window SET awaiting_data = true;
        -- (DETAIL and HINT composed first: their text holds "--", which message_catalog.sh would
        -- take for a comment inside a RAISE)
        detail := tmac.message('This pass restored no data of tmac''s tables (a --schema-only dump or restore).  Until the data pass has loaded them, tmac accepts no changes.');
        hint := tmac.message('Run pg_restore --data-only (or the --data-only dump) with the same dump into this database; the restore ends when it has loaded tmac''s tables.');
        RAISE WARNING USING
          MESSAGE = tmac.message('tmac: the restore''s schema is in place; its data pass ends the restore'),
          DETAIL = detail, HINT = hint;
        RETURN;
      END IF;
      PERFORM tmac.end_restore();
      RETURN;
    END IF;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.restore_privilege_pass() IS 'Event trigger: a dump''s privilege pass (REVOKE … ON FUNCTION tmac.end_restore()) ends the restore window, or, after a schema-only pass, hands it to the data pass';

-- Called (as tmac's owner, src/restore.c) after each COPY of a restore into a table of schema tmac
-- while the window is open.  After a schema-only pass, the data pass ends the restore when it has
-- loaded every table whose data tmac's dumps carry (pg_restore -j loads them in any order and in
-- several sessions: the row lock on the window serialises them, and the last one ends it).  If
-- the end fails, the loaded data stays, the window stays open, and a WARNING says why.
CREATE FUNCTION tmac.restore_loaded(loaded_table pg_catalog.regclass) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  w tmac.restore_window;
  msg text;
  detail text;
  hint text;
BEGIN
  UPDATE tmac.restore_window
     SET loaded = loaded || (SELECT c.relname::text FROM pg_catalog.pg_class c WHERE c.oid = loaded_table)
   WHERE (SELECT c.relname::text FROM pg_catalog.pg_class c WHERE c.oid = loaded_table) <> ALL (loaded)
  RETURNING * INTO w;
  IF NOT FOUND OR NOT w.awaiting_data OR EXISTS (
       SELECT FROM pg_catalog.pg_extension e, pg_catalog.unnest(e.extconfig) t(relid)
         JOIN pg_catalog.pg_class c ON c.oid = t.relid
        WHERE e.extname = 'tmac' AND c.relkind IN ('r', 'p') AND c.relname::text <> ALL (w.loaded)) THEN
    RETURN false;
  END IF;
  BEGIN
    RETURN tmac.end_restore();
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RAISE WARNING USING
      MESSAGE = tmac.message('tmac: the restore''s data pass loaded tmac''s tables, but the restore cannot end: %s', msg),
      DETAIL = detail, HINT = hint;
    RETURN false;
  END;
END
$$;
COMMENT ON FUNCTION tmac.restore_loaded(pg_catalog.regclass) IS 'Internal: notes a restore''s COPY into one of tmac''s tables; after a schema-only pass, the data pass''s last one ends the restore';
CREATE EVENT TRIGGER tmac_end_restore ON ddl_command_end WHEN TAG IN ('GRANT', 'REVOKE')
  EXECUTE FUNCTION tmac.restore_privilege_pass();
COMMENT ON EVENT TRIGGER tmac_end_restore IS
  'Ends a restore window when the restored dump''s privileges are applied, after all its data';

-- Last: a restore (the schema already carries a dump's copy) opens the window; a fresh
-- install writes the copy of the built-in vocabulary.
DO $restore$
DECLARE
  fk record;
  detail text;
  hint text;
BEGIN
  -- (names in the saved constraint definitions come out schema-qualified)
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  IF EXISTS (SELECT FROM pg_catalog.pg_seclabel s
              WHERE s.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                AND s.objoid = 'tmac'::pg_catalog.regnamespace AND s.objsubid = 0
                AND s.provider = 'tmac_vocabulary') THEN
    INSERT INTO tmac.restore_window (relaxed)
      SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'table', c.conrelid::pg_catalog.regclass::text, 'name', c.conname,
                        'definition', pg_catalog.pg_get_constraintdef(c.oid))
                      ORDER BY c.conrelid::pg_catalog.regclass::text, c.conname), '[]')
        FROM pg_catalog.pg_constraint c
       WHERE c.connamespace = 'tmac'::pg_catalog.regnamespace AND c.contype = 'f';
    FOR fk IN SELECT * FROM pg_catalog.jsonb_to_recordset((SELECT w.relaxed FROM tmac.restore_window w))
                         AS x("table" text, name text, definition text) LOOP
      EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', fk."table", fk.name);
    END LOOP;
  ELSIF pg_catalog.current_setting('row_security') = 'off' THEN
    -- every dump sets row_security = off first: this is a restore, and its copy is missing
    -- (DETAIL and HINT composed first: their text holds "--", which message_catalog.sh would take
    -- for a comment inside a RAISE)
    detail := tmac.message('Schema tmac carries no vocabulary copy (its security label for provider tmac_vocabulary), which the labels in the dump are read with: the dump was made or restored with --no-security-labels, which also drops tmac''s object labels (SECURITY LABEL FOR tmac), or by a tmac older than 0.2.0.');
    hint := tmac.message('Dump and restore without --no-security-labels.  To install tmac afresh instead, run CREATE EXTENSION tmac with row_security on.');
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
      MESSAGE = tmac.message('tmac cannot be restored from a dump without security labels'),
      DETAIL = detail, HINT = hint;
  ELSE
    EXECUTE pg_catalog.format('SECURITY LABEL FOR tmac_vocabulary ON SCHEMA tmac IS %L',
                              tmac.vocabulary_copy_text());
    PERFORM tmac.check_object_labels();
  END IF;
END
$restore$;
