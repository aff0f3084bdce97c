-- label_ops: ordering, dominance, the lattice, accessors and markings of tmac.label.
\set VERBOSITY terse
\set SHOW_CONTEXT never

CREATE TABLE label_ops_sample (id int PRIMARY KEY, l tmac.label);
INSERT INTO label_ops_sample VALUES
  (1, 'TOP_SECRET'), (2, 'PUBLIC'), (3, 'SECRET:PRJ-A,PRJ-B'), (4, 'SECRET:PRJ-A'),
  (5, 'SECRET'), (6, 'SECRET::DEV'), (7, 'CONFIDENTIAL'), (8, 'SECRET:PRJ-A:DEV'),
  (9, 'INTERNAL'), (10, '対外秘'), (11, 'SECRET:PRJ-A:DEV,SALES'), (12, 'SECRET:PRJ-B');

-- Total order: level rank, then compartments, then groups (by identifier:
-- PRJ-A, PRJ-B, BLUEPRINT and DEV, DEV-1, SALES were defined in that order).
SELECT id, l FROM label_ops_sample ORDER BY l, id;
SELECT id, l FROM label_ops_sample ORDER BY l DESC, id;

-- The six comparison operators agree with tmac.label_cmp.
SELECT a.l AS a, b.l AS b, tmac.label_cmp(a.l, b.l) AS cmp,
       a.l = b.l AS eq, a.l <> b.l AS ne, a.l < b.l AS lt, a.l <= b.l AS le,
       a.l > b.l AS gt, a.l >= b.l AS ge
  FROM (VALUES (1, 'SECRET'::tmac.label, 'SECRET'::tmac.label),
               (2, 'SECRET', 'TOP_SECRET'),
               (3, 'TOP_SECRET', 'SECRET:PRJ-A'),
               (4, 'SECRET:PRJ-A', 'SECRET'),
               (5, 'SECRET:PRJ-A', 'SECRET:PRJ-A,PRJ-B'),
               (6, 'SECRET:PRJ-A:DEV', 'SECRET:PRJ-A'),
               (7, '秘:プロジェクトA', 'secret:prj-a')) AS v(n, x, y),
       LATERAL (SELECT v.x AS l) a, LATERAL (SELECT v.y AS l) b
 ORDER BY v.n;
-- Every pair of the sample: the operators never contradict each other.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a.l < b.l)::int + (a.l = b.l)::int + (a.l > b.l)::int <> 1) AS not_exactly_one,
       count(*) FILTER (WHERE (a.l <= b.l) <> (a.l < b.l OR a.l = b.l)) AS le_wrong,
       count(*) FILTER (WHERE (a.l >= b.l) <> (b.l <= a.l)) AS ge_wrong,
       count(*) FILTER (WHERE (a.l <> b.l) = (a.l = b.l)) AS ne_wrong,
       count(*) FILTER (WHERE sign(tmac.label_cmp(a.l, b.l)) <> -sign(tmac.label_cmp(b.l, a.l))) AS cmp_asym
  FROM label_ops_sample a, label_ops_sample b;

-- Dominance: level, compartments, groups.
SELECT n, a, b, a @> b AS dominates, a <@ b AS dominated_by, b @> a AS reverse
  FROM (VALUES
    (1, 'SECRET'::tmac.label, 'SECRET'::tmac.label),
    (2, 'TOP_SECRET', 'SECRET'),
    (3, 'SECRET', 'TOP_SECRET'),
    (4, 'SECRET:PRJ-A,PRJ-B', 'CONFIDENTIAL:PRJ-A'),
    (5, 'SECRET:PRJ-A', 'CONFIDENTIAL:PRJ-A,PRJ-B'),
    (6, 'TOP_SECRET', 'PUBLIC:PRJ-A'),
    (7, 'SECRET:PRJ-A', 'SECRET:PRJ-B'),
    (8, 'SECRET::DEV', 'SECRET::DEV-1'),
    (9, 'SECRET::DEV-1', 'SECRET::DEV'),
    (10, 'SECRET::SALES', 'SECRET::DEV-1'),
    (11, 'SECRET', 'SECRET::DEV'),
    (12, 'SECRET::DEV', 'SECRET'),
    (13, 'SECRET::SALES', 'SECRET::DEV,SALES'),
    (14, 'SECRET::DEV', 'SECRET::DEV-1,SALES'),
    (15, 'SECRET:PRJ-A:DEV', 'SECRET:PRJ-A:DEV-1'),
    (16, 'CONFIDENTIAL:PRJ-A:DEV', 'SECRET:PRJ-A:DEV-1')
  ) AS v(n, a, b)
 ORDER BY n;

-- Everything in the sample that SECRET:PRJ-A:DEV may read.
SELECT id, l FROM label_ops_sample WHERE 'SECRET:PRJ-A:DEV'::tmac.label @> l ORDER BY id;
SELECT id, l FROM label_ops_sample WHERE l <@ 'SECRET:PRJ-A:DEV' ORDER BY id;

