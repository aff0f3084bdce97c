-- 57_maintenance.sql — housekeeping and its pg_cron schedule.
--
-- tmac.run_maintenance() applies scheduled HR events that have come due,
-- marks lapsed grants (expired, or ended after a role-change grace period),
-- cancels requests whose validity has passed, disables pg_cron jobs that run as a
-- terminated person (76_login_gate.sql) and rebuilds the login gate
-- (tmac.login_gate_sync, 76_login_gate.sql: a pledge or training that merely
-- expired changes no row, so only this brings it to the gate).  Correctness never depends
-- on it: access decisions and tmac.grants already treat those as done at
-- their instant; the job only makes the stored state catch up.
-- tmac.schedule_jobs() schedules it with pg_cron; the install script never
-- does, and the function explains what to do when pg_cron is absent or
-- watches another database.

CREATE FUNCTION tmac.run_maintenance() RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  n_events integer;
  n_lapsed integer;
  n_cancelled integer;
  n_cron integer;
  result jsonb;
BEGIN
  n_events := tmac.apply_due_events();
  UPDATE tmac.access_grant g
     SET status = CASE WHEN g.grace_until < upper(g.validity) THEN 'ended' ELSE 'expired' END,
         ended_at = tmac.grant_lapse(g.validity, g.grace_until),
         end_reason = CASE WHEN g.grace_until < upper(g.validity) THEN 'role_change' ELSE 'expired' END,
         ended_by = 'tmac.run_maintenance'
   WHERE g.status = 'active' AND tmac.grant_lapse(g.validity, g.grace_until) <= now();
  GET DIAGNOSTICS n_lapsed = ROW_COUNT;
  UPDATE tmac.access_grant g
     SET status = 'cancelled', ended_at = upper(g.validity), end_reason = 'lapsed',
         ended_by = 'tmac.run_maintenance'
   WHERE g.status = 'pending' AND upper(g.validity) <= now();
  GET DIAGNOSTICS n_cancelled = ROW_COUNT;
  -- a pg_cron job running as a terminated person's role (scheduled after the termination)
  n_cron := tmac.terminated_cron_jobs_disable();
  result := jsonb_build_object('events_applied', n_events, 'grants_lapsed', n_lapsed,
                               'requests_cancelled', n_cancelled, 'cron_jobs_disabled', n_cron);
  IF n_events + n_lapsed + n_cancelled + n_cron > 0 THEN
    PERFORM tmac.audit_append('maintenance', 'run', NULL, result);
  END IF;
  BEGIN
    PERFORM tmac.login_gate_sync();
  EXCEPTION WHEN deadlock_detected THEN
    -- it waits for HR changes in progress; never lose the rest of the run over it
    RAISE WARNING USING MESSAGE = tmac.message('tmac.run_maintenance(): the login gate was not rebuilt (deadlock with a concurrent HR change); it is at the next run');
  END;
  -- the kept verdicts (86_verdicts.sql): decide the marked persons' acts again (in READ COMMITTED
  -- only; it waits at most 10 s for older transactions, and else leaves the markers to the next run)
  IF current_setting('transaction_isolation') = 'read committed' THEN
    result := result || jsonb_build_object('verdict_markers_folded', tmac.fold_verdicts('10 seconds'));
  END IF;
  UPDATE tmac.maintenance_state SET last_run_at = now(), last_result = result;
  RETURN result;
END
$$;
COMMENT ON FUNCTION tmac.run_maintenance() IS 'Applies due HR events, marks lapsed grants, cancels lapsed requests, disables pg_cron jobs running as terminated persons, rebuilds the login gate and folds the kept verdicts (tmac.fold_verdicts); returns counts. Safe to run at any time, any number of times';

CREATE TABLE tmac.maintenance_state (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_run_at  timestamptz,
  last_result  jsonb
);
INSERT INTO tmac.maintenance_state DEFAULT VALUES;
COMMENT ON TABLE tmac.maintenance_state IS 'When tmac.run_maintenance() last ran and what it did';

CREATE FUNCTION tmac.schedule_jobs(schedule text DEFAULT '*/5 * * * *') RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  cron_db text := current_setting('cron.database_name', true);
  jobid bigint;
  hint text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_cron') THEN
      RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
              MESSAGE = tmac.message('pg_cron is not installed on this server'),
              DETAIL = tmac.message('tmac works without it: access decisions never depend on the maintenance job.'),
              HINT = tmac.message('Install pg_cron (add it to shared_preload_libraries), or run SELECT tmac.run_maintenance(); every few minutes from another scheduler.');
    END IF;
    IF cron_db IS NOT NULL AND cron_db <> current_database() THEN
      RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
              MESSAGE = tmac.message('pg_cron runs in database "%s", not in "%s"', cron_db, current_database()),
              HINT = tmac.message('In database %I, run: SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                                  cron_db, 'tmac-maintenance-' || current_database(), schedule,
                                  'SELECT tmac.run_maintenance()', current_database());
    END IF;
    hint := CASE WHEN current_setting('shared_preload_libraries') ~ 'pg_cron'
                 THEN tmac.message('Run CREATE EXTENSION pg_cron; then call tmac.schedule_jobs() again.')
                 ELSE tmac.message('Add pg_cron to shared_preload_libraries, set cron.database_name, restart, CREATE EXTENSION pg_cron, then call tmac.schedule_jobs() again.') END;
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = tmac.message('the pg_cron extension is not created in this database'), HINT = hint;
  END IF;
  EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO jobid
    USING 'tmac-maintenance', schedule, 'SELECT tmac.run_maintenance()';
  RAISE NOTICE USING MESSAGE = tmac.message('tmac.run_maintenance() is scheduled as pg_cron job %s (%s)', jobid, schedule);
  -- the access statistics' hourly snapshot (tmac.access_stats_history)
  EXECUTE 'SELECT cron.schedule($1, $2, $3)' USING 'tmac-access-stats', '0 * * * *', 'SELECT tmac.snapshot_access_stats()';
  RETURN jobid;
END
$$;
COMMENT ON FUNCTION tmac.schedule_jobs(text) IS 'Schedules tmac.run_maintenance() with pg_cron (job tmac-maintenance, default every 5 minutes) and the hourly tmac.snapshot_access_stats() (job tmac-access-stats); returns the maintenance job''s id; explains what to do when pg_cron is absent or runs in another database';

CREATE FUNCTION tmac.unschedule_jobs() RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  done boolean := false;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    EXECUTE 'SELECT bool_or(cron.unschedule(jobid)) FROM cron.job WHERE jobname IN ($1, $2)' INTO done
      USING 'tmac-maintenance', 'tmac-access-stats';
  END IF;
  RETURN coalesce(done, false);
END
$$;
COMMENT ON FUNCTION tmac.unschedule_jobs() IS 'Removes the pg_cron jobs that tmac.schedule_jobs() created; false when there were none';
