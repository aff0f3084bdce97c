-- 77_access_stats.sql — access statistics, their history, and the leak signs found in them (⑥).
--
-- The counters live in shared memory (src/access_stats.c): per person × level × compartment
-- and per person × protected table × login role — statements, rows read, rows written, first
-- and last seen.  tmac.access_stats shows them; tmac.reset_access_stats() clears them.
-- tmac.snapshot_access_stats() (hourly, scheduled by tmac.schedule_jobs()) appends what was
-- counted since the last snapshot to tmac.access_stats_history; tmac.access_history(person)
-- charts a person over time, and tmac.access_chart_html(person) draws it for the report.
--
-- The seed's incident chapter (⑥) lists signs of a leak; five built-in checks under I-6 look
-- for them in the history plus what was counted since the last snapshot:
--   access_surge             a day's rows read above k × the person's own 30-day median (and a floor)
--   access_off_hours         access outside working hours / days, or on a holiday (tmac.holiday)
--   access_before_departure  reads above baseline by a person with a scheduled termination or transfer
--   access_first_compartment a person's first-ever access to a compartment
--   access_shared_account    many persons reading one table through one login role in a short window
--
-- Only the policy sites of protected tables count (src/access_stats.c): row_readable is PUBLIC,
-- and a call of it in a person's own expression or policy counts nothing.  A counter is kept
-- until a committed snapshot has taken it; when the shared hash is full of counters no snapshot
-- has taken, what could not be counted is recorded (tmac.access_stats_overflow_raw(), moved by
-- the snapshot into tmac.access_stats_overflow) and is the high finding access_stats_overflow
-- (I-6) until tmac_admin acknowledges it (tmac.acknowledge_access_stats_overflow).
-- Thresholds are tmac settings (tmac.configure): access_surge_factor, access_surge_floor,
-- access_lookback, working_hours, working_days, access_departure_factor,
-- shared_account_persons, shared_account_window.  Only tmac_auditor and tmac_admin read any
-- of it; a person never sees their own counters.

-- One access counter: the row the functions below return and the snapshot's mark keeps.
CREATE TABLE tmac.access_stats_mark (
  kind text NOT NULL, person_id text NOT NULL, level_rank integer NOT NULL, compartment_id integer NOT NULL,
  relid oid NOT NULL, login_role oid NOT NULL,
  statements bigint NOT NULL, rows_read bigint NOT NULL, rows_written bigint NOT NULL,
  first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL,
  PRIMARY KEY (kind, person_id, level_rank, compartment_id, relid, login_role)
);
COMMENT ON TABLE tmac.access_stats_mark IS
  'Internal: each counter as the last snapshot saw it, so the next snapshot appends only the difference';

CREATE FUNCTION tmac.access_stats_raw() RETURNS SETOF tmac.access_stats_mark
  AS 'MODULE_PATHNAME', 'tmac_access_stats_raw' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.access_stats_raw() IS 'Internal (tmac.access_stats): the shared-memory access counters of this database; label counters have relid and login_role 0, table counters level_rank and compartment_id -1';

CREATE FUNCTION tmac.access_stats_take() RETURNS SETOF tmac.access_stats_mark
  AS 'MODULE_PATHNAME', 'tmac_access_stats_take' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.access_stats_take() IS 'Internal (tmac.snapshot_access_stats): the counters as tmac.access_stats_raw() returns them, remembered so that the snapshot''s commit marks them as in the history (only such counters may be evicted)';

CREATE FUNCTION tmac.access_stats_overflow_raw()
  RETURNS TABLE (counters_refused bigint, rows_read bigint, rows_written bigint,
                 first_at timestamptz, last_at timestamptz, max_counters integer)
  AS 'MODULE_PATHNAME', 'tmac_access_stats_overflow_raw' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.access_stats_overflow_raw() IS 'What this database could not count since the last snapshot because the shared hash was full of counters no snapshot had taken: counter updates refused, rows read and written (of table counters), first and last time, and tmac.access_stats_max then; no row when nothing was lost';

CREATE FUNCTION tmac.access_stats_overflow_take()
  RETURNS TABLE (counters_refused bigint, rows_read bigint, rows_written bigint,
                 first_at timestamptz, last_at timestamptz, max_counters integer)
  AS 'MODULE_PATHNAME', 'tmac_access_stats_overflow_take' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.access_stats_overflow_take() IS 'Internal (tmac.snapshot_access_stats): tmac.access_stats_overflow_raw(), taken off the shared record when the snapshot commits';

