-- 30_vocabulary_api.sql — defining and renaming levels, compartments and groups.
--
-- These are the only supported way to change the vocabulary.  They run as the
-- extension owner (SECURITY DEFINER, pinned search_path) and are granted to
-- tmac_admin only.  Renames also rewrite the tmac security labels on tables,
-- columns and schemas, which PostgreSQL stores as text.  Wherever an argument
-- names an existing entry (a parent group, the group to move, the entry to
-- rename), its code, name or alias is accepted, as in label input.

CREATE FUNCTION tmac.require_arguments(fn text, VARIADIC args text[]) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  i integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(args, 1), 0) BY 2 LOOP
    IF args[i + 1] IS NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
        MESSAGE = tmac.message('%s: %s must not be null', fn, args[i]);
    END IF;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.require_arguments(text, text[]) IS 'Raises null_value_not_allowed naming the first null argument; takes (name, value) pairs';

CREATE FUNCTION tmac.validate_entry(kind text, code text, name text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  bad_code boolean := tmac.valid_code(code) IS FALSE;
  msg text;
BEGIN
  IF NOT bad_code AND (name IS NULL OR tmac.valid_name(name) IS NOT FALSE) THEN
    RETURN;
  END IF;
  -- one message per kind (level, compartment, group) and field: a translation names the kind in its own words
  msg := CASE WHEN bad_code THEN
           CASE kind WHEN 'level' THEN tmac.message('invalid level code "%s"', code)
                     WHEN 'compartment' THEN tmac.message('invalid compartment code "%s"', code)
                     ELSE tmac.message('invalid group code "%s"', code) END
         ELSE
           CASE kind WHEN 'level' THEN tmac.message('invalid level name "%s"', name)
                     WHEN 'compartment' THEN tmac.message('invalid compartment name "%s"', name)
                     ELSE tmac.message('invalid group name "%s"', name) END END;
  RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = msg,
    HINT = CASE WHEN bad_code
                THEN tmac.message('A code is 1–63 ASCII letters, digits, "_", "." or "-", starting with a letter or digit; put Japanese in the name.')
                ELSE tmac.message('A name is 1–200 bytes with no colon, comma, control character or surrounding space.') END;
END
$$;
COMMENT ON FUNCTION tmac.validate_entry(text, text, text) IS 'Raises invalid_parameter_value unless the code (and the name, when given) are valid for a vocabulary entry';

-- An entry of the kind whose code folds to the same as the one being defined: error 42710.
CREATE FUNCTION tmac.refuse_existing_entry(kind text, code text) RETURNS void
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  existing text := CASE kind
    WHEN 'level' THEN (SELECT l.code FROM tmac.level l
                        WHERE tmac.vocabulary_fold(l.code) = tmac.vocabulary_fold(refuse_existing_entry.code) LIMIT 1)
    WHEN 'compartment' THEN (SELECT c.code FROM tmac.compartment c
                              WHERE tmac.vocabulary_fold(c.code) = tmac.vocabulary_fold(refuse_existing_entry.code) LIMIT 1)
    ELSE (SELECT g.code FROM tmac.org_group g
           WHERE tmac.vocabulary_fold(g.code) = tmac.vocabulary_fold(refuse_existing_entry.code) LIMIT 1) END;
  msg text;
  hint text;
BEGIN
  IF existing IS NULL THEN
    RETURN;
  END IF;
  -- one message per kind (level, compartment, group): a translation names the kind in its own words
  msg := CASE kind WHEN 'level' THEN tmac.message('level "%s" already exists', existing)
                   WHEN 'compartment' THEN tmac.message('compartment "%s" already exists', existing)
                   ELSE tmac.message('group "%s" already exists', existing) END;
  hint := CASE kind WHEN 'level' THEN tmac.message('Use tmac.rename_level to change its code.')
                    WHEN 'compartment' THEN tmac.message('Use tmac.rename_compartment to change its code.')
                    ELSE tmac.message('Use tmac.rename_group or tmac.move_group to change it.') END;
  RAISE EXCEPTION USING ERRCODE = 'duplicate_object', MESSAGE = msg, HINT = hint;
END
$$;
COMMENT ON FUNCTION tmac.refuse_existing_entry(text, text) IS 'Internal (define_level, define_compartment, define_group): error 42710 naming the entry of the kind whose code folds to the same';

CREATE FUNCTION tmac.define_level(code text, rank integer, name text, aliases text[] DEFAULT '{}')
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  existing text;
BEGIN
  PERFORM tmac.require_arguments('define_level', 'code', code, 'rank', rank::text, 'name', name);
  PERFORM tmac.validate_entry('level', code, name);
  IF rank < 0 OR rank > 32767 THEN
    RAISE EXCEPTION USING ERRCODE = 'numeric_value_out_of_range',
      MESSAGE = tmac.message('level rank %s is out of range', rank), HINT = tmac.message('A rank is between 0 and 32767.');
  END IF;
  PERFORM tmac.refuse_existing_entry('level', code);
  SELECT l.code INTO existing FROM tmac.level l WHERE l.rank = define_level.rank;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
      MESSAGE = tmac.message('level rank %s is already used by level "%s"', rank, existing),
      HINT = tmac.message('Each level has its own rank; pick a free one.');
  END IF;
  INSERT INTO tmac.level (rank, code, name, aliases)
  VALUES (rank, code, name, coalesce(aliases, '{}'));
END
$$;
COMMENT ON FUNCTION tmac.define_level(text, integer, text, text[]) IS 'Defines a classification level: code, rank (higher dominates lower), Japanese name, other accepted spellings';

CREATE FUNCTION tmac.define_compartment(code text, name text, description text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('define_compartment', 'code', code, 'name', name);
  PERFORM tmac.validate_entry('compartment', code, name);
  PERFORM tmac.refuse_existing_entry('compartment', code);
  INSERT INTO tmac.compartment (code, name, description) VALUES (code, name, description);
END
$$;
COMMENT ON FUNCTION tmac.define_compartment(text, text, text) IS 'Defines a need-to-know compartment (関係者限り): a project, an entrusted customer''s information, a product line';

-- The group define_group and move_group name as the parent (NULL: a root), or error 42704.
CREATE FUNCTION tmac.parent_group_id(parent text) RETURNS integer
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id integer;
BEGIN
  IF parent IS NOT NULL THEN
    id := tmac.vocabulary_id('group', parent, true);
    IF id IS NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'undefined_object',
        MESSAGE = tmac.message('unknown parent group "%s"', parent),
        HINT = tmac.message('Define the parent first with tmac.define_group.');
    END IF;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.parent_group_id(text) IS 'Internal (define_group, move_group): the id of the group named as parent (NULL for none), or error 42704 naming it';

CREATE FUNCTION tmac.define_group(code text, name text, parent text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  parent_group integer;
BEGIN
  PERFORM tmac.require_arguments('define_group', 'code', code, 'name', name);
  PERFORM tmac.validate_entry('group', code, name);
  -- A tree change (see tmac.org_group_validate_parent): lock before the INSERT's own lock, so that
  -- two definitions wait for each other instead of deadlocking on the trigger's lock.
  LOCK TABLE tmac.org_group IN SHARE ROW EXCLUSIVE MODE;
  PERFORM tmac.refuse_existing_entry('group', code);
  parent_group := tmac.parent_group_id(parent);
  INSERT INTO tmac.org_group (code, name, parent_id) VALUES (code, name, parent_group);
END
$$;
COMMENT ON FUNCTION tmac.define_group(text, text, text) IS 'Defines an organisation group (部・課) under an optional parent group';

CREATE FUNCTION tmac.move_group(code text, parent text)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  parent_group integer;
  moved integer;
BEGIN
  PERFORM tmac.require_arguments('move_group', 'code', code);
  -- Tree changes are serialised (see tmac.org_group_validate_parent); taking the lock before the
  -- UPDATE's own ROW EXCLUSIVE lock means two moves wait for each other instead of deadlocking.
  LOCK TABLE tmac.org_group IN SHARE ROW EXCLUSIVE MODE;
  parent_group := tmac.parent_group_id(parent);
  moved := tmac.vocabulary_id('group', move_group.code, true);
  IF moved IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = tmac.message('unknown group "%s"', code);
  END IF;
  UPDATE tmac.org_group g SET parent_id = parent_group WHERE g.group_id = moved;
END
$$;
COMMENT ON FUNCTION tmac.move_group(text, text) IS 'Places a group under another parent (NULL: a root); a move that would create a cycle is rejected';

-- What depends on a label's hash (src/label_compare.c), which follows the codes a label
-- names: indexes that store it (rebuilt after a rename) and partitioned tables that route rows
-- by it (their rows would stay in the partitions of the old codes).  A key hashes labels when
-- it is hashed (hash index, PARTITION BY HASH) and its type holds a tmac.label at any depth (a
-- domain over it, an array, composite, range or multirange of such: their hash functions hash
-- each element or field with tmac's), or when its expression calls tmac.label_hash or
-- label_hash_extended (directly, through an operator, or through a function whose BEGIN ATOMIC
-- body does: whatever the index or partitioning method).  other_session: a temporary relation
-- of another session, which cannot be rebuilt or dropped from here and ends with its session
-- (parallel restricted: a parallel worker has no temporary schema of its own).
CREATE FUNCTION tmac.label_hash_dependents()
  RETURNS TABLE (relid regclass, partitioned boolean, other_session boolean)
  LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
  WITH RECURSIVE
    type_edge(child, parent) AS (
      SELECT y.typelem, y.oid FROM pg_catalog.pg_type y WHERE y.typelem <> 0
      UNION ALL
      SELECT y.typbasetype, y.oid FROM pg_catalog.pg_type y WHERE y.typbasetype <> 0
      UNION ALL
      SELECT a.atttypid, c.reltype FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       WHERE c.reltype <> 0 AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL
      SELECT r.rngsubtype, r.rngtypid FROM pg_catalog.pg_range r
      UNION ALL
      SELECT r.rngsubtype, r.rngmultitypid FROM pg_catalog.pg_range r
    ),
    label_type(oid) AS (
      SELECT 'tmac.label'::pg_catalog.regtype::pg_catalog.oid
      UNION
      SELECT e.parent FROM label_type t JOIN type_edge e ON e.child = t.oid
    ),
    hash_caller(classid, oid) AS (
      SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, f.oid
        FROM pg_catalog.pg_proc f
       WHERE f.oid IN ('tmac.label_hash(tmac.label)'::pg_catalog.regprocedure,
                       'tmac.label_hash_extended(tmac.label, bigint)'::pg_catalog.regprocedure)
      UNION
      SELECT d.classid, d.objid FROM hash_caller h
        JOIN pg_catalog.pg_depend d ON d.refclassid = h.classid AND d.refobjid = h.oid
       WHERE d.classid IN ('pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_operator'::pg_catalog.regclass)
    ),
    dependent(relid, partitioned) AS (
      -- hash indexes on a column of a type holding a label, or an expression over one (the
      -- columns an index reads are its dependencies; a hash index stores only hash codes)
      SELECT i.indexrelid, false
        FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
        JOIN pg_catalog.pg_am m ON m.oid = c.relam
       WHERE m.amname = 'hash'
         AND EXISTS (SELECT FROM pg_catalog.pg_depend d
                       JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = i.indexrelid
                        AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = i.indrelid
                        AND a.atttypid IN (SELECT l.oid FROM label_type l))
      UNION
      -- hash-partitioned tables on a column of such a type, or an expression over one
      SELECT p.partrelid, true
        FROM pg_catalog.pg_partitioned_table p
       WHERE p.partstrat = 'h'
         AND EXISTS (SELECT FROM pg_catalog.pg_attribute a
                      WHERE a.attrelid = p.partrelid AND a.atttypid IN (SELECT l.oid FROM label_type l)
                        AND (a.attnum = ANY (p.partattrs::pg_catalog.int2[])
                             OR EXISTS (SELECT FROM pg_catalog.pg_depend d
                                         WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                           AND d.objid = p.partrelid AND d.objsubid = a.attnum
                                           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                           AND d.refobjid = p.partrelid AND d.refobjsubid = 0 AND d.deptype = 'i')))
      UNION
      -- indexes and partitioned tables (any method) whose expressions call tmac's hash
      SELECT d.objid, c.relkind = 'p'
        FROM hash_caller h
        JOIN pg_catalog.pg_depend d ON d.refclassid = h.classid AND d.refobjid = h.oid
        JOIN pg_catalog.pg_class c ON c.oid = d.objid
       WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
         AND (c.relkind IN ('i', 'I') OR (c.relkind = 'p' AND d.objsubid = 0))
    )
  SELECT x.relid::pg_catalog.regclass, x.partitioned,
         c.relpersistence = 't' AND c.relnamespace <> pg_catalog.pg_my_temp_schema()
    FROM dependent x JOIN pg_catalog.pg_class c ON c.oid = x.relid
   ORDER BY 2, 1;
END;
COMMENT ON FUNCTION tmac.label_hash_dependents() IS 'Hash indexes and hash-partitioned tables whose key holds a tmac.label (in a domain, array, composite or range too), and indexes and partitioned tables whose expressions call tmac.label_hash: what a change of a vocabulary code (the hash follows codes) affects; other_session marks another session''s temporary relations';

-- Rewrites every tmac security label after a rename: each stored text is
-- parsed before the rename (while its old codes still resolve) and written
-- back afterwards in canonical form.
CREATE FUNCTION tmac.rename_entry(kind text, old text, new text)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  existing text;
  old_id integer;
  obj record;
  labels tmac.label[] := '{}';
  targets text[] := '{}';
  i integer;
  msg text;
BEGIN
  PERFORM tmac.require_arguments('rename_' || kind, 'old', old, 'new', new);
  PERFORM tmac.validate_entry(kind, new);
  old_id := tmac.vocabulary_id(kind, old, true);
  IF old_id IS NULL THEN
    msg := CASE kind WHEN 'level' THEN tmac.message('unknown level "%s"', old)
                          WHEN 'compartment' THEN tmac.message('unknown compartment "%s"', old)
                          ELSE tmac.message('unknown group "%s"', old) END;
    RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = msg,
      HINT = tmac.message('Give the code, name or alias of the entry to rename.');
  END IF;
  SELECT t.entry INTO existing FROM tmac.vocabulary_token t
   WHERE t.kind = rename_entry.kind AND t.id = tmac.vocabulary_id(rename_entry.kind, rename_entry.new, true) AND t.id <> old_id
   LIMIT 1;
  IF FOUND THEN
    msg := CASE kind WHEN 'level' THEN tmac.message('level "%s" already exists', existing)
                          WHEN 'compartment' THEN tmac.message('compartment "%s" already exists', existing)
                          ELSE tmac.message('group "%s" already exists', existing) END;
    RAISE EXCEPTION USING ERRCODE = 'duplicate_object', MESSAGE = msg;
  END IF;

  SELECT pg_catalog.string_agg(d.relid::text, ', ') INTO existing FROM tmac.label_hash_dependents() d
   WHERE d.partitioned AND NOT d.other_session;
  IF existing IS NOT NULL THEN
    msg := CASE kind
              WHEN 'level' THEN tmac.message('cannot rename level "%s" while tables are hash-partitioned on a tmac.label column: %s', old, existing)
              WHEN 'compartment' THEN tmac.message('cannot rename compartment "%s" while tables are hash-partitioned on a tmac.label column: %s', old, existing)
              ELSE tmac.message('cannot rename group "%s" while tables are hash-partitioned on a tmac.label column: %s', old, existing) END;
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state', MESSAGE = msg,
            DETAIL = tmac.message('A label''s hash follows the codes it names, so the rows already stored would be in the wrong partitions.'),
            HINT = tmac.message('Partition them by LIST or RANGE on the label (or by hash on another column), or copy their rows out (CREATE TABLE … AS SELECT * FROM …) and drop them; rename, then create them again and insert the rows through the partitioned table.');
  END IF;
  -- Another session's temporary relations cannot be rebuilt (nor dropped) from here, and end with
  -- their session: left as they are, so that no login can veto a rename.
  SELECT pg_catalog.string_agg(d.relid::text, ', ') INTO existing FROM tmac.label_hash_dependents() d WHERE d.other_session;
  IF existing IS NOT NULL THEN
    RAISE WARNING USING MESSAGE = tmac.message('the temporary relations of other sessions that hash labels are left as they are: %s', existing),
            DETAIL = tmac.message('They cannot be rebuilt from this session; until their session ends, their hash indexes miss rows under the new code and their hash partitions hold rows in the wrong partitions.'),
            HINT = tmac.message('Those sessions drop and create them again, or end.');
  END IF;

  FOR obj IN
    SELECT s.label, o.type, o.identity
      FROM pg_catalog.pg_seclabel s,
           LATERAL pg_catalog.pg_identify_object(s.classoid, s.objoid, s.objsubid) o
     WHERE s.provider = 'tmac'
  LOOP
    labels := labels || obj.label::tmac.label;
    targets := targets || format('%s %s', upper(replace(obj.type, 'table column', 'column')), obj.identity);
  END LOOP;

  IF kind = 'level' THEN
    UPDATE tmac.level l SET code = new WHERE l.rank = old_id;
  ELSIF kind = 'compartment' THEN
    UPDATE tmac.compartment c SET code = new WHERE c.compartment_id = old_id;
  ELSE
    UPDATE tmac.org_group g SET code = new WHERE g.group_id = old_id;
  END IF;

  FOR i IN 1 .. coalesce(array_length(labels, 1), 0) LOOP
    EXECUTE format('SECURITY LABEL FOR tmac ON %s IS %L', targets[i], labels[i]::text);
  END LOOP;
  -- hashes follow codes: rebuild the hash indexes on labels (REINDEX evaluates an index's
  -- expressions as its table's owner)
  -- (a partitioned index is left out: its partitions' indexes are rebuilt one by one, and
  -- REINDEX of a partitioned index cannot run in a function)
  FOR obj IN SELECT d.relid FROM tmac.label_hash_dependents() d JOIN pg_catalog.pg_class c ON c.oid = d.relid
              WHERE NOT d.partitioned AND NOT d.other_session AND c.relkind = 'i' LOOP
    EXECUTE format('REINDEX INDEX %s', obj.relid);
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.rename_entry(text, text, text) IS 'Renames a vocabulary entry''s code, rewrites tmac security labels and rebuilds hash indexes on labels (refused while a table is hash-partitioned on a label); use rename_level, rename_compartment or rename_group';

CREATE FUNCTION tmac.rename_level(old text, new text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  RETURN tmac.rename_entry('level', old, new);
COMMENT ON FUNCTION tmac.rename_level(text, text) IS 'Changes a level''s code; stored labels keep their meaning and print the new code';

CREATE FUNCTION tmac.rename_compartment(old text, new text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  RETURN tmac.rename_entry('compartment', old, new);
COMMENT ON FUNCTION tmac.rename_compartment(text, text) IS 'Changes a compartment''s code; stored labels keep their meaning and print the new code';

CREATE FUNCTION tmac.rename_group(old text, new text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  RETURN tmac.rename_entry('group', old, new);
COMMENT ON FUNCTION tmac.rename_group(text, text) IS 'Changes a group''s code; stored labels keep their meaning and print the new code';
