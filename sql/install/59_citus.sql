-- 59_citus.sql — tmac on a Citus cluster (src/citus.c; README "Running on Citus").
--
-- Governance lives on the coordinator; a protected table stays a local table there.  Citus
-- copies a table's policies to its shards without AS RESTRICTIVE, so a protected table that
-- Citus manages would be read unfiltered on every worker: tmac.protect refuses such a table
-- (61_protect.sql), src/citus.c refuses distributing a protected one, and
-- protected_table_unenforced reports one that got there anyway.

CREATE FUNCTION tmac.citus_managed(tbl regclass) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_citus_managed' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION tmac.citus_managed(regclass) IS 'Internal (protect, protected_table_unenforced): true when Citus manages the table (a distributed, reference or Citus local table); false where Citus is not installed';