-- What the statistics could not count, as each snapshot took it from shared memory: kept after
-- it is acknowledged, so that an auditor sees every loss.
CREATE TABLE tmac.access_stats_overflow (
  overflow_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recorded_at      timestamptz NOT NULL DEFAULT now(),
  first_at         timestamptz NOT NULL,
  last_at          timestamptz NOT NULL,
  counters_refused bigint NOT NULL CHECK (counters_refused > 0),
  rows_read        bigint NOT NULL CHECK (rows_read >= 0),
  rows_written     bigint NOT NULL CHECK (rows_written >= 0),
  max_counters     integer NOT NULL,   -- tmac.access_stats_max when the last counter was refused
  acknowledged_at  timestamptz,
  acknowledged_by  name,
  note             text,
  CHECK (first_at <= last_at),
  CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL) AND (acknowledged_at IS NULL) = (note IS NULL))
);
COMMENT ON TABLE tmac.access_stats_overflow IS
  'Access counts lost because the shared hash (tmac.access_stats_max) was full of counters no snapshot had taken: when (first_at, last_at), counter updates refused, rows read and written; recorded by tmac.snapshot_access_stats, acknowledged by tmac_admin (tmac.acknowledge_access_stats_overflow), never deleted';
SELECT pg_catalog.pg_extension_config_dump('tmac.access_stats_overflow', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.access_stats_overflow_overflow_id_seq', '');
SELECT tmac.add_audit_trigger('tmac.access_stats_overflow', 'overflow_id');

CREATE FUNCTION tmac.access_stats_reset_raw() RETURNS bigint
  AS 'MODULE_PATHNAME', 'tmac_access_stats_reset_raw' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.access_stats_reset_raw() IS 'Internal (tmac.reset_access_stats): drops this database''s shared-memory access counters';

CREATE FUNCTION tmac.access_stats_info(OUT counters bigint, OUT max_counters integer, OUT evicted bigint)
  AS 'MODULE_PATHNAME', 'tmac_access_stats_info' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.access_stats_info() IS 'Access-statistics counters in use (all databases), the most kept (tmac.access_stats_max) and how many were evicted since the server started (only counters a snapshot has taken, least recently seen first)';

CREATE VIEW tmac.access_stats AS
  SELECT s.kind, s.person_id,
         NULLIF(s.level_rank, -1) AS level_rank, l.code AS level,
         NULLIF(s.compartment_id, -1) AS compartment_id, c.code AS compartment,
         NULLIF(s.relid, 0)::regclass AS table_name, r.rolname AS login_role,
         s.statements, s.rows_read, s.rows_written, s.first_seen, s.last_seen
    FROM tmac.access_stats_raw() s
    LEFT JOIN tmac.level l ON l.rank = s.level_rank
    LEFT JOIN tmac.compartment c ON c.compartment_id = s.compartment_id
    LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.login_role AND s.login_role <> 0;
COMMENT ON VIEW tmac.access_stats IS
  'Rows each person read and wrote in protected tables since the counters were reset: kind label (per level and compartment; compartment 0 = a label without one) or table (per protected table and login role), statements, rows_read, rows_written, first_seen, last_seen';

CREATE FUNCTION tmac.reset_access_stats() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  n bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('reset the access statistics'));
  PERFORM tmac.snapshot_access_stats();   -- what was counted so far stays in the history
  n := tmac.access_stats_reset_raw();
  DELETE FROM tmac.access_stats_mark;
  PERFORM tmac.audit_append('access_stats', 'reset', NULL, pg_catalog.jsonb_build_object('counters', n));
  RETURN n;
END
$$;

CREATE TABLE tmac.access_stats_history (
  snapshot_at    timestamptz NOT NULL DEFAULT now(),
  kind           text NOT NULL CHECK (kind IN ('label', 'table')),
  person_id      text NOT NULL,
  level_rank     integer,
  compartment_id integer,
  table_name     text,
  login_role     name,
  statements     bigint NOT NULL DEFAULT 0 CHECK (statements >= 0),
  rows_read      bigint NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
  rows_written   bigint NOT NULL DEFAULT 0 CHECK (rows_written >= 0),
  first_seen     timestamptz,
  last_seen      timestamptz NOT NULL,
  CHECK ((kind = 'label') = (level_rank IS NOT NULL AND compartment_id IS NOT NULL))
);
COMMENT ON TABLE tmac.access_stats_history IS
  'What each access counter added between two snapshots (tmac.snapshot_access_stats, hourly): rows read and written, statements; last_seen is the latest access in that interval';
CREATE INDEX access_stats_history_person_idx ON tmac.access_stats_history (person_id, last_seen);
SELECT pg_catalog.pg_extension_config_dump('tmac.access_stats_history', '');

