-- 10_vocabulary.sql — the label vocabulary: levels, compartments, organisation groups.
--
-- Labels store a level's rank and compartment/group ids, never text, so a
-- rename never invalidates a stored label.  Entries are never deleted (stored
-- labels may refer to them).  Every change invalidates each backend's cached
-- copy through tmac.cache_invalidate().  Changes go through the define_* and
-- rename_* functions, granted to tmac_admin; the tables are readable by all,
-- because every session that reads or writes a label needs them.

CREATE FUNCTION tmac.cache_invalidate() RETURNS trigger
  AS 'MODULE_PATHNAME', 'tmac_cache_invalidate' LANGUAGE C;
COMMENT ON FUNCTION tmac.cache_invalidate() IS 'Statement trigger: tells every backend that its cached copy of this table is stale';

-- The governance tables: the one list of tables whose changes tell every backend that
-- governance data changed.  Each carries the statement trigger invalidate_caches, which calls
-- tmac.cache_invalidate() (src/governance_change.c): one relcache invalidation of
-- tmac.cache_sentinel per statement, which the profile, vocabulary, restore-window and
-- extension caches listen for.  Every table tmac.access_profile_of() and the login gate
-- (tmac.login_gate_wanted()) read must be here: test/pgtap/spine_trigger_coverage.sql derives
-- the tables they read from their bodies and fails when one lacks the trigger.
-- Called once, by 80_restore.sql, right after the last of these tables (tmac.restore_window)
-- is created and before the install writes any of them but the default levels (which nothing
-- has cached yet); then dropped.
--
-- The changes the HR feed applies from inside its row trigger on tmac.hr_event
-- (tmac.hr_event_receive sets the flag tmac.hr_feed_applying(), see src/governance_change.c)
-- to tmac.person and tmac.access_grant are covered by the invalidation of tmac.hr_event at the
-- end of that same statement: invalidating there too, once per event, made every cached plan
-- that reads persons be planned again for each event of a COPY.  Those two tables' triggers
-- therefore skip statements run while the feed applies an event (hr_feed below).
CREATE FUNCTION tmac.install_invalidation_triggers() RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('level', false), ('compartment', false), ('org_group', false),   -- the vocabulary
      ('setting', false),
      ('person', true),
      ('pledge', false), ('training_completion', false), ('training_course', false),
      ('hr_event', false),
      ('access_grant', true),
      ('restore_window', false)) AS l(tbl, hr_feed)
  LOOP
    EXECUTE pg_catalog.format(
      'CREATE TRIGGER invalidate_caches AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tmac.%I
         FOR EACH STATEMENT %s EXECUTE FUNCTION tmac.cache_invalidate()',
      t.tbl,
      CASE WHEN t.hr_feed
           THEN 'WHEN (pg_catalog.pg_trigger_depth() = 0 OR NOT tmac.hr_feed_applying())' ELSE '' END);
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.install_invalidation_triggers() IS 'Install only: puts the invalidate_caches statement trigger on every governance table (the one list); dropped once called';

-- Spellings (codes, names, aliases) are compared after one folding rule, the same in C
-- (label input, src/vocabulary.c) and SQL, whatever the database's collation: ASCII a-z
-- as A-Z, every other character exactly (Japanese, full-width, İ/ı, ß).
CREATE FUNCTION tmac.vocabulary_fold(spelling text) RETURNS text
  AS 'MODULE_PATHNAME', 'tmac_vocabulary_fold' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.vocabulary_fold(text) IS 'A vocabulary spelling as lookups compare it: ASCII letters upper-cased, every other character unchanged (independent of the collation)';

-- The one lookup of a spelling, through each backend's vocabulary cache (the one label input uses).
CREATE FUNCTION tmac.vocabulary_id(kind text, spelling text, missing_ok boolean DEFAULT false) RETURNS integer
  AS 'MODULE_PATHNAME', 'tmac_vocabulary_id' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.vocabulary_id(text, text, boolean) IS 'The identifier (level rank, compartment or group id) of a level, compartment or group given by code, name or alias (ASCII case ignored, surrounding spaces ignored); error 42704 when unknown, or NULL with missing_ok';

-- A code is what the canonical label text shows; a name or alias is what people type.
CREATE FUNCTION tmac.valid_code(code text) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$';
COMMENT ON FUNCTION tmac.valid_code(text) IS 'True when the text can be a vocabulary code: ASCII letters, digits, _ . -, at most 63 characters, starting with a letter or digit';

