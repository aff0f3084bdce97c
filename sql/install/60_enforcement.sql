-- 60_enforcement.sql — the row decisions (C) behind protected tables' policies.
--
-- row_readable/row_writable take the row's label only and decide for the
-- acting role (current_user) from a per-backend cache of its access profile
-- (src/profile_cache.c says what invalidates it).  Read through a view without
-- security_invoker, they decide for the view's owner instead: tmac's planner
-- hook adds the owner's OID as a second argument to these calls (such a
-- view acts as its owner).  They are called on NULL (a row without a label is
-- refused, and counted as hidden for EXPLAIN ANALYZE), STABLE and
-- PARALLEL SAFE (a parallel worker runs as the leader's user and fills its own
-- cache).  They are not LEAKPROOF: filling the cache runs a query that may
-- fail, and nothing is gained, because a policy's own quals are always
-- evaluated before the user's.  can_read/can_write are the same decisions
-- under names meant for people.

CREATE FUNCTION tmac.row_readable(tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_row_readable' LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.row_readable(tmac.label) IS 'Policy check: may the acting person read a row with this label';
CREATE FUNCTION tmac.row_writable(tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_row_writable' LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.row_writable(tmac.label) IS 'Policy check: may the acting person write a row with this label (write grants on every compartment, level within clearance)';
CREATE FUNCTION tmac.can_read(lbl tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_row_readable' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.can_read(tmac.label) IS 'True when the acting person (current_user) may read information with this label';
CREATE FUNCTION tmac.can_write(lbl tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_row_writable' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.can_write(tmac.label) IS 'True when the acting person (current_user) may write information with this label';

CREATE FUNCTION tmac.explain_access(person_id text, lbl tmac.label)
  RETURNS TABLE ("check" text, passed boolean, reason text)
  AS 'MODULE_PATHNAME', 'tmac_explain_access' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION tmac.explain_access(text, tmac.label) IS 'One row per access check (active, clearance, each compartment, group, pledge, training) with its outcome and reason; for one''s own person, or for members of tmac_access_admin, tmac_auditor, tmac_admin';

CREATE FUNCTION tmac.deny_reason_as(login_role name, lbl tmac.label) RETURNS text
  AS 'MODULE_PATHNAME', 'tmac_deny_reason_as' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION tmac.deny_reason_as(name, tmac.label) IS 'NULL when the role may read the label, else the first failing check (inactive, pledge, training, clearance, compartment, group, unmapped)';

CREATE FUNCTION tmac.declassify_guard() RETURNS trigger
  AS 'MODULE_PATHNAME', 'tmac_declassify_guard' LANGUAGE C;
COMMENT ON FUNCTION tmac.declassify_guard() IS 'Trigger on protected tables: lowering a level or removing a compartment or group needs tmac_declassifier and is audited';

-- The policy functions may be answered from an index on the label column.
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
COMMENT ON FUNCTION tmac.readable_upper_bound() IS 'The greatest label of the level the acting person is cleared for (the least label when a prerequisite fails): the index bound of the row policies, evaluated when a scan starts';

CREATE FUNCTION tmac.policy_index_support(internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'tmac_policy_index_support' LANGUAGE C STRICT;
COMMENT ON FUNCTION tmac.policy_index_support(internal) IS 'Planner support of row_readable/row_writable: on a btree index of tmac.label_btree_ops, the lossy index condition label <= tmac.readable_upper_bound()';

ALTER FUNCTION tmac.row_readable(tmac.label) SUPPORT tmac.policy_index_support;
ALTER FUNCTION tmac.row_writable(tmac.label) SUPPORT tmac.policy_index_support;