-- Counters that moved since the last snapshot, with what they added, in the history's form (a
-- label counter's table and role, a table counter's level and compartment NULL).  A counter that
-- went back (reset, evicted and seen again) adds its whole value.  `counters` is one reading of
-- them (tmac.access_stats_raw() or _take(), as rows of tmac.access_stats_mark).
CREATE FUNCTION tmac.access_stats_pending(counters tmac.access_stats_mark[])
  RETURNS TABLE (kind text, person_id text, level_rank integer, compartment_id integer, table_name text,
                 login_role name, statements bigint, rows_read bigint, rows_written bigint,
                 first_seen timestamptz, last_seen timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT s.kind, s.person_id, NULLIF(s.level_rank, -1), NULLIF(s.compartment_id, -1),
         CASE WHEN s.relid <> 0 THEN s.relid::regclass::text END,
         (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid = s.login_role AND s.login_role <> 0),
         CASE WHEN w.restarted THEN s.statements ELSE s.statements - m.statements END,
         CASE WHEN w.restarted THEN s.rows_read ELSE s.rows_read - m.rows_read END,
         CASE WHEN w.restarted THEN s.rows_written ELSE s.rows_written - m.rows_written END,
         s.first_seen, s.last_seen
    FROM pg_catalog.unnest(counters) s
    LEFT JOIN tmac.access_stats_mark m
      ON m.kind = s.kind AND m.person_id = s.person_id AND m.level_rank = s.level_rank
     AND m.compartment_id = s.compartment_id AND m.relid = s.relid AND m.login_role = s.login_role
    CROSS JOIN LATERAL (SELECT m.kind IS NULL OR m.first_seen <> s.first_seen OR s.statements < m.statements
                               OR s.rows_read < m.rows_read OR s.rows_written < m.rows_written AS restarted) w
   WHERE m.kind IS NULL OR s.last_seen <> m.last_seen OR w.restarted;
END;
COMMENT ON FUNCTION tmac.access_stats_pending(tmac.access_stats_mark[]) IS 'Internal: what each access counter of one reading added since the last snapshot, as history rows';

CREATE FUNCTION tmac.snapshot_access_stats() RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  n integer;
  cur tmac.access_stats_mark[];
BEGIN
  LOCK TABLE tmac.access_stats_mark IN SHARE ROW EXCLUSIVE MODE;  -- one snapshot at a time
  -- read the counters once: what goes into the history and the new mark are the same reading,
  -- and what this commit marks as snapshotted (only such counters may be evicted)
  SELECT coalesce(array_agg(ROW(s.*)::tmac.access_stats_mark), '{}') INTO cur FROM tmac.access_stats_take() s;
  INSERT INTO tmac.access_stats_history (snapshot_at, kind, person_id, level_rank, compartment_id, table_name,
                                         login_role, statements, rows_read, rows_written, first_seen, last_seen)
    SELECT now(), p.* FROM tmac.access_stats_pending(cur) p;
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM tmac.access_stats_mark;
  INSERT INTO tmac.access_stats_mark SELECT s.* FROM pg_catalog.unnest(cur) s;
  -- what could not be counted since the last snapshot: kept, and a finding until acknowledged
  INSERT INTO tmac.access_stats_overflow (first_at, last_at, counters_refused, rows_read, rows_written, max_counters)
    SELECT o.first_at, o.last_at, o.counters_refused, o.rows_read, o.rows_written, o.max_counters
      FROM tmac.access_stats_overflow_take() o;
  RETURN n;
END
$$;
COMMENT ON FUNCTION tmac.snapshot_access_stats() IS 'Appends to tmac.access_stats_history what each access counter added since the last snapshot (its commit lets those counters be evicted), and to tmac.access_stats_overflow what could not be counted; returns the history rows appended (scheduled hourly by tmac.schedule_jobs)';

COMMENT ON FUNCTION tmac.reset_access_stats() IS 'Takes a last snapshot into tmac.access_stats_history, then clears this database''s access counters (tmac_admin); audited; returns how many were cleared';

-- The history plus what was counted since the last snapshot (stamped now()).
CREATE FUNCTION tmac.access_activity()
  RETURNS TABLE (snapshot_at timestamptz, kind text, person_id text, level_rank integer, compartment_id integer,
                 table_name text, login_role name, statements bigint, rows_read bigint, rows_written bigint,
                 first_seen timestamptz, last_seen timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT h.snapshot_at, h.kind, h.person_id, h.level_rank, h.compartment_id, h.table_name, h.login_role,
         h.statements, h.rows_read, h.rows_written, h.first_seen, h.last_seen
    FROM tmac.access_stats_history h
  UNION ALL
  SELECT now(), p.*
    FROM tmac.access_stats_pending(ARRAY(SELECT ROW(s.*)::tmac.access_stats_mark FROM tmac.access_stats_raw() s)) p;
END
$$;
COMMENT ON FUNCTION tmac.access_activity() IS 'Internal: tmac.access_stats_history plus what the counters added since the last snapshot';

CREATE FUNCTION tmac.access_history(person_id text)
  RETURNS TABLE (hour timestamptz, statements bigint, rows_read bigint, rows_written bigint, tables text)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT date_trunc('hour', a.last_seen), sum(a.statements)::bigint, sum(a.rows_read)::bigint,
         sum(a.rows_written)::bigint, string_agg(DISTINCT a.table_name, ', ')
    FROM tmac.access_activity() a
   WHERE a.kind = 'table' AND a.person_id = access_history.person_id
   GROUP BY 1 ORDER BY 1;
END;
COMMENT ON FUNCTION tmac.access_history(text) IS 'A person''s access over time, per hour of the latest access: statements, rows read and written, the protected tables (from the snapshots and the counters since)';

-- Days off: no access is expected on them.
CREATE TABLE tmac.holiday (
  day  date PRIMARY KEY,
  name text NOT NULL CHECK (btrim(name) <> '')
);
COMMENT ON TABLE tmac.holiday IS
  'Company holidays: access on them is outside working hours (check access_off_hours)';
SELECT tmac.add_audit_trigger('tmac.holiday', 'day');
SELECT pg_catalog.pg_extension_config_dump('tmac.holiday', '');

INSERT INTO tmac.setting_default VALUES
  ('access_surge_factor',     '3',            tmac.msgid('access_surge: a day''s rows read above this many times the person''s own 30-day median (a positive number)')),
  ('access_surge_floor',      '1000',         tmac.msgid('access_surge: a day''s rows read must also exceed this (a whole number >= 0)')),
  ('access_surge_history',    '14 days',      tmac.msgid('access_surge: a person''s access statistics must reach back this far before a day for a rise on it to be a (high) surge; before that, access_surge_no_baseline (low) says so (an interval >= 0)')),
  ('access_lookback',         '7 days',       tmac.msgid('How far back the access checks look for signs (a positive interval)')),
  ('working_hours',           '08:00-20:00',  tmac.msgid('Working hours, HH:MM-HH:MM in date_time_zone; access outside them is a finding (access_off_hours)')),
  ('working_days',            '1,2,3,4,5',    tmac.msgid('Working days as ISO weekday numbers (1 = Monday … 7 = Sunday), comma-separated')),
  ('access_departure_factor','1',           tmac.msgid('access_before_departure: a day''s rows read above this many times the 30-day median, by a person with a scheduled termination or transfer (a positive number)')),
  ('shared_account_persons',  '3',            tmac.msgid('access_shared_account: this many persons (at least 2) reading one table through one login role within shared_account_window')),
  ('shared_account_window',   '1 hour',       tmac.msgid('access_shared_account: the window (a positive interval)'));

-- A person's daily rows read (in date_time_zone) over every day in the look-back window that
-- had any, with the median of the 30 days before it (days without access count as 0).
CREATE FUNCTION tmac.access_daily_baseline()
  RETURNS TABLE (person_id text, day date, rows_read bigint, statements bigint, median numeric)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH tz AS (SELECT tmac.setting_lookup('date_time_zone') AS tz),
  daily AS (
    SELECT a.person_id, (a.last_seen AT TIME ZONE (SELECT tz.tz FROM tz))::date AS day,
           sum(a.rows_read)::bigint AS rows_read, sum(a.statements)::bigint AS statements
      FROM tmac.access_activity() a WHERE a.kind = 'table'
     GROUP BY 1, 2)
  SELECT d.person_id, d.day, d.rows_read, d.statements,
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY coalesce(b.rows_read, 0))
            FROM generate_series(d.day - 30, d.day - 1, interval '1 day') g(day)
            LEFT JOIN daily b ON b.person_id = d.person_id AND b.day = g.day::date)::numeric
    FROM daily d
   WHERE d.day > ((now() - tmac.setting_lookup('access_lookback')::interval) AT TIME ZONE (SELECT tz.tz FROM tz))::date
     AND d.rows_read > 0;