-- Least upper and greatest lower bounds.
SELECT n, a, b, tmac.lub(a, b) AS lub, tmac.glb(a, b) AS glb,
       tmac.lub(a, b) @> a AND tmac.lub(a, b) @> b AS lub_above,
       a @> tmac.glb(a, b) AND b @> tmac.glb(a, b) AS glb_below,
       tmac.lub(a, b) = tmac.lub(b, a) AND tmac.glb(a, b) = tmac.glb(b, a) AS symmetric
  FROM (VALUES
    (1, 'SECRET'::tmac.label, 'CONFIDENTIAL'::tmac.label),
    (2, 'SECRET:PRJ-A', 'CONFIDENTIAL:PRJ-B'),
    (3, 'SECRET:PRJ-A,PRJ-B', 'TOP_SECRET:PRJ-B,BLUEPRINT'),
    (4, 'SECRET::DEV', 'SECRET::SALES'),
    (5, 'SECRET::DEV', 'SECRET::DEV-1'),
    (6, 'SECRET::DEV', 'SECRET'),
    (7, 'PUBLIC', 'PUBLIC'),
    (8, 'INTERNAL:PRJ-A:DEV-1,SALES', 'SECRET:PRJ-A:DEV')
  ) AS v(n, a, b)
 ORDER BY n;
-- The aggregate: the least label dominating every row (the clearance that reads them all).
SELECT tmac.lub(l) AS lub_all FROM label_ops_sample;
SELECT tmac.lub(l ORDER BY id) AS lub_levels FROM label_ops_sample WHERE tmac.label_compartments(l) = '{}' AND tmac.label_groups(l) = '{}';
SELECT tmac.lub(l) AS lub_none FROM label_ops_sample WHERE false;
SELECT tmac.lub(l) AS lub_skips_nulls FROM (VALUES ('INTERNAL'::tmac.label), (NULL), ('CONFIDENTIAL:PRJ-B')) AS v(l);
-- A union past the limit of compartments is refused, not truncated.
DO $$
DECLARE
  a tmac.label;
  b tmac.label;
BEGIN
  FOR i IN 1 .. 130 LOOP
    PERFORM tmac.define_compartment('OPS-C' || i, 'ops compartment ' || i);
  END LOOP;
  a := ('SECRET:' || (SELECT string_agg('OPS-C' || i, ',') FROM generate_series(1, 70) i))::tmac.label;
  b := ('SECRET:' || (SELECT string_agg('OPS-C' || i, ',') FROM generate_series(61, 130) i))::tmac.label;
  RAISE NOTICE 'a has %, b has %, glb has %', cardinality(tmac.label_compartments(a)),
    cardinality(tmac.label_compartments(b)), cardinality(tmac.label_compartments(tmac.glb(a, b)));
  PERFORM tmac.lub(a, b);
END
$$;
\echo :LAST_ERROR_SQLSTATE

-- Accessors.
SELECT l, tmac.label_level(l) AS level, tmac.label_rank(l) AS rank,
       tmac.label_compartments(l) AS compartments, tmac.label_groups(l) AS groups
  FROM label_ops_sample ORDER BY id;

-- Markings: the level's Japanese name in 【】, compartments, then groups (by name).
SELECT l, tmac.marking(l) AS marking
  FROM (VALUES (1, '極秘:PRJ-A'::tmac.label), (2, 'CONFIDENTIAL'), (3, 'SECRET:PRJ-B,PRJ-A'),
               (4, 'SECRET::DEV'), (5, 'TOP_SECRET:BLUEPRINT:DEV-1,SALES'), (6, 'PUBLIC'),
               (7, '対外秘:PRJ-A:DEV')) AS v(n, l)
 ORDER BY n;

-- NULL in, NULL out (all STRICT; only the policy functions row_readable and row_writable are
-- called on NULL, to refuse an unlabelled row and count it as hidden: explainleak_null_label.sql).
SELECT tmac.lub(NULL, 'SECRET') IS NULL AS lub, tmac.glb('SECRET', NULL) IS NULL AS glb,
       tmac.marking(NULL) IS NULL AS marking, tmac.label_level(NULL) IS NULL AS level,
       tmac.label_rank(NULL) IS NULL AS rank, tmac.label_compartments(NULL) IS NULL AS compartments,
       tmac.label_groups(NULL) IS NULL AS groups, tmac.label_cmp(NULL, 'SECRET') IS NULL AS cmp,
       ('SECRET'::tmac.label @> NULL) IS NULL AS dominates, (NULL <@ 'SECRET'::tmac.label) IS NULL AS dominated_by,
       ('SECRET'::tmac.label = NULL) IS NULL AS eq, ('SECRET'::tmac.label < NULL) IS NULL AS lt;
SELECT p.proname
  FROM pg_proc p
 WHERE p.pronamespace = 'tmac'::regnamespace
   AND ('tmac.label'::regtype = ANY (p.proargtypes) OR p.prorettype = 'tmac.label'::regtype)
   AND p.prokind = 'f' AND NOT p.proisstrict
 ORDER BY 1;

DROP TABLE label_ops_sample;
