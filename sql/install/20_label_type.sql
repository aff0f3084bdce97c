-- 20_label_type.sql — the tmac.label type, its operators and operator classes.
--
-- Volatility: comparisons, hashing, lub and label_rank read only the stored
-- identifiers and are IMMUTABLE.  Input, output, the accessors that print
-- codes, marking, dominance and glb consult the vocabulary (codes, the group
-- tree) and are STABLE.  The comparison and dominance functions raise no
-- error that depends on their arguments and are LEAKPROOF, so the planner may
-- run them ahead of row-security filters (e.g. to use an index).

CREATE TYPE tmac.label;

CREATE FUNCTION tmac.label_in(cstring) RETURNS tmac.label
  AS 'MODULE_PATHNAME', 'tmac_label_in' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tmac.label_out(tmac.label) RETURNS cstring
  AS 'MODULE_PATHNAME', 'tmac_label_out' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tmac.label_recv(internal) RETURNS tmac.label
  AS 'MODULE_PATHNAME', 'tmac_label_recv' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tmac.label_send(tmac.label) RETURNS bytea
  AS 'MODULE_PATHNAME', 'tmac_label_send' LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE TYPE tmac.label (
  INPUT = tmac.label_in,
  OUTPUT = tmac.label_out,
  RECEIVE = tmac.label_recv,
  SEND = tmac.label_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = int4,
  STORAGE = plain
);
COMMENT ON TYPE tmac.label IS
  'Classification label LEVEL[:COMPARTMENT,...[:GROUP,...]], e.g. 極秘:PRJ-A,PRJ-B:DEV; stores identifiers, prints codes';
COMMENT ON FUNCTION tmac.label_in(cstring) IS 'Text input of tmac.label: codes, Japanese names or aliases';
COMMENT ON FUNCTION tmac.label_out(tmac.label) IS 'Canonical text output of tmac.label';
COMMENT ON FUNCTION tmac.label_recv(internal) IS 'Binary input of tmac.label (codes, validated like text input)';
COMMENT ON FUNCTION tmac.label_send(tmac.label) IS 'Binary output of tmac.label (codes, portable between databases)';

-- Ordering and equality: one comparator drives them all.
CREATE FUNCTION tmac.label_cmp(tmac.label, tmac.label) RETURNS integer
  AS 'MODULE_PATHNAME', 'tmac_label_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.label_eq(tmac.label, tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_label_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.label_ne(tmac.label, tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_label_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.label_lt(tmac.label, tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_label_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.label_le(tmac.label, tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_label_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.label_gt(tmac.label, tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_label_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.label_ge(tmac.label, tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_label_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.label_hash(tmac.label) RETURNS integer
  AS 'MODULE_PATHNAME', 'tmac_label_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.label_hash_extended(tmac.label, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME', 'tmac_label_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION tmac.label_cmp(tmac.label, tmac.label) IS 'Total order of labels: by level rank, then compartments, then groups (by identifier); -1, 0 or 1';
COMMENT ON FUNCTION tmac.label_eq(tmac.label, tmac.label) IS 'Implements = for tmac.label';
COMMENT ON FUNCTION tmac.label_ne(tmac.label, tmac.label) IS 'Implements <> for tmac.label';
COMMENT ON FUNCTION tmac.label_lt(tmac.label, tmac.label) IS 'Implements < for tmac.label';
COMMENT ON FUNCTION tmac.label_le(tmac.label, tmac.label) IS 'Implements <= for tmac.label';
COMMENT ON FUNCTION tmac.label_gt(tmac.label, tmac.label) IS 'Implements > for tmac.label';
COMMENT ON FUNCTION tmac.label_ge(tmac.label, tmac.label) IS 'Implements >= for tmac.label';
COMMENT ON FUNCTION tmac.label_hash(tmac.label) IS 'Hash support for tmac.label';
COMMENT ON FUNCTION tmac.label_hash_extended(tmac.label, bigint) IS 'Seeded hash support for tmac.label (hash partitioning)';

