-- 71_compliance_runner.sql — what runs the compliance checks and reads their results: the runner
-- (tmac.compliance_check_results), the population counts, findings and the per-criterion
-- compliance status, the registry in the reader's language, and the registration of a company's
-- own checks.  The registry itself (criteria, checks, populations) is defined early, in
-- 45_compliance_registry.sql, and each register declares its checks at the end of its own file;
-- the runner calls the check functions by name, so it needs none of them to be defined first.
--
-- tmac.compliance_check_results() runs every enabled check whose prerequisites exist and yields
-- its findings plus one marker row per check; tmac.findings and tmac.compliance_status are views
-- over it.  A check that fails is reported as a finding of its own instead of hiding every other
-- finding.
--
-- A company's own checks (tmac.register_check) never run as the reader of
-- the findings, who may be a superuser: tmac.run_check_as_owner
-- (src/check_runner.c) runs each as its function's owner, in a
-- security-restricted, read-only context; a function owned by a superuser is
-- refused (unless it is tmac's own).  The SHA-256 of the function's
-- definition is recorded at registration; a check whose function was changed
-- since (CREATE OR REPLACE), or now belongs to a superuser, is not run and is
-- reported by registered_check_tampered (at the end of this file) until it is registered again.
--
-- A company's own checks show, but never make a criterion green on their own.  A criterion with
-- a built-in check disabled (who and when: compliance_check.disabled_by/_at), not run, with
-- findings accepted by a setting, or weakened by a setting is at best `ok_with_exceptions`.
--
-- Settings that weaken a check (tmac.weakening_rule, 51_settings.sql: require_pledge off,
-- a longer review period, ...) do not hide anything: while a setting is weaker
-- than its threshold it is itself a finding (subject setting:<key>) under the
-- check it weakens, and a setting that turns a requirement off (accepts) marks
-- that check's findings as accepted (tmac.findings.accepted_by) instead of
-- removing them.

-- True when every prerequisite of a check exists in this database.
CREATE FUNCTION tmac.compliance_requirements_met(requires text[]) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce((SELECT bool_and(CASE WHEN r LIKE '%(%' THEN pg_catalog.to_regprocedure(r) IS NOT NULL
                                        ELSE pg_catalog.to_regclass(r) IS NOT NULL END)
                     FROM pg_catalog.unnest(requires) r), true);
COMMENT ON FUNCTION tmac.compliance_requirements_met(text[]) IS 'True when every relation or function a check requires exists';

-- True for a function of the tmac extension itself.
CREATE FUNCTION tmac.is_own_function(fn regproc) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = fn
                    AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
                    AND e.extname = 'tmac');
COMMENT ON FUNCTION tmac.is_own_function(regproc) IS 'True when a function belongs to the tmac extension';

-- The fingerprint of a check function: its whole definition (body, language,
-- security, settings) as PostgreSQL prints it under this fixed search_path.
CREATE FUNCTION tmac.function_fingerprint(fn regproc) RETURNS bytea
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  RETURN pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.pg_get_functiondef(fn), 'UTF8'));
COMMENT ON FUNCTION tmac.function_fingerprint(regproc) IS 'SHA-256 of a function''s definition (pg_get_functiondef), recorded when a check is registered';

CREATE FUNCTION tmac.run_check_as_owner(fn regproc, grouped boolean)
  RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  AS 'MODULE_PATHNAME', 'tmac_run_check_as_owner' LANGUAGE C STRICT;
COMMENT ON FUNCTION tmac.run_check_as_owner(regproc, boolean) IS 'Internal (compliance_check_results): runs a registered check function as its owner (never a superuser), read-only and security-restricted';