END
$$;
COMMENT ON FUNCTION tmac.access_daily_baseline() IS 'Internal (access checks): each person''s rows read per day in the look-back window, with the median of the 30 days before';

CREATE FUNCTION tmac.check_access_signs() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH cfg AS MATERIALIZED (
    SELECT tmac.setting_value('date_time_zone') AS tz,
           tmac.setting_value('access_surge_factor')::numeric AS k,
           tmac.setting_value('access_surge_floor')::bigint AS floor,
           now() - tmac.setting_value('access_lookback')::interval AS since,
           split_part(tmac.setting_value('working_hours'), '-', 1)::time AS day_start,
           split_part(tmac.setting_value('working_hours'), '-', 2)::time AS day_end,
           string_to_array(tmac.setting_value('working_days'), ',')::integer[] AS days,
           tmac.setting_value('access_departure_factor')::numeric AS dk,
           tmac.setting_value('shared_account_persons')::integer AS persons,
           tmac.setting_value('shared_account_window')::interval AS win),
  act AS MATERIALIZED (SELECT a.* FROM tmac.access_activity() a),
  base AS MATERIALIZED (SELECT b.* FROM tmac.access_daily_baseline() b),
  -- since when each person's statistics reach back, and whether they reach access_surge_history before a day
  since AS MATERIALIZED (SELECT a.person_id, min(least(a.first_seen, a.last_seen)) AS first_at
                           FROM act a WHERE a.kind = 'table' GROUP BY a.person_id),
  rise AS MATERIALIZED (
    SELECT b.*, f.first_at,
           f.first_at <= (b.day::timestamp AT TIME ZONE cfg.tz) - tmac.setting_value('access_surge_history')::interval AS established
      FROM base b CROSS JOIN cfg JOIN since f ON f.person_id = b.person_id
     WHERE b.rows_read > greatest(cfg.k * b.median, cfg.floor))
  -- access_surge: only over an established baseline
  SELECT 'access_surge', 'person:' || b.person_id,
         tmac.message('Person %s read %s rows of protected tables on %s (%s statements, %s time), %s times their 30-day median of %s rows a day (%s to %s); the threshold is %s (access_surge_factor %s × median, at least access_surge_floor %s). History: tmac.access_history(%L).',
                b.person_id, b.rows_read, b.day, b.statements, cfg.tz,
                CASE WHEN b.median > 0 THEN trim_scale(round(b.rows_read / b.median, 1))::text ELSE tmac.message('infinitely many') END,
                trim_scale(round(b.median, 1)), b.day - 30, b.day - 1, trim_scale(round(greatest(cfg.k * b.median, cfg.floor), 1)), cfg.k, cfg.floor,
                b.person_id),
         (b.day::timestamp AT TIME ZONE cfg.tz)
    FROM rise b, cfg
   WHERE b.established
  UNION ALL
  -- access_surge_no_baseline: the same rise by a person whose statistics are too recent, once per person
  SELECT 'access_surge_no_baseline', 'person:' || r.person_id,
         tmac.message('Person %s read more than access_surge_factor %s × their 30-day median (at least access_surge_floor %s) on %s day(s), most on %s (%s rows), but their access statistics begin on %s (%s): a baseline needs access_surge_history %s of them, so this is not yet a surge finding (access_surge). History: tmac.access_history(%L).',
                r.person_id, cfg.k, cfg.floor, r.days, r.top_day, r.top_rows,
                to_char(r.first_at AT TIME ZONE cfg.tz, 'YYYY-MM-DD'), cfg.tz, tmac.setting_value('access_surge_history'), r.person_id),
         (r.top_day::timestamp AT TIME ZONE cfg.tz)
    FROM cfg,
         LATERAL (SELECT b.person_id, min(b.first_at) AS first_at, count(*) AS days,
                         (array_agg(b.day ORDER BY b.rows_read DESC, b.day DESC))[1] AS top_day, max(b.rows_read) AS top_rows
                    FROM rise b WHERE NOT b.established GROUP BY b.person_id) r
  UNION ALL
  -- access_off_hours: per person and day, the accesses whose time falls outside working hours
  SELECT 'access_off_hours', 'person:' || x.person_id,
         tmac.message('Person %s read %s rows and wrote %s (%s statements) of %s outside working hours on %s (%s): accesses between %s and %s; working hours are %s on ISO weekdays %s%s. History: tmac.access_history(%L).',
                x.person_id, x.rows_read, x.rows_written, x.statements, x.tables, x.day, cfg.tz,
                to_char(x.first_at, 'HH24:MI'), to_char(x.last_at, 'HH24:MI'),
                tmac.setting_value('working_hours'), tmac.setting_value('working_days'),
                CASE WHEN x.holiday IS NOT NULL THEN tmac.message(', and %s is a holiday (%s)', x.day, x.holiday) ELSE '' END,
                x.person_id),
         x.last_at AT TIME ZONE cfg.tz
    FROM cfg,
         LATERAL (
           SELECT a.person_id, (a.last_seen AT TIME ZONE cfg.tz)::date AS day,
                  sum(a.rows_read)::bigint AS rows_read, sum(a.rows_written)::bigint AS rows_written,
                  sum(a.statements)::bigint AS statements, string_agg(DISTINCT a.table_name, ', ') AS tables,
                  min(a.last_seen AT TIME ZONE cfg.tz) AS first_at, max(a.last_seen AT TIME ZONE cfg.tz) AS last_at,
                  min(h.name) AS holiday
             FROM act a
             LEFT JOIN tmac.holiday h ON h.day = (a.last_seen AT TIME ZONE cfg.tz)::date
            WHERE a.kind = 'table' AND a.last_seen >= cfg.since
              AND (h.day IS NOT NULL
                   OR NOT extract(isodow FROM a.last_seen AT TIME ZONE cfg.tz)::integer = ANY (cfg.days)
                   OR (a.last_seen AT TIME ZONE cfg.tz)::time < cfg.day_start
                   OR (a.last_seen AT TIME ZONE cfg.tz)::time >= cfg.day_end)
            GROUP BY 1, 2) x
  UNION ALL
  -- access_before_departure: a scheduled termination or transfer, and reads above baseline since it was known
  SELECT 'access_before_departure', 'person:' || b.person_id,
         tmac.message('Person %s, whose %s is scheduled for %s (HR event %s, received %s), read %s rows on %s (%s), above access_departure_factor %s × their 30-day median of %s rows a day. History: tmac.access_history(%L).',
                b.person_id, e.kind, e.effective_at, e.event_id, e.received_at, b.rows_read, b.day, cfg.tz, cfg.dk,
                trim_scale(round(b.median, 1)), b.person_id),
         (b.day::timestamp AT TIME ZONE cfg.tz)
    FROM base b CROSS JOIN cfg
    JOIN tmac.hr_event e ON e.person_id = b.person_id AND e.outcome = 'scheduled'
                        AND e.kind IN ('terminate', 'transfer') AND e.effective_at > now()
   WHERE b.day >= (e.received_at AT TIME ZONE cfg.tz)::date
     AND b.rows_read > cfg.dk * b.median
  UNION ALL
  -- access_first_compartment
  SELECT 'access_first_compartment', 'person:' || f.person_id,
         tmac.message('Person %s read compartment %s for the first time at %s: %s rows in %s statements since. History: tmac.access_history(%L).',
                f.person_id, coalesce(c.code, '#' || f.compartment_id),
                f.first_at, f.rows_read, f.statements,
                f.person_id),
         f.first_at
    FROM cfg,
         LATERAL (
           SELECT a.person_id, a.compartment_id, min(least(a.first_seen, a.last_seen)) AS first_at,
                  sum(a.rows_read)::bigint AS rows_read, sum(a.statements)::bigint AS statements
             FROM act a WHERE a.kind = 'label' AND a.compartment_id > 0 AND a.rows_read > 0
            GROUP BY 1, 2) f
    LEFT JOIN tmac.compartment c ON c.compartment_id = f.compartment_id
   WHERE f.first_at >= cfg.since
  UNION ALL
  -- access_shared_account
  SELECT 'access_shared_account', 'role:' || s.login_role,
         tmac.message('Login role %s was used by %s persons (%s) to read table %s between %s and %s: %s rows in %s statements (shared_account_persons %s, shared_account_window %s).',
                s.login_role, s.persons, s.names, s.table_name,
                s.bucket, s.bucket + cfg.win,
                s.rows_read, s.statements, cfg.persons, cfg.win),
         s.bucket + cfg.win
    FROM cfg,
         LATERAL (
           SELECT a.login_role, a.table_name, date_bin(cfg.win, a.last_seen, timestamptz '2000-01-03 00:00+00') AS bucket,
                  count(DISTINCT a.person_id) AS persons, string_agg(DISTINCT a.person_id, ', ') AS names,
                  sum(a.rows_read)::bigint AS rows_read, sum(a.statements)::bigint AS statements
             FROM act a
            WHERE a.kind = 'table' AND a.login_role IS NOT NULL AND a.last_seen >= cfg.since
            GROUP BY 1, 2, 3) s
   WHERE s.persons >= cfg.persons;