CREATE FUNCTION tmac.valid_name(name text) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN octet_length(name) BETWEEN 1 AND 200
     AND name !~ '[:,[:cntrl:]]'
     AND name = btrim(name, E' \t\r\n\u3000');
COMMENT ON FUNCTION tmac.valid_name(text) IS 'True when the text can be a vocabulary name or alias: 1–200 bytes, no colon, comma or control character, no surrounding space';

CREATE TABLE tmac.level (
  rank        smallint PRIMARY KEY CHECK (rank >= 0),
  code        text NOT NULL CHECK (tmac.valid_code(code)),
  name        text NOT NULL CHECK (tmac.valid_name(name)),
  aliases     text[] NOT NULL DEFAULT '{}',
  builtin     boolean NOT NULL DEFAULT false,
  defined_at  timestamptz NOT NULL DEFAULT now(),
  defined_by  name NOT NULL DEFAULT session_user,
  CHECK (array_position(aliases, NULL) IS NULL)
);
COMMENT ON TABLE tmac.level IS
  'Classification levels (区分): ordered by rank; a label stores the rank, so renaming keeps labels valid';
COMMENT ON COLUMN tmac.level.rank IS 'Order of the level: a higher rank dominates a lower one; the identity of the level';
COMMENT ON COLUMN tmac.level.code IS 'Canonical code shown in label text, e.g. SECRET';
COMMENT ON COLUMN tmac.level.name IS 'Japanese name shown in markings, e.g. 極秘';
COMMENT ON COLUMN tmac.level.aliases IS 'Other accepted spellings on input, e.g. 対外秘';
COMMENT ON COLUMN tmac.level.builtin IS 'True for the levels a fresh install ships';
CREATE UNIQUE INDEX level_code_key ON tmac.level (tmac.vocabulary_fold(code));

CREATE SEQUENCE tmac.compartment_id_seq AS integer;
CREATE TABLE tmac.compartment (
  compartment_id integer PRIMARY KEY DEFAULT nextval('tmac.compartment_id_seq'),
  code        text NOT NULL CHECK (tmac.valid_code(code)),
  name        text NOT NULL CHECK (tmac.valid_name(name)),
  description text,
  defined_at  timestamptz NOT NULL DEFAULT now(),
  defined_by  name NOT NULL DEFAULT session_user
);
ALTER SEQUENCE tmac.compartment_id_seq OWNED BY tmac.compartment.compartment_id;
COMMENT ON TABLE tmac.compartment IS
  'Need-to-know compartments (関係者限り): projects, entrusted customer information, product lines';
COMMENT ON COLUMN tmac.compartment.compartment_id IS 'Identifier stored in labels';
CREATE UNIQUE INDEX compartment_code_key ON tmac.compartment (tmac.vocabulary_fold(code));

CREATE SEQUENCE tmac.org_group_id_seq AS integer;
CREATE TABLE tmac.org_group (
  group_id    integer PRIMARY KEY DEFAULT nextval('tmac.org_group_id_seq'),
  code        text NOT NULL CHECK (tmac.valid_code(code)),
  name        text NOT NULL CHECK (tmac.valid_name(name)),
  parent_id   integer,            -- checked by define_group/move_group (no FK: restore order)
  defined_at  timestamptz NOT NULL DEFAULT now(),
  defined_by  name NOT NULL DEFAULT session_user,
  CHECK (parent_id IS DISTINCT FROM group_id)
);
ALTER SEQUENCE tmac.org_group_id_seq OWNED BY tmac.org_group.group_id;
COMMENT ON TABLE tmac.org_group IS
  'Organisation groups (部・課) as a tree: a holder of a group reaches every group below it';
COMMENT ON COLUMN tmac.org_group.parent_id IS 'The enclosing group, or NULL for a root';
CREATE UNIQUE INDEX org_group_code_key ON tmac.org_group (tmac.vocabulary_fold(code));

-- All spellings in use, folded as label input folds them.
CREATE VIEW tmac.vocabulary_token AS
  SELECT 'level'::text AS kind, rank::integer AS id, code AS entry, tmac.vocabulary_fold(t) AS token
    FROM tmac.level, unnest(array[code, name] || aliases) AS t
  UNION ALL
  SELECT 'compartment', compartment_id, code, tmac.vocabulary_fold(t)
    FROM tmac.compartment, unnest(array[code, name]) AS t
  UNION ALL
  SELECT 'group', group_id, code, tmac.vocabulary_fold(t)
    FROM tmac.org_group, unnest(array[code, name]) AS t;