-- Registered checks that must not run: their function changed since
-- registration (or was registered before tmac recorded definitions), or now
-- belongs to a superuser.  A missing function is left to compliance_check_results, which
-- reports that it could not run.
CREATE FUNCTION tmac.registered_check_problems()
  RETURNS TABLE (check_code text, function_name text, problem text)
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT k.check_code, k.function_name,
         CASE WHEN k.function_sha256 IS NULL THEN 'unverified'
              WHEN k.function_sha256 <> tmac.function_fingerprint(f.fn) THEN 'changed'
              ELSE 'superuser' END
    FROM tmac.compliance_check k
    CROSS JOIN LATERAL (SELECT pg_catalog.to_regproc(k.function_name) AS fn) f
    JOIN pg_catalog.pg_proc p ON p.oid = f.fn
   WHERE NOT k.builtin
     AND (k.function_sha256 IS NULL OR k.function_sha256 <> tmac.function_fingerprint(f.fn)
          OR (NOT tmac.is_own_function(f.fn)
              AND (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = p.proowner)))
   ORDER BY k.check_code;
END;
COMMENT ON FUNCTION tmac.registered_check_problems() IS 'Registered checks that are not run: function changed since registration (or never fingerprinted), or now owned by a superuser';

CREATE FUNCTION tmac.compliance_check_results()
  RETURNS TABLE (criterion text, check_code text, severity text, ran boolean,
                 subject text, detail text, detected_at timestamptz)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  c record;
  err text;
  one record;
  held text[] := ARRAY(SELECT x.check_code FROM tmac.registered_check_problems() x);