END;
COMMENT ON FUNCTION tmac.check_access_signs() IS 'Checks access_surge (over at least access_surge_history of statistics; before that access_surge_no_baseline), access_off_hours, access_before_departure, access_first_compartment and access_shared_account: signs of a leak (seed ⑥) in the access statistics';

-- The population these checks examine (tmac.compliance_population, 45_compliance_registry.sql): what
-- the statistics recorded, live and in the history.
INSERT INTO tmac.compliance_population VALUES
  ('access_records', 'アクセス記録', tmac.msgid('access statistics recorded (live counters and hourly history)'),
   'SELECT (SELECT count(*) FROM tmac.access_stats_history) + (SELECT count(*) FROM tmac.access_stats)');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.*, 'tmac.check_access_signs', '{}', '{access_records}', true FROM (VALUES
  ('access_surge', 'I-6', 'high',
   tmac.msgid('Sharp rise in a person''s reads of protected data'),
   tmac.msgid('On a day in the look-back window a person whose access statistics reach back at least access_surge_history (14 days) before it read more rows of protected tables than access_surge_factor times their own median of the 30 days before, and more than access_surge_floor (seed ⑥: a sharp rise in access to important information is a sign of a leak); a person with less history gets access_surge_no_baseline instead.'),
   tmac.msgid('Ask the person and their manager what the reads were for; record an incident if they cannot be explained. Tune access_surge_factor / access_surge_floor if the rise is normal work.')),
  ('access_surge_no_baseline', 'I-6', 'low',
   tmac.msgid('Rise in a person''s reads before their baseline is established'),
   tmac.msgid('A person read more rows of protected tables on a day than access_surge would allow, but their access statistics do not yet reach back access_surge_history (14 days by default) before that day: with no baseline, every first day of statistics would look like a sharp rise. One finding per person says so; from access_surge_history on, the rise is an access_surge finding (high).'),
   tmac.msgid('Nothing, if the reads are the person''s normal work; ask them and their manager if the volume is unexpected.')),
  ('access_off_hours', 'I-6', 'medium',
   tmac.msgid('Access to protected data outside working hours'),
   tmac.msgid('A person read or wrote protected rows outside working_hours, on a day not in working_days, or on a holiday (tmac.holiday) (seed ⑥).'),
   tmac.msgid('Confirm the work was authorised (overtime, on call); record an incident if not. Adjust working_hours, working_days or the holidays if they are wrong.')),
  ('access_before_departure', 'I-6', 'high',
   tmac.msgid('Reads above baseline by a person about to leave or transfer'),
   tmac.msgid('A person with a scheduled termination or transfer read more rows than access_departure_factor times their 30-day median on a day since the event was known (seed ⑥: bulk access before leaving).'),
   tmac.msgid('Review what the person read with their manager before the departure; end grants early if the reads are not needed for handover.')),
  ('access_first_compartment', 'I-6', 'low',
   tmac.msgid('First access to a compartment'),
   tmac.msgid('A person read rows of a compartment for the first time within the look-back window (a new need-to-know should match a new grant and task).'),
   tmac.msgid('Confirm the person''s grant for the compartment matches their current work.')),
  ('access_shared_account', 'I-6', 'high',
   tmac.msgid('One login role used by many persons'),
   tmac.msgid('shared_account_persons or more persons read the same protected table through one login role within shared_account_window: the login is shared, so accesses cannot be traced to a person (seed ⑥, ⑨).'),
   tmac.msgid('Give every person their own login role (tmac.enrol_login) and stop sharing the account.'))
) AS c(check_code, criterion, severity, title, description, remedy);
-- A longer history requirement keeps a sharp rise a low finding for longer (tmac.weakening_rule, 51_settings.sql).
INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('access_surge_history', 'access_surge', 'longer_than', '14 days', false,
   tmac.msgid('a person''s reads are not a surge finding (high) until their statistics reach back this far; until then only access_surge_no_baseline (low)'));