COMMENT ON VIEW tmac.vocabulary_token IS
  'Every spelling (code, name, alias) accepted on label input, folded by tmac.vocabulary_fold, with the entry it names';

-- Rejects a spelling that already names another entry of the same kind, so
-- label input is never ambiguous; also runs for direct INSERT/UPDATE.
CREATE FUNCTION tmac.vocabulary_validate_tokens() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  entry_kind text := CASE TG_TABLE_NAME WHEN 'level' THEN 'level'
                                  WHEN 'compartment' THEN 'compartment' ELSE 'group' END;
  self_id integer := CASE TG_TABLE_NAME WHEN 'level' THEN (to_jsonb(NEW)->>'rank')::integer
                                        WHEN 'compartment' THEN (to_jsonb(NEW)->>'compartment_id')::integer
                                        ELSE (to_jsonb(NEW)->>'group_id')::integer END;
  spellings text[] := ARRAY[NEW.code, NEW.name]
                      || CASE WHEN TG_TABLE_NAME = 'level'
                              THEN ARRAY(SELECT jsonb_array_elements_text(to_jsonb(NEW)->'aliases'))
                              ELSE '{}'::text[] END;
  clash record;
  msg text;
BEGIN
  IF array_position(spellings, NULL) IS NOT NULL THEN
    RETURN NEW;                             -- NOT NULL constraints report this
  END IF;
  FOR clash IN
    SELECT t.entry, s AS spelling
      FROM unnest(spellings) AS s
      JOIN tmac.vocabulary_token t ON t.kind = entry_kind AND t.token = tmac.vocabulary_fold(s)
     WHERE t.id <> self_id
     LIMIT 1
  LOOP
    -- one message per kind: a translation names the kind in its own words
    msg := CASE entry_kind
             WHEN 'level' THEN tmac.message('the spelling "%s" already names the level "%s"', clash.spelling, clash.entry)
             WHEN 'compartment' THEN tmac.message('the spelling "%s" already names the compartment "%s"', clash.spelling, clash.entry)
             ELSE tmac.message('the spelling "%s" already names the group "%s"', clash.spelling, clash.entry) END;
    RAISE EXCEPTION USING ERRCODE = 'duplicate_object', MESSAGE = msg,
            HINT = tmac.message('Codes, names and aliases must be unique within levels, compartments and groups (ignoring ASCII case).');
  END LOOP;
  FOR clash IN
    SELECT s FROM unnest(spellings[3:]) s WHERE NOT tmac.valid_name(s) LIMIT 1
  LOOP
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = tmac.message('invalid alias "%s"', clash.s),
            HINT = tmac.message('An alias is 1–200 bytes with no colon, comma, control character or surrounding space.');
  END LOOP;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.vocabulary_validate_tokens() IS 'Trigger: rejects a code, name or alias that already names another entry of the same kind';

-- Vocabulary entries (referenced by stored labels) and governance rows (kept as evidence) are
-- never deleted: one trigger for both, each with its own reason.
CREATE FUNCTION tmac.forbid_delete() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF TG_TABLE_NAME IN ('level', 'compartment', 'org_group') THEN
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = tmac.message('entries of tmac.%s are never deleted', TG_TABLE_NAME),
            DETAIL = tmac.message('Stored labels refer to vocabulary entries by identifier.'),
            HINT = tmac.message('Rename the entry, or stop using it in new labels.');
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
          MESSAGE = tmac.message('rows of tmac.%s are never deleted', TG_TABLE_NAME),
          DETAIL = tmac.message('tmac keeps every person, event, grant, pledge and training record as evidence.'),
          HINT = tmac.message('End, revoke or terminate instead; the history stays.');
END
$$;
COMMENT ON FUNCTION tmac.forbid_delete() IS 'Trigger: vocabulary entries (stored labels refer to them) and governance records are never deleted';

