-- label_dominance_setup.sql — data for the "label dominance scan" benchmark section.
--
-- A realistic vocabulary (the 5 built-in levels, 20 compartments PRJ-A..PRJ-T,
-- a small group tree) and bench.doc: :rows rows whose tmac.label column holds
-- a mix of levels, 0–3 compartments (PRJ-A.. more common than PRJ-T) and, on
-- about 15% of rows, one organisation group.  The same information is kept in
-- plain columns of the same row (level_rank, comp_bits with bit i for the i-th
-- compartment, grp_bits), so both filters scan exactly the same pages.
\set ON_ERROR_STOP 1
\o /dev/null
SELECT tmac.define_compartment('PRJ-' || chr(64 + i), 'プロジェクト' || chr(64 + i))
  FROM generate_series(1, 20) AS i ORDER BY i;
SELECT tmac.define_group('HQ', '本社');
SELECT tmac.define_group('DEV', '開発部', 'HQ');
SELECT tmac.define_group('DEV-1', '開発一課', 'DEV');
SELECT tmac.define_group('DEV-2', '開発二課', 'DEV');
SELECT tmac.define_group('SALES', '営業部', 'HQ');
SELECT tmac.define_group('HR', '人事部', 'HQ');
\o

CREATE TABLE bench.doc (
  id         integer NOT NULL,
  level_rank smallint NOT NULL,
  comp_bits  bigint NOT NULL,
  grp_bits   bigint NOT NULL,
  label      tmac.label NOT NULL
) WITH (autovacuum_enabled = off);

\echo INSERT of the rows:
\timing on
INSERT INTO bench.doc
SELECT id, rank, cbits, gbits,
       (lvl || ':' || ctext || ':' || coalesce(gcode, ''))::tmac.label
  FROM (
    SELECT id, rank, lvl, gcode,
           -- three distinct compartment numbers: c1, c1+d1, c1+d1+d2 (mod 20)
           CASE WHEN k >= 1 THEN 1::bigint << c1 ELSE 0 END
         | CASE WHEN k >= 2 THEN 1::bigint << c2 ELSE 0 END
         | CASE WHEN k >= 3 THEN 1::bigint << c3 ELSE 0 END AS cbits,
           concat_ws(',', CASE WHEN k >= 1 THEN 'PRJ-' || chr(64 + c1) END,
                          CASE WHEN k >= 2 THEN 'PRJ-' || chr(64 + c2) END,
                          CASE WHEN k >= 3 THEN 'PRJ-' || chr(64 + c3) END) AS ctext,
           CASE WHEN gcode IS NULL THEN 0
                ELSE 1::bigint << array_position(ARRAY['HQ','DEV','DEV-1','DEV-2','SALES','HR'], gcode) END AS gbits
      FROM (
        SELECT id, c1,
               (c1 - 1 + d1) % 20 + 1 AS c2,
               (c1 - 1 + d1 + d2) % 20 + 1 AS c3,
               CASE WHEN rk < 0.50 THEN 0 WHEN rk < 0.80 THEN 1 WHEN rk < 0.95 THEN 2 ELSE 3 END AS k,
               CASE WHEN rl < 0.15 THEN 0 WHEN rl < 0.50 THEN 10 WHEN rl < 0.80 THEN 20
                    WHEN rl < 0.95 THEN 30 ELSE 40 END AS rank,
               CASE WHEN rl < 0.15 THEN 'PUBLIC' WHEN rl < 0.50 THEN 'INTERNAL'
                    WHEN rl < 0.80 THEN 'CONFIDENTIAL' WHEN rl < 0.95 THEN 'SECRET'
                    ELSE 'TOP_SECRET' END AS lvl,
               CASE WHEN rg < 0.15 THEN (ARRAY['DEV','DEV-1','DEV-2','SALES','HR','DEV-1'])[1 + (rg * 40)::int % 6] END AS gcode
          FROM (
            SELECT id, 1 + floor(20 * random() ^ 2)::int AS c1,
                   1 + floor(9 * random())::int AS d1, 1 + floor(9 * random())::int AS d2,
                   random() AS rk, random() AS rl, random() AS rg
              FROM generate_series(1, :rows) AS id
          ) r0
      ) r1
  ) r2;
\timing off
-- Freeze and mark every page all-visible, so neither scan pays per-tuple
-- visibility checks (autovacuum is off on the table so that it cannot hold
-- back the first VACUUM); relallvisible below shows whether that worked.
VACUUM (FREEZE, ANALYZE) bench.doc;
\o /dev/null
SELECT pg_sleep(0.2) WHERE (SELECT relallvisible < relpages FROM pg_class WHERE oid = 'bench.doc'::regclass);
\o
VACUUM (FREEZE, ANALYZE) bench.doc;
-- the plain columns must say exactly what the label says
SELECT pg_size_pretty(pg_table_size('bench.doc')) AS table_size, count(*) AS rows,
       (SELECT relallvisible || '/' || relpages FROM pg_class WHERE oid = 'bench.doc'::regclass) AS all_visible_pages,
       count(*) FILTER (WHERE tmac.label_compartments(label) <> '{}') AS with_compartments,
       count(*) FILTER (WHERE tmac.label_groups(label) <> '{}') AS with_groups,
       bool_and(tmac.label_rank(label) = level_rank
                AND (SELECT coalesce(sum(1::bigint << (ascii(substr(c, 5, 1)) - 64)), 0)
                       FROM unnest(tmac.label_compartments(label)) AS c) = comp_bits
                AND (tmac.label_groups(label) <> '{}') = (grp_bits <> 0)) AS plain_columns_agree
  FROM bench.doc;