-- access_stats_overflow: counts lost because the shared hash was full of counters no snapshot
-- had taken — recorded (tmac.access_stats_overflow) or not yet (the live record) — until
-- acknowledged.  A person cannot cause it: only protected tables' policies make counters.
CREATE FUNCTION tmac.check_access_stats_overflow() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH tz AS MATERIALIZED (SELECT tmac.setting_value('date_time_zone') AS tz),
  lost AS (
    SELECT 'access_stats_overflow:' || o.overflow_id AS subject, o.first_at, o.last_at, o.counters_refused,
           o.rows_read, o.rows_written, o.max_counters
      FROM tmac.access_stats_overflow o WHERE o.acknowledged_at IS NULL
    UNION ALL
    SELECT 'access_stats_overflow:live', r.first_at, r.last_at, r.counters_refused, r.rows_read, r.rows_written,
           r.max_counters
      FROM tmac.access_stats_overflow_raw() r)
  SELECT l.subject,
         tmac.message('Between %s and %s the access statistics were full (tmac.access_stats_max = %s counters, each holding counts no snapshot had taken yet) and could not count %s rows read and %s rows written of protected tables (%s counter updates refused): those accesses are missing from tmac.access_stats_history and from the leak-sign checks. Raise tmac.access_stats_max (server restart) or snapshot more often, then record it with tmac.acknowledge_access_stats_overflow(note).',
                l.first_at, l.last_at,
                l.max_counters, l.rows_read, l.rows_written, l.counters_refused),
         l.last_at
    FROM lost l, tz;