-- One shape for every register kept as evidence: its rows are never deleted, and pg_dump
-- writes them (and the sequence of its identity column, if any) with the extension's data.
CREATE FUNCTION tmac.keep_forever(tbl regclass, forbid_truncate boolean DEFAULT true) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  EXECUTE format('CREATE TRIGGER forbid_delete BEFORE DELETE ON %s
                    FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete()', tbl);
  IF forbid_truncate THEN
    EXECUTE format('CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON %s
                      FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete()', tbl);
  END IF;
  PERFORM pg_catalog.pg_extension_config_dump(tbl, '');
  PERFORM pg_catalog.pg_extension_config_dump(d.objid::regclass, '')
     FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
      AND d.refobjid = tbl AND d.deptype IN ('a', 'i')
    ORDER BY d.objid;
END
$$;
COMMENT ON FUNCTION tmac.keep_forever(regclass, boolean) IS 'Internal (install time): forbids deleting (and truncating) a register''s rows and has pg_dump keep them with its identity sequence';


-- pg_restore: CREATE EXTENSION has already inserted the built-in levels, and
-- the dump then copies every level row (a built-in one may have been renamed).
-- An insert of a rank that a built-in level holds updates that level instead.
CREATE FUNCTION tmac.level_merge_builtin() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF EXISTS (SELECT 1 FROM tmac.level WHERE rank = NEW.rank AND builtin) THEN
    UPDATE tmac.level
       SET code = NEW.code, name = NEW.name, aliases = NEW.aliases, builtin = NEW.builtin,
           defined_at = NEW.defined_at, defined_by = NEW.defined_by
     WHERE rank = NEW.rank;
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.level_merge_builtin() IS 'Trigger: lets pg_restore bring back a renamed built-in level over the one CREATE EXTENSION installed';

-- Group trees must stay trees, also when two sessions change the tree at once (GC under GD
-- in one, GD under GC in the other).  Tree changes are serialised by a SHARE ROW EXCLUSIVE
-- lock on tmac.org_group (it conflicts with itself and with every write, not with reads),
-- which tmac.move_group takes before it writes; the check then walks up from the new parent
-- locking each ancestor FOR SHARE: under READ COMMITTED it reads the committed tree of
-- whoever held the lock before, and under REPEATABLE READ or SERIALIZABLE an ancestor that
-- changed after the transaction's snapshot is a serialization failure (retry the transaction).
CREATE FUNCTION tmac.org_group_validate_parent() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  up integer := NEW.parent_id;
  depth integer := 0;
BEGIN
  IF NEW.parent_id IS NULL OR (TG_OP = 'UPDATE' AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id) THEN
    RETURN NEW;
  END IF;
  LOCK TABLE tmac.org_group IN SHARE ROW EXCLUSIVE MODE;
  WHILE up IS NOT NULL AND depth < 10000 LOOP
    IF up = NEW.group_id THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
              MESSAGE = tmac.message('group "%s" cannot be placed under one of its own descendants', NEW.code),
              HINT = tmac.message('Groups form a tree: choose a parent outside the group''s own subtree.');
    END IF;
    SELECT g.parent_id INTO up FROM tmac.org_group g WHERE g.group_id = up FOR SHARE;
    depth := depth + 1;
  END LOOP;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.org_group_validate_parent() IS 'Trigger: rejects a parent that would make the group tree a cycle; serialises tree changes (SHARE ROW EXCLUSIVE lock on tmac.org_group)';

CREATE TRIGGER a_merge_builtin BEFORE INSERT ON tmac.level
  FOR EACH ROW EXECUTE FUNCTION tmac.level_merge_builtin();
CREATE TRIGGER cycle_check BEFORE INSERT OR UPDATE OF parent_id ON tmac.org_group
  FOR EACH ROW EXECUTE FUNCTION tmac.org_group_validate_parent();
DO $t$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['level', 'compartment', 'org_group'] LOOP
    EXECUTE format('CREATE TRIGGER b_check_tokens BEFORE INSERT OR UPDATE ON tmac.%I
                      FOR EACH ROW EXECUTE FUNCTION tmac.vocabulary_validate_tokens()', t);
    PERFORM tmac.keep_forever(format('tmac.%I', t)::regclass);
  END LOOP;
END
$t$;

INSERT INTO tmac.level (rank, code, name, aliases, builtin, defined_by) VALUES
  ( 0, 'PUBLIC',       '公開',   '{}',         true, 'tmac'),
  (10, 'INTERNAL',     '社内限', '{}',         true, 'tmac'),
  (20, 'CONFIDENTIAL', '社外秘', '{対外秘}',   true, 'tmac'),
  (30, 'SECRET',       '秘',     '{}',         true, 'tmac'),
  (40, 'TOP_SECRET',   '極秘',   '{}',         true, 'tmac');