BEGIN
  -- the marker rows: every registered check, and whether it runs
  RETURN QUERY
    SELECT k.criterion, k.check_code, k.severity,
           k.enabled AND tmac.compliance_requirements_met(k.requires) AND NOT k.check_code = ANY (held),
           NULL::text, NULL::text, NULL::timestamptz
      FROM tmac.compliance_check k ORDER BY k.criterion, k.check_code;
  -- each check function once; a grouped function (first column check_code) serves several checks
  FOR c IN
    SELECT k.function_name, array_agg(k.check_code ORDER BY k.check_code) AS codes,
           pg_catalog.to_regproc(k.function_name) AS fn,
           (SELECT 'check_code' = ANY (p.proargnames) FROM pg_catalog.pg_proc p
             WHERE p.oid = pg_catalog.to_regproc(k.function_name)) AS grouped,
           coalesce(tmac.is_own_function(pg_catalog.to_regproc(k.function_name)), false) AS own
      FROM tmac.compliance_check k
     WHERE k.enabled AND tmac.compliance_requirements_met(k.requires) AND NOT k.check_code = ANY (held)
     GROUP BY k.function_name ORDER BY min(k.criterion), min(k.check_code)
  LOOP
    BEGIN
      IF c.fn IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_function',
          MESSAGE = tmac.message('function %s does not exist', c.function_name);
      ELSIF c.own AND c.grouped THEN
        RETURN QUERY EXECUTE pg_catalog.format(
          'SELECT k.criterion, k.check_code, k.severity, true, f.subject::text, f.detail::text, coalesce(f.detected_at, now())
             FROM %s() f JOIN tmac.compliance_check k ON k.check_code = f.check_code
            WHERE f.subject IS NOT NULL AND k.check_code = ANY ($1)', c.fn) USING c.codes;
      ELSIF c.own THEN
        SELECT * INTO one FROM tmac.compliance_check x WHERE x.check_code = c.codes[1];
        RETURN QUERY EXECUTE pg_catalog.format(
          'SELECT %L::text, %L::text, %L::text, true, f.subject::text, f.detail::text, coalesce(f.detected_at, now())
             FROM %s() f WHERE f.subject IS NOT NULL', one.criterion, one.check_code, one.severity, c.fn);
      ELSIF c.grouped THEN          -- a company's own check: run as its owner
        RETURN QUERY
          SELECT k.criterion, k.check_code, k.severity, true, f.subject, f.detail, coalesce(f.detected_at, now())
            FROM tmac.run_check_as_owner(c.fn, true) f JOIN tmac.compliance_check k ON k.check_code = f.check_code
           WHERE f.subject IS NOT NULL AND k.check_code = ANY (c.codes);
      ELSE
        SELECT * INTO one FROM tmac.compliance_check x WHERE x.check_code = c.codes[1];
        RETURN QUERY
          SELECT one.criterion, one.check_code, one.severity, true, f.subject, f.detail, coalesce(f.detected_at, now())
            FROM tmac.run_check_as_owner(c.fn, false) f WHERE f.subject IS NOT NULL;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
      RETURN QUERY
        SELECT x.criterion, x.check_code, 'high'::text, true, 'check:' || x.check_code,
               tmac.message('The check %s could not run (%s); its findings are unknown. Fix the check or its prerequisites.', x.check_code, err),
               now()
          FROM tmac.compliance_check x WHERE x.check_code = ANY (c.codes);
    END;
  END LOOP;
  -- a setting weaker than a check expects is a finding of that check (even a disabled one)
  RETURN QUERY
    SELECT w.criterion, w.check_code, 'medium'::text, true, 'setting:' || w.key,
           tmac.message('Setting %s is %s (tmac''s default: %s), changed by %s on %s; it weakens the check %s: %s.%s Restore it with tmac.configure(%L, %L), or keep it and record why.',
                  w.key, w.value, w.default_value, coalesce(w.changed_by::text, '?'), w.changed_at, w.check_code, w.why,
                  CASE WHEN w.accepts THEN tmac.message(' Its findings are kept, marked as accepted by this setting.') ELSE '' END,
                  w.key, w.default_value),
           coalesce(w.changed_at, now())
      FROM tmac.weakened_checks w
     ORDER BY w.criterion, w.check_code, w.key;
END
$$;
COMMENT ON FUNCTION tmac.compliance_check_results() IS 'Runs every registered check (a company''s own as its function''s owner): one marker row per check (subject NULL, ran = whether it ran), then one row per finding, then one per setting that weakens a check (subject setting:<key>)';

-- How many of each population there are: one query per population, run as tmac's owner.  A
-- population that cannot be counted (its table is missing) is NULL: unknown, never evidence.
CREATE FUNCTION tmac.population_counts()
  RETURNS TABLE (population text, title_ja text, title_en text, n bigint, title text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT * FROM tmac.compliance_population c ORDER BY c.population LOOP
    population := p.population; title_ja := p.title_ja; title_en := p.title_en; title := tmac.message(p.title_en);
    BEGIN
      EXECUTE p.count_sql INTO n;
    EXCEPTION WHEN OTHERS THEN
      n := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.population_counts() IS 'Every population compliance checks examine (tmac.compliance_population) with its count now (NULL when it cannot be counted), and its title in the reader''s language';

-- One run of every check, as a value: tmac.findings_of and tmac.compliance_status_of read the same
-- run (tmac.compliance_report_html shows both from one run instead of running every check twice).
CREATE TYPE tmac.check_result AS (criterion text, check_code text, severity text, ran boolean,
                                  subject text, detail text, detected_at timestamptz);
COMMENT ON TYPE tmac.check_result IS
  'One row of tmac.compliance_check_results(): a check''s marker row (subject NULL) or one finding';

CREATE FUNCTION tmac.compliance_run() RETURNS tmac.check_result[]
  LANGUAGE sql STABLE
  RETURN ARRAY(SELECT ROW(r.*)::tmac.check_result FROM tmac.compliance_check_results() r);
COMMENT ON FUNCTION tmac.compliance_run() IS 'One run of every registered check (tmac.compliance_check_results()) as an array, for tmac.findings_of and tmac.compliance_status_of';

-- The check registry in the reader's language: a built-in check's title, description and remedy
-- are English message ids, shown through the catalog (lc_messages chooses); a company's own
-- check's texts are shown as registered.
CREATE VIEW tmac.compliance_checks AS
  SELECT k.check_code, k.criterion, k.severity,
         CASE WHEN k.builtin THEN tmac.message(k.title) ELSE k.title END AS title,
         CASE WHEN k.builtin THEN tmac.message(k.description) ELSE k.description END AS description,
         CASE WHEN k.builtin THEN tmac.message(k.remedy) ELSE k.remedy END AS remedy,
         k.enabled, k.builtin, k.population, k.requires, k.function_name, k.disabled_at, k.disabled_by
    FROM tmac.compliance_check k;
COMMENT ON VIEW tmac.compliance_checks IS
  'Every registered compliance check with its title, description and remedy in the reader''s language (lc_messages; a company''s own check as registered), criterion, severity, whether enabled (who disabled it, when), built-in, the populations it examines';

CREATE FUNCTION tmac.findings_of(results tmac.check_result[])
  RETURNS TABLE (criterion text, check_code text, severity text, subject text, detail text,
                 detected_at timestamptz, accepted_by text, title text, remedy text)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT r.criterion, r.check_code, r.severity, r.subject, r.detail, r.detected_at, a.accepted_by,
         k.title, k.remedy
    FROM unnest(results) r
    LEFT JOIN (SELECT w.check_code,
                      string_agg(tmac.message('setting %s = %s', w.key, w.value), ', ' ORDER BY w.key) AS accepted_by
                 FROM tmac.weakened_checks w WHERE w.accepts GROUP BY w.check_code) a
           ON a.check_code = r.check_code AND r.subject !~ '^(setting|check):'
    LEFT JOIN tmac.compliance_checks k ON k.check_code = r.check_code
   WHERE r.subject IS NOT NULL;
END;
COMMENT ON FUNCTION tmac.findings_of(tmac.check_result[]) IS 'The open findings of one run of the checks (tmac.compliance_run()), with the setting that accepts each, if any, and the check''s title and remedy in the reader''s language; tmac.findings is this over a run made now';

CREATE VIEW tmac.findings AS
  SELECT * FROM tmac.findings_of(tmac.compliance_run());
COMMENT ON VIEW tmac.findings IS
  'Every open finding of every enabled compliance check: criterion, check_code, severity, subject, detail, detected_at, accepted_by (the setting that turned the requirement off, when one did; the finding stays), and the check''s title and remedy; detail, title and remedy in the reader''s language (lc_messages)';

CREATE FUNCTION tmac.compliance_status_of(results tmac.check_result[])
  RETURNS TABLE (criterion text, measure text, title_ja text, title_en text, status text, reason text,
                 population jsonb, checks_registered bigint, checks_run bigint, builtin_checks bigint,
                 builtin_run bigint, builtin_evaluated bigint, builtin_disabled bigint, disabled_checks text[],
                 own_checks bigint, own_checks_run bigint, weakening_settings text[], open_findings bigint,
                 accepted_findings bigint, critical bigint, high bigint, medium bigint, low bigint,
                 evaluated_at timestamptz, title text, last_internal_audit date)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH r AS MATERIALIZED (SELECT * FROM unnest(results)),
  pop AS MATERIALIZED (SELECT * FROM tmac.population_counts()),
  w AS MATERIALIZED (SELECT * FROM tmac.weakened_checks),
  failed AS (                   -- checks that could not run report themselves as subject check:<code>
    SELECT DISTINCT e.check_code FROM r e WHERE e.subject = 'check:' || e.check_code
  ),
  chk AS (                      -- every registered check: did it run, over what
    SELECT k.criterion, k.check_code, k.builtin, k.enabled, k.disabled_at, k.disabled_by, k.population, m.ran,
           x.check_code IS NOT NULL AS failed,
           cardinality(k.population) > 0
             AND (SELECT count(*) FROM pop WHERE pop.population = ANY (k.population) AND pop.n > 0)
                 = cardinality(k.population) AS populated
      FROM tmac.compliance_check k JOIN r m ON m.check_code = k.check_code AND m.subject IS NULL
      LEFT JOIN failed x ON x.check_code = k.check_code
  ), per AS (
    SELECT c.criterion,
           count(*)                                                              AS checks_registered,
           count(*) FILTER (WHERE c.ran)                                         AS checks_run,
           count(*) FILTER (WHERE c.builtin)                                     AS builtin_checks,
           count(*) FILTER (WHERE c.builtin AND c.ran AND NOT c.failed)          AS builtin_run,
           count(*) FILTER (WHERE c.builtin AND c.ran AND NOT c.failed AND c.populated) AS builtin_evaluated,
           count(*) FILTER (WHERE c.builtin AND c.ran AND NOT c.failed AND NOT c.populated) AS builtin_empty,
           count(*) FILTER (WHERE c.builtin AND NOT c.enabled)                   AS builtin_disabled,
           count(*) FILTER (WHERE c.builtin AND c.enabled AND (NOT c.ran OR c.failed)) AS builtin_not_run,
           count(*) FILTER (WHERE NOT c.builtin)                                 AS own_checks,
           count(*) FILTER (WHERE NOT c.builtin AND c.ran)                       AS own_checks_run,
           array_agg(CASE WHEN c.disabled_at IS NULL
                          THEN tmac.message('%s (by %s, ?)', c.check_code, coalesce(c.disabled_by::text, '?'))
                          ELSE tmac.message('%s (by %s, %s)', c.check_code, coalesce(c.disabled_by::text, '?'), c.disabled_at) END
                     ORDER BY c.check_code) FILTER (WHERE c.builtin AND NOT c.enabled) AS disabled_checks
      FROM chk c GROUP BY c.criterion
  ), cpop AS (                  -- the populations a criterion's built-in checks examine
    SELECT x.criterion, jsonb_object_agg(x.population, x.n) AS population,
           string_agg(pg_catalog.format('%s = %s', x.population, coalesce(x.n::text, 'unknown')), ', ' ORDER BY x.population)
             FILTER (WHERE coalesce(x.n, 0) = 0) AS empty
      FROM (SELECT DISTINCT k.criterion, u.population, pop.n
              FROM tmac.compliance_check k CROSS JOIN LATERAL unnest(k.population) u(population)
              LEFT JOIN pop ON pop.population = u.population
             WHERE k.builtin) x
     GROUP BY x.criterion
  ), f AS (
    SELECT r.criterion,
           count(*) FILTER (WHERE NOT x.accepted)                            AS open_findings,
           count(*) FILTER (WHERE x.accepted)                                AS accepted_findings,
           count(*) FILTER (WHERE NOT x.accepted AND r.severity = 'critical') AS critical,
           count(*) FILTER (WHERE NOT x.accepted AND r.severity = 'high')     AS high,
           count(*) FILTER (WHERE NOT x.accepted AND r.severity = 'medium')   AS medium,
           count(*) FILTER (WHERE NOT x.accepted AND r.severity = 'low')      AS low
      FROM r CROSS JOIN LATERAL (SELECT r.subject !~ '^(setting|check):'
                                        AND r.check_code IN (SELECT w.check_code FROM w WHERE w.accepts) AS accepted) x
     WHERE r.subject IS NOT NULL
     GROUP BY r.criterion
  ), ws AS (
    SELECT w.criterion,
           array_agg(tmac.message('%s = %s (by %s, %s) weakens %s', w.key, w.value, coalesce(w.changed_by::text, '?'),
                                  w.changed_at, w.check_code)
                     ORDER BY w.key, w.check_code) AS weakening_settings
      FROM w GROUP BY w.criterion
  ), s AS (
    SELECT c.criterion, c.ordinal, tmac.message(c.measure) AS measure, c.title_ja, c.title_en,
           coalesce(p.checks_registered, 0) AS checks_registered, coalesce(p.checks_run, 0) AS checks_run,
           coalesce(p.builtin_checks, 0) AS builtin_checks, coalesce(p.builtin_run, 0) AS builtin_run,
           coalesce(p.builtin_evaluated, 0) AS builtin_evaluated,
           coalesce(p.builtin_empty, 0) AS builtin_empty,
           coalesce(p.builtin_disabled, 0) AS builtin_disabled, coalesce(p.builtin_not_run, 0) AS builtin_not_run,
           coalesce(p.own_checks, 0) AS own_checks, coalesce(p.own_checks_run, 0) AS own_checks_run,
           coalesce(p.disabled_checks, '{}') AS disabled_checks,
           coalesce(ws.weakening_settings, '{}') AS weakening_settings,
           coalesce(cp.population, '{}') AS population, cp.empty AS empty_populations,
           coalesce(f.open_findings, 0) AS open_findings, coalesce(f.accepted_findings, 0) AS accepted_findings,
           coalesce(f.critical, 0) AS critical, coalesce(f.high, 0) AS high,
           coalesce(f.medium, 0) AS medium, coalesce(f.low, 0) AS low
      FROM tmac.criterion c
      LEFT JOIN per p ON p.criterion = c.criterion
      LEFT JOIN cpop cp ON cp.criterion = c.criterion
      LEFT JOIN f ON f.criterion = c.criterion
      LEFT JOIN ws ON ws.criterion = c.criterion
  )
  SELECT s.criterion, s.measure, s.title_ja, s.title_en,
         CASE WHEN s.critical + s.high > 0 THEN 'failing'
              WHEN s.open_findings > 0 THEN 'attention'
              WHEN s.builtin_evaluated = 0 THEN 'not_evaluated'
              WHEN s.builtin_disabled + s.builtin_not_run + s.accepted_findings > 0
                   OR cardinality(s.weakening_settings) > 0 THEN 'ok_with_exceptions'
              ELSE 'ok' END AS status,
         concat_ws('; ',
           CASE WHEN s.critical + s.high > 0 THEN tmac.message('%s critical or high finding(s) open', s.critical + s.high)
                WHEN s.open_findings > 0 THEN tmac.message('%s finding(s) open', s.open_findings) END,
           CASE WHEN s.builtin_evaluated > 0 THEN NULL
                WHEN s.builtin_checks = 0 THEN tmac.message('not evaluated: no built-in check covers this criterion yet')
                WHEN s.builtin_disabled = s.builtin_checks THEN tmac.message('not evaluated: every built-in check is disabled')
                WHEN s.builtin_empty = 0 THEN tmac.message('not evaluated: no built-in check ran (disabled, prerequisites missing or failed)')
                ELSE tmac.message('not evaluated: nothing to examine (%s)', coalesce(s.empty_populations, 'empty')) END,
           CASE WHEN s.builtin_evaluated = 0 AND s.own_checks_run > 0
                THEN tmac.message('the company''s own checks alone are no evidence') END,
           CASE WHEN s.builtin_disabled > 0 AND s.builtin_disabled < s.builtin_checks THEN tmac.message('%s of %s built-in check(s) disabled', s.builtin_disabled, s.builtin_checks) END,
           CASE WHEN s.builtin_not_run > 0 THEN tmac.message('%s built-in check(s) could not run', s.builtin_not_run) END,
           CASE WHEN s.accepted_findings > 0 THEN tmac.message('%s finding(s) accepted by a setting', s.accepted_findings) END,
           CASE WHEN cardinality(s.weakening_settings) > 0 THEN tmac.message('%s setting(s) weaken a check', cardinality(s.weakening_settings)) END,
           CASE WHEN s.builtin_evaluated > 0 AND s.open_findings = 0
                THEN tmac.message('%s of %s built-in check(s) examined a non-empty population', s.builtin_evaluated, s.builtin_checks) END
         ) AS reason,
         s.population, s.checks_registered, s.checks_run, s.builtin_checks, s.builtin_run, s.builtin_evaluated,
         s.builtin_disabled,
         s.disabled_checks, s.own_checks, s.own_checks_run, s.weakening_settings,
         s.open_findings, s.accepted_findings, s.critical, s.high, s.medium, s.low,
         now() AS evaluated_at, tmac.message(s.title_en) AS title, tmac.last_internal_audit(s.criterion) AS last_internal_audit
    FROM s
   ORDER BY s.ordinal;
END;
COMMENT ON FUNCTION tmac.compliance_status_of(tmac.check_result[]) IS 'The compliance status per criterion from one run of the checks (tmac.compliance_run()), with the populations counted now; tmac.compliance_status is this over a run made now';

CREATE VIEW tmac.compliance_status AS
  SELECT * FROM tmac.compliance_status_of(tmac.compliance_run());
COMMENT ON VIEW tmac.compliance_status IS
  'One row per criterion I-1 … V: titles (title_ja, title_en, and title in the reader''s language); status (ok, ok_with_exceptions, attention, failing, not_evaluated) and the reason; the populations its built-in checks examine with their counts; checks registered, run, built-in, built-in run, built-in evaluated (ran over a non-empty population), disabled (who, when) and the company''s own; settings weakening a check; open and accepted findings by severity; the day of the last internal audit that covered it (tmac.internal_audit). ok needs a built-in check that examined a non-empty population';

CREATE FUNCTION tmac.register_check(check_code text, criterion text, severity text, title text,
                                    description text, remedy text, function_name regprocedure,
                                    requires text[] DEFAULT '{}')
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  outs text;
  owner_name name;
  owner_super boolean;
BEGIN
  PERFORM tmac.require_arguments('register_check', 'check_code', check_code, 'criterion', criterion,
            'severity', severity, 'title', title, 'description', description, 'remedy', remedy,
            'function_name', function_name::text);
  SELECT pg_catalog.string_agg(t::regtype::text, ',' ORDER BY o)
    INTO outs
    FROM pg_catalog.pg_proc p,
         LATERAL ROWS FROM (pg_catalog.unnest(p.proallargtypes), pg_catalog.unnest(p.proargmodes::text[])) WITH ORDINALITY u(t, m, o)
   WHERE p.oid = function_name AND u.m = 't' AND p.proretset AND p.pronargs = 0;
  IF outs IS DISTINCT FROM 'text,text,timestamp with time zone'
     AND (outs IS DISTINCT FROM 'text,text,text,timestamp with time zone'
          OR (SELECT p.proargnames[1] FROM pg_catalog.pg_proc p WHERE p.oid = function_name) IS DISTINCT FROM 'check_code') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_function_definition',
      MESSAGE = tmac.message('check function %s must take no arguments and return TABLE (subject text, detail text, detected_at timestamptz)', function_name),
      HINT = tmac.message('A function serving several checks returns TABLE (check_code text, subject text, detail text, detected_at timestamptz).');
  END IF;
  -- A check runs as its function's owner: never as a superuser, unless it is tmac's own.
  SELECT r.rolname, r.rolsuper INTO owner_name, owner_super
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_roles r ON r.oid = p.proowner WHERE p.oid = function_name;
  IF owner_super AND NOT tmac.is_own_function(function_name::oid::regproc) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('check function %s is owned by the superuser %s', function_name, owner_name),
      DETAIL = tmac.message('Registered checks run as their function''s owner, and never as a superuser.'),
      HINT = tmac.message('Have an ordinary role own it (ALTER FUNCTION … OWNER TO …), then register it.');
  END IF;
  -- ... and so only by a role that could run it as that owner itself: otherwise the findings
  -- would show a tmac_admin what any other role reads.
  IF NOT tmac.is_own_function(function_name::oid::regproc)
     AND NOT pg_catalog.pg_has_role(tmac.invoker(),
                                    (SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid = function_name), 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('check function %s is owned by role %s, which %s is not a member of', function_name, owner_name, tmac.invoker()),
      DETAIL = tmac.message('Registered checks run as their function''s owner; registering one would run that role''s code as that role.'),
      HINT = tmac.message('Register a function you own, or have its owner register it.');
  END IF;
  INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires,
                                     function_sha256)
  VALUES (check_code, criterion, severity, title, description, remedy, function_name::oid::regproc::text, requires,
          tmac.function_fingerprint(function_name::oid::regproc))
  ON CONFLICT ON CONSTRAINT compliance_check_pkey DO UPDATE
     SET criterion = EXCLUDED.criterion, severity = EXCLUDED.severity, title = EXCLUDED.title,
         description = EXCLUDED.description, remedy = EXCLUDED.remedy,
         function_name = EXCLUDED.function_name, requires = EXCLUDED.requires,
         function_sha256 = EXCLUDED.function_sha256, registered_at = now(), registered_by = session_user
   WHERE NOT tmac.compliance_check.builtin;
END
$$;
COMMENT ON FUNCTION tmac.register_check(text, text, text, text, text, text, regprocedure, text[]) IS 'Registers (or replaces) a compliance check: a function returning TABLE (subject text, detail text, detected_at timestamptz), one row per open finding; it runs as its owner (not a superuser), and its definition''s SHA-256 is recorded (register again after changing it)';

CREATE FUNCTION tmac.set_check_enabled(check_code text, enabled boolean) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(CASE WHEN enabled THEN 'enable' ELSE 'disable' END || ' a compliance check');
BEGIN
  PERFORM tmac.require_arguments('set_check_enabled', 'check_code', check_code, 'enabled', enabled::text);
  UPDATE tmac.compliance_check k
     SET enabled = set_check_enabled.enabled,
         disabled_at = CASE WHEN set_check_enabled.enabled THEN NULL
                            WHEN k.enabled THEN now() ELSE k.disabled_at END,
         disabled_by = CASE WHEN set_check_enabled.enabled THEN NULL
                            WHEN k.enabled THEN me ELSE k.disabled_by END
   WHERE k.check_code = set_check_enabled.check_code;
  PERFORM tmac.require_found(FOUND, tmac.message('no compliance check "%s"', check_code), 'undefined_object');
END
$$;
COMMENT ON FUNCTION tmac.set_check_enabled(text, boolean) IS 'Enables or disables a compliance check, recording who disabled it when; a disabled built-in check keeps its criterion from being ok (at best ok_with_exceptions)';


-- The registry's own check: a company's registered check changed since registration (criterion V).

CREATE FUNCTION tmac.check_registered_check_tampered() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'check:' || x.check_code,
         CASE x.problem
           WHEN 'changed' THEN tmac.message('The function %s of the registered check %s was changed since it was registered (CREATE OR REPLACE); the check is not run. Review the new definition, then register the check again (tmac.register_check).', x.function_name, x.check_code)
           WHEN 'unverified' THEN tmac.message('The registered check %s has no recorded fingerprint of its function %s (registered before tmac recorded them); it is not run. Review the function, then register the check again (tmac.register_check).', x.check_code, x.function_name)
           ELSE tmac.message('The function %s of the registered check %s now belongs to a superuser; registered checks run as their owner and never as a superuser, so it is not run. Give it to an ordinary role (ALTER FUNCTION … OWNER TO …) and register the check again.', x.function_name, x.check_code)
         END,
         k.registered_at
    FROM tmac.registered_check_problems() x JOIN tmac.compliance_check k ON k.check_code = x.check_code;
END;
COMMENT ON FUNCTION tmac.check_registered_check_tampered() IS 'Check registered_check_tampered: registered checks not run because their function changed since registration or now belongs to a superuser';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('registered_check_tampered', 'V', 'critical',
   tmac.msgid('Registered check changed since registration'),
   tmac.msgid('The function of a check registered with tmac.register_check was changed (CREATE OR REPLACE) since it was registered, or now belongs to a superuser; it is not run, so its findings are unknown, and the change may hide findings or plant code.'),
   tmac.msgid('Review the function; register the check again with tmac.register_check (owned by an ordinary role).'),
   'tmac.check_registered_check_tampered', '{}', '{own_checks}', true);