END;
COMMENT ON FUNCTION tmac.check_access_stats_overflow() IS 'Check access_stats_overflow: access counts lost because the shared hash was full of counters no snapshot had taken (recorded in tmac.access_stats_overflow, or not yet), until acknowledged';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('access_stats_overflow', 'I-6', 'high',
   tmac.msgid('Access statistics lost for want of room'),
   tmac.msgid('The shared hash of access counters (tmac.access_stats_max) was full of counters no snapshot had yet put into the history, so reads and writes of protected rows went uncounted: the leak-sign checks cannot see them.'),
   tmac.msgid('Raise tmac.access_stats_max in postgresql.conf and restart, or run tmac.snapshot_access_stats() more often (tmac.schedule_jobs); then record the loss with tmac.acknowledge_access_stats_overflow(note).'),
   'tmac.check_access_stats_overflow', '{tmac.access_stats_overflow}', '{access_records}', true);

CREATE FUNCTION tmac.acknowledge_access_stats_overflow(note text) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('acknowledge lost access statistics'));
  n integer;
BEGIN
  PERFORM tmac.require_arguments('acknowledge_access_stats_overflow', 'note', note);
  PERFORM tmac.snapshot_access_stats();   -- what is still in shared memory is recorded first
  UPDATE tmac.access_stats_overflow o
     SET acknowledged_at = now(), acknowledged_by = me, note = acknowledge_access_stats_overflow.note
   WHERE o.acknowledged_at IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object',
      MESSAGE = tmac.message('no lost access statistics to acknowledge'),
      HINT = tmac.message('tmac.access_stats_overflow lists what was lost, and who acknowledged it.');
  END IF;
  RETURN n;