CREATE OPERATOR tmac.= (
  LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = tmac.label_eq,
  COMMUTATOR = OPERATOR(tmac.=), NEGATOR = OPERATOR(tmac.<>),
  RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR tmac.<> (
  LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = tmac.label_ne,
  COMMUTATOR = OPERATOR(tmac.<>), NEGATOR = OPERATOR(tmac.=),
  RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR tmac.< (
  LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = tmac.label_lt,
  COMMUTATOR = OPERATOR(tmac.>), NEGATOR = OPERATOR(tmac.>=),
  RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR tmac.<= (
  LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = tmac.label_le,
  COMMUTATOR = OPERATOR(tmac.>=), NEGATOR = OPERATOR(tmac.>),
  RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR tmac.> (
  LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = tmac.label_gt,
  COMMUTATOR = OPERATOR(tmac.<), NEGATOR = OPERATOR(tmac.<=),
  RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR tmac.>= (
  LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = tmac.label_ge,
  COMMUTATOR = OPERATOR(tmac.<=), NEGATOR = OPERATOR(tmac.<),
  RESTRICT = scalargesel, JOIN = scalargejoinsel);

-- Equal labels are equal byte for byte (src/label.h: sorted ids, no padding, plain storage), so
-- btree deduplication is safe: support function 4 (equalimage) is the builtin that says yes.
CREATE OPERATOR CLASS tmac.label_btree_ops DEFAULT FOR TYPE tmac.label USING btree AS
  OPERATOR 1 tmac.<, OPERATOR 2 tmac.<=, OPERATOR 3 tmac.=, OPERATOR 4 tmac.>=, OPERATOR 5 tmac.>,
  FUNCTION 1 tmac.label_cmp(tmac.label, tmac.label),
  FUNCTION 4 pg_catalog.btequalimage(oid);
CREATE OPERATOR CLASS tmac.label_hash_ops DEFAULT FOR TYPE tmac.label USING hash AS
  OPERATOR 1 tmac.=,
  FUNCTION 1 tmac.label_hash(tmac.label),
  FUNCTION 2 tmac.label_hash_extended(tmac.label, bigint);
COMMENT ON OPERATOR CLASS tmac.label_btree_ops USING btree IS 'Default btree operator class for tmac.label';
COMMENT ON OPERATOR CLASS tmac.label_hash_ops USING hash IS 'Default hash operator class for tmac.label (also hash partitioning)';

-- Dominance: the need-to-know test.
CREATE FUNCTION tmac.dominates(tmac.label, tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_label_dominates_fn' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tmac.dominated_by(tmac.label, tmac.label) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_label_dominated_by' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION tmac.dominates(tmac.label, tmac.label) IS 'a @> b: a''s level is at least b''s, a holds all of b''s compartments, and b has no groups or a holds one of them or an ancestor of one';
COMMENT ON FUNCTION tmac.dominated_by(tmac.label, tmac.label) IS 'a <@ b: b dominates a';

CREATE OPERATOR tmac.@> (
  LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = tmac.dominates,
  COMMUTATOR = OPERATOR(tmac.<@), RESTRICT = matchingsel, JOIN = matchingjoinsel);
CREATE OPERATOR tmac.<@ (
  LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = tmac.dominated_by,
  COMMUTATOR = OPERATOR(tmac.@>), RESTRICT = matchingsel, JOIN = matchingjoinsel);
COMMENT ON OPERATOR tmac.@> (tmac.label, tmac.label) IS 'Dominates: the left label may read information carrying the right one';
COMMENT ON OPERATOR tmac.<@ (tmac.label, tmac.label) IS 'Is dominated by: information with the left label may be read by a holder of the right one';

-- The lattice.
CREATE FUNCTION tmac.lub(tmac.label, tmac.label) RETURNS tmac.label
  AS 'MODULE_PATHNAME', 'tmac_label_lub' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tmac.glb(tmac.label, tmac.label) RETURNS tmac.label
  AS 'MODULE_PATHNAME', 'tmac_label_glb' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.lub(tmac.label, tmac.label) IS 'Least upper bound: the least label that dominates both (higher level, union of compartments, union of groups), i.e. the clearance that reads both';
COMMENT ON FUNCTION tmac.glb(tmac.label, tmac.label) IS 'Greatest lower bound: the lower level, the common compartments, and the groups both sides reach (themselves or through an ancestor)';

CREATE AGGREGATE tmac.lub(tmac.label) (SFUNC = tmac.lub, STYPE = tmac.label, COMBINEFUNC = tmac.lub, PARALLEL = SAFE);
COMMENT ON AGGREGATE tmac.lub(tmac.label) IS 'The least label that dominates every input label: the clearance a reader needs to read all the rows';

-- Accessors and marking.
CREATE FUNCTION tmac.label_level(tmac.label) RETURNS text
  AS 'MODULE_PATHNAME', 'tmac_label_level' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tmac.label_rank(tmac.label) RETURNS integer
  AS 'MODULE_PATHNAME', 'tmac_label_rank' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tmac.label_compartments(tmac.label) RETURNS text[]
  AS 'MODULE_PATHNAME', 'tmac_label_compartments' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tmac.label_groups(tmac.label) RETURNS text[]
  AS 'MODULE_PATHNAME', 'tmac_label_groups' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tmac.marking(tmac.label) RETURNS text
  AS 'MODULE_PATHNAME', 'tmac_label_marking' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.label_level(tmac.label) IS 'The level code of a label';
COMMENT ON FUNCTION tmac.label_rank(tmac.label) IS 'The rank of a label''s level';
COMMENT ON FUNCTION tmac.label_compartments(tmac.label) IS 'The compartment codes of a label, in code order';
COMMENT ON FUNCTION tmac.label_groups(tmac.label) IS 'The group codes of a label, in code order';
COMMENT ON FUNCTION tmac.marking(tmac.label) IS 'The marking a document carrying the label must show, e.g. 【極秘】PRJ-A,PRJ-B（開発部限り）';
