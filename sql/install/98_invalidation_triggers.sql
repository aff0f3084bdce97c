-- 98_invalidation_triggers.sql — the governance tables: the one list of tables whose changes
-- tell every backend that governance data changed.
--
-- Each carries the statement trigger invalidate_caches, which calls tmac.cache_invalidate()
-- (src/governance_change.c): one relcache invalidation of tmac.cache_sentinel per statement,
-- which the profile, vocabulary, restore-window and extension caches listen for.  Every table
-- tmac.access_profile_of() and the login gate (tmac.login_gate_wanted()) read must be here:
-- test/pgtap/spine_trigger_coverage.sql derives the tables they read from their bodies and
-- fails when one lacks the trigger.  Installed late, once every table exists (the install
-- writes only the default levels before it, and nothing has cached the vocabulary by then).
--
-- The changes the HR feed applies from inside its row trigger on tmac.hr_event
-- (tmac.hr_event_receive sets the flag tmac.hr_feed_applying(), see src/governance_change.c)
-- to tmac.person and tmac.access_grant are covered by the invalidation of tmac.hr_event at the
-- end of that same statement: invalidating there too, once per event, made every cached plan
-- that reads persons be planned again for each event of a COPY.  Those two tables' triggers
-- therefore skip statements run while the feed applies an event (hr_feed below).
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('level', false), ('compartment', false), ('org_group', false),   -- the vocabulary
      ('setting', false),
      ('person', true),
      ('pledge', false), ('training_completion', false),
      ('hr_event', false),
      ('access_grant', true),
      ('restore_window', false)) AS l(tbl, hr_feed)
  LOOP
    EXECUTE pg_catalog.format(
      'CREATE TRIGGER invalidate_caches AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tmac.%I
         FOR EACH STATEMENT %s EXECUTE FUNCTION tmac.cache_invalidate()',
      t.tbl,
      CASE WHEN t.hr_feed
           THEN 'WHEN (pg_catalog.pg_trigger_depth() = 0 OR NOT tmac.hr_feed_applying())' ELSE '' END);
  END LOOP;
END
$$;
