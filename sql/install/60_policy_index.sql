-- 60_policy_index.sql — the policy functions may be answered from an index on the label column.
--
-- tmac.policy_index_support is the planner support function of row_readable and
-- row_writable (src/policy_index_support.c): on a btree index of tmac.label_btree_ops it
-- turns the policy call into the lossy index condition
-- label <= tmac.readable_upper_bound(), which the executor evaluates when the scan starts,
-- for the acting role (a view's owner through view_owner.c).  The policy call stays and
-- rechecks every row.  Only the level narrows the scan: compartments and groups are
-- decided by the recheck.

CREATE FUNCTION tmac.readable_upper_bound() RETURNS tmac.label
  AS 'MODULE_PATHNAME', 'tmac_readable_upper_bound' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.readable_upper_bound() IS
  'The greatest label of the level the acting person is cleared for (the least label when a prerequisite fails): the index bound of the row policies, evaluated when a scan starts';

CREATE FUNCTION tmac.policy_index_support(internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'tmac_policy_index_support' LANGUAGE C STRICT;
COMMENT ON FUNCTION tmac.policy_index_support(internal) IS
  'Planner support of row_readable/row_writable: on a btree index of tmac.label_btree_ops, the lossy index condition label <= tmac.readable_upper_bound()';

ALTER FUNCTION tmac.row_readable(tmac.label) SUPPORT tmac.policy_index_support;
ALTER FUNCTION tmac.row_writable(tmac.label) SUPPORT tmac.policy_index_support;