END
$$;
COMMENT ON FUNCTION tmac.acknowledge_access_stats_overflow(text) IS 'Records (audited, with a note) that the lost access statistics were looked into, which closes the access_stats_overflow findings; takes a snapshot first; the rows stay in tmac.access_stats_overflow; returns how many were acknowledged (tmac_admin)';

-- A small inline SVG bar chart of a person's rows read per day.
CREATE FUNCTION tmac.access_chart_html(person_id text, days integer DEFAULT 30) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  tz text := tmac.setting_value('date_time_zone');
  last_day date := (now() AT TIME ZONE tz)::date;
  first_day date;
  peak bigint;
  total bigint;
  bars text;
  w constant integer := 600;
  h constant integer := 120;
  bw numeric;
BEGIN
  IF days IS NULL OR days < 2 OR days > 366 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('days must be between 2 and 366, not %s', coalesce(days::text, '<NULL>'));
  END IF;
  first_day := last_day - (days - 1);
  bw := w::numeric / days;
  WITH d AS (
    SELECT g.day::date AS day, coalesce(sum(a.rows_read), 0)::bigint AS rows_read
      FROM generate_series(first_day, last_day, interval '1 day') g(day)
      LEFT JOIN tmac.access_activity() a
        ON a.kind = 'table' AND a.person_id = access_chart_html.person_id
       AND (a.last_seen AT TIME ZONE tz)::date = g.day::date
     GROUP BY 1),
  m AS (SELECT max(d.rows_read) AS peak, sum(d.rows_read)::bigint AS total FROM d)
  SELECT m.peak, m.total,
         string_agg(format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>',
                           round((d.day - first_day) * bw + 1, 1),
                           round(h - d.rows_read::numeric * (h - 10) / greatest(m.peak, 1), 1),
                           round(greatest(bw - 2, 1), 1),
                           round(d.rows_read::numeric * (h - 10) / greatest(m.peak, 1), 1),
                           CASE WHEN extract(isodow FROM d.day) IN (6, 7) THEN '#c77' ELSE '#4a7ab5' END,
                           tmac.message('%s: %s rows', d.day, d.rows_read)), '' ORDER BY d.day)
    INTO peak, total, bars
    FROM d, m GROUP BY m.peak, m.total;
  -- (the visible words come from the message catalog, in the reader's language; they hold no markup)
  RETURN format('<section class="access-chart" id="access-%1$s"><h3>%12$s</h3>'
                '<svg xmlns="http://www.w3.org/2000/svg" width="%7$s" height="%9$s" viewBox="0 0 %7$s %9$s" role="img" aria-label="%13$s">'
                '<line x1="0" y1="%8$s" x2="%7$s" y2="%8$s" stroke="#888"/>%10$s'
                '<text x="2" y="%11$s" font-size="10" fill="#555">%2$s</text><text x="%7$s" y="%11$s" font-size="10" fill="#555" text-anchor="end">%3$s</text>'
                '<text x="2" y="9" font-size="10" fill="#555">%6$s</text></svg></section>',
                tmac.html_escape(person_id), first_day, last_day, tmac.html_escape(tz),
                total, peak, w, h, h + 14, coalesce(bars, ''), h + 12,
                tmac.message('%s — rows read per day, %s to %s (%s); total %s, peak %s',
                             tmac.html_escape(person_id), first_day, last_day, tmac.html_escape(tz), total, peak),
                tmac.message('rows read per day by %s', tmac.html_escape(person_id)));
END
$$;
COMMENT ON FUNCTION tmac.access_chart_html(text, integer) IS 'An HTML section with a small inline SVG bar chart of a person''s rows read per day over the last days (default 30), for the compliance report';

-- What tmac now keeps for I-6 beyond the incident register (66_incidents.sql): the leak signs from
-- real access, these statistics, and the login gate's refusals of leavers (76_login_gate.sql).
UPDATE tmac.criterion
   SET evidence = evidence || '; leak signs from real access: the access statistics and their history (tmac.access_stats, tmac.access_stats_history, tmac.access_history(text)); refused logins of leavers (tmac.login_gate_refusals())'
 WHERE criterion = 'I-6';
