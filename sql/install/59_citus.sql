-- 59_citus.sql — tmac on a Citus cluster (src/citus.c; README "Running on Citus").
--
-- Governance lives on the coordinator.  Citus copies a table's policies to its shards without
-- AS RESTRICTIVE, so a protected table in tmac's local shape that Citus manages would be read
-- unfiltered on every worker: tmac.protect refuses such a table (61_protect.sql), src/citus.c
-- refuses distributing a protected one, and protected_table_unenforced reports one that got
-- there anyway.  The exception is a hash-distributed table with the one policy tmac_shard_read,
-- decided on every worker from the profile the coordinator signs per statement
-- (src/citus_profile.c; below).

CREATE FUNCTION tmac.citus_managed(tbl regclass) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_citus_managed' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION tmac.citus_managed(regclass) IS
  'Internal (protect, protected_table_unenforced): true when Citus manages the table (a distributed, reference or Citus local table); false where Citus is not installed';

-- Protected tables distributed by Citus (src/citus_profile.c): one policy of tmac's on the table
-- and its shards, tmac_shard_read USING (tmac.shard_row_readable(label)), decided on each worker
-- from the profile the coordinator signs for each statement and attaches as
-- tmac.citus_statement('<blob>').

CREATE FUNCTION tmac.citus_statement(blob text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_citus_statement' LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION tmac.citus_statement(text) IS
  'Internal (the coordinator''s planner adds it to every statement reading a protected distributed table): true once the signed profile it carries is verified for this statement, role and database; error 42501 otherwise';

CREATE FUNCTION tmac.shard_row_readable(tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_shard_row_readable' LANGUAGE C STABLE;
COMMENT ON FUNCTION tmac.shard_row_readable(tmac.label) IS
  'Read policy of a protected distributed table and its shards: decides from the profile the coordinator signed for this statement only; error 42501 in a statement without one';

CREATE FUNCTION tmac.citus_vocabulary_digest() RETURNS text
  AS 'MODULE_PATHNAME', 'tmac_citus_vocabulary_digest' LANGUAGE C STABLE;
COMMENT ON FUNCTION tmac.citus_vocabulary_digest() IS
  'SHA-256 (hex) of this node''s vocabulary in its text form: what every worker must have equal to the coordinator''s';

CREATE FUNCTION tmac.citus_hash_distributed(tbl regclass) RETURNS boolean
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF NOT tmac.citus_managed(tbl) THEN
    RETURN false;
  END IF;
  RETURN EXISTS (SELECT FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid = tbl AND p.partmethod = 'h');
END
$$;
COMMENT ON FUNCTION tmac.citus_hash_distributed(regclass) IS
  'Internal (protect): true when Citus hash-distributes the table';

-- Replaces this worker's vocabulary with the coordinator's text form (tmac.vocabulary_copy_text()),
-- ids included; false when it is that already.
CREATE FUNCTION tmac.citus_vocabulary_load(copy text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  f text[];
  lines text[];
BEGIN
  PERFORM tmac.require_arguments('citus_vocabulary_load', 'copy', copy);
  IF tmac.citus_coordinator() OR NOT EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname = 'citus') THEN
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
      MESSAGE = tmac.message('tmac.citus_vocabulary_load() runs on a Citus worker only'),
      HINT = tmac.message('Define the vocabulary on the coordinator, then run SELECT tmac.citus_vocabulary_push() there.');
  END IF;
  IF tmac.vocabulary_copy_text() = copy THEN
    RETURN false;
  END IF;
  lines := pg_catalog.string_to_array(copy, E'\n');
  IF lines[1] IS DISTINCT FROM 'tmac vocabulary 1' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('not a vocabulary in tmac''s text form'),
      HINT = tmac.message('Run SELECT tmac.citus_vocabulary_push() on the coordinator.');
  END IF;
  DELETE FROM tmac.level l WHERE l.rank::text <> ALL (SELECT pg_catalog.split_part(x, E'\t', 2) FROM pg_catalog.unnest(lines) x WHERE x LIKE E'L\t%');
  DELETE FROM tmac.compartment c WHERE c.compartment_id::text <> ALL (SELECT pg_catalog.split_part(x, E'\t', 2) FROM pg_catalog.unnest(lines) x WHERE x LIKE E'C\t%');
  DELETE FROM tmac.org_group g WHERE g.group_id::text <> ALL (SELECT pg_catalog.split_part(x, E'\t', 2) FROM pg_catalog.unnest(lines) x WHERE x LIKE E'G\t%');
  UPDATE tmac.org_group SET parent_id = NULL WHERE parent_id IS NOT NULL;
  FOR i IN 2 .. pg_catalog.cardinality(lines) LOOP
    f := pg_catalog.string_to_array(lines[i], E'\t');
    IF f[1] = 'L' THEN
      INSERT INTO tmac.level AS l (rank, code, name, aliases)
      VALUES (f[2]::smallint, f[3], f[4], coalesce(f[5:], '{}'))
      ON CONFLICT (rank) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, aliases = EXCLUDED.aliases
        WHERE (l.code, l.name, l.aliases) IS DISTINCT FROM (EXCLUDED.code, EXCLUDED.name, EXCLUDED.aliases);
    ELSIF f[1] = 'C' THEN
      INSERT INTO tmac.compartment AS c (compartment_id, code, name) VALUES (f[2]::integer, f[3], f[4])
      ON CONFLICT (compartment_id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name
        WHERE (c.code, c.name) IS DISTINCT FROM (EXCLUDED.code, EXCLUDED.name);
    ELSIF f[1] = 'G' THEN
      INSERT INTO tmac.org_group AS g (group_id, code, name) VALUES (f[2]::integer, f[4], f[5])
      ON CONFLICT (group_id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name
        WHERE (g.code, g.name) IS DISTINCT FROM (EXCLUDED.code, EXCLUDED.name);
    END IF;
  END LOOP;
  FOR i IN 2 .. pg_catalog.cardinality(lines) LOOP
    f := pg_catalog.string_to_array(lines[i], E'\t');
    IF f[1] = 'G' AND f[3] <> '0' THEN
      UPDATE tmac.org_group SET parent_id = f[3]::integer WHERE group_id = f[2]::integer;
    END IF;
  END LOOP;
  PERFORM pg_catalog.setval('tmac.compartment_id_seq', greatest((SELECT max(compartment_id) FROM tmac.compartment), 1));
  PERFORM pg_catalog.setval('tmac.org_group_id_seq', greatest((SELECT max(group_id) FROM tmac.org_group), 1));
  IF tmac.vocabulary_copy_text() IS DISTINCT FROM copy THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('this node''s vocabulary could not be made equal to the coordinator''s');
  END IF;
  RETURN true;
END
$$;
COMMENT ON FUNCTION tmac.citus_vocabulary_load(text) IS
  'On a Citus worker (run by tmac.citus_vocabulary_push): makes this node''s vocabulary the coordinator''s, ids included; false when it is already';

-- Copies the coordinator's vocabulary to every worker (Citus's run_command_on_workers, as the
-- caller): the profiles the coordinator signs carry its digest, and a worker whose vocabulary
-- differs refuses them.  Returns the number of workers changed.
CREATE FUNCTION tmac.citus_vocabulary_push() RETURNS integer
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  r record;
  changed integer := 0;
BEGIN
  IF NOT tmac.citus_coordinator() THEN
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
      MESSAGE = tmac.message('tmac.citus_vocabulary_push() runs on the Citus coordinator only'),
      HINT = tmac.message('Connect to the coordinator.');
  END IF;
  FOR r IN EXECUTE 'SELECT w.nodename, w.nodeport, w.success, w.result FROM pg_catalog.run_command_on_workers($1) w'
             USING pg_catalog.format('SELECT tmac.citus_vocabulary_load(%L)', tmac.vocabulary_copy_text()) LOOP
    IF NOT r.success THEN
      RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
        MESSAGE = tmac.message('copying the vocabulary to worker %s:%s failed: %s', r.nodename, r.nodeport, r.result);
    END IF;
    IF r.result = 't' THEN
      changed := changed + 1;
    END IF;
  END LOOP;
  RETURN changed;
END
$$;
COMMENT ON FUNCTION tmac.citus_vocabulary_push() IS
  'On the Citus coordinator: copies its vocabulary (ids included) to every worker, which protected distributed tables need; returns how many workers changed';

CREATE FUNCTION tmac.citus_shard_shape(tbl regclass) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_citus_shard_shape_sql' LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION tmac.citus_shard_shape(regclass) IS
  'True when a table (or a shard) carries exactly the shape of a protected distributed table: row security enabled and forced, and the one policy tmac_shard_read as tmac installs it';

CREATE FUNCTION tmac.citus_coordinator() RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_citus_coordinator_sql' LANGUAGE C STABLE;
COMMENT ON FUNCTION tmac.citus_coordinator() IS
  'True on the Citus coordinator (group 0); false on a worker or where Citus is not installed';

-- Distributes a protected table by hash: tmac's policies become the one policy Citus copies to
-- the shards intact (tmac_shard_read), then create_distributed_table.  Refused for a table with
-- policies of its own (a permissive one would widen tmac's decision on the shards), with
-- partitions or children, or not protected.  The caller must own the table.
CREATE FUNCTION tmac.citus_distribute(tbl regclass, distribution_column text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  col name;
BEGIN
  PERFORM tmac.require_arguments('citus_distribute', 'tbl', tbl::text, 'distribution_column', distribution_column);
  SELECT p.label_column INTO col FROM tmac.protected_table p WHERE p.relid = tbl;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('table "%s" is not protected by tmac', tbl),
      HINT = tmac.message('Distribute it with create_distributed_table, or protect it first.');
  END IF;
  PERFORM tmac.citus_shard_shape_allowed(tbl);
  IF tmac.citus_managed(tbl) THEN
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
      MESSAGE = tmac.message('table "%s" is distributed by Citus already', tbl);
  END IF;
  -- the workers need the vocabulary before the rows: their labels are read there
  PERFORM tmac.citus_vocabulary_push();
  PERFORM tmac.remove_protection(tbl);
  PERFORM tmac.apply_shard_protection(tbl, col);
  EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2)' USING tbl, distribution_column;
END
$$;
COMMENT ON FUNCTION tmac.citus_distribute(regclass, text) IS
  'Distributes a protected table by hash with Citus: its tmac policies become the one policy tmac_shard_read, which Citus copies to the shards intact';
