-- reptz_time_zone.sql — pgTAP: one company time zone (issue 20 item 2).
--
-- tmac.configure('time_zone', …) is the one setting (date_time_zone, its old name, is accepted
-- and means the same); a zone is a name, never an abbreviation or a POSIX offset; tmac.message
-- writes a timestamptz argument in that zone with the zone named, exactly as tmac.company_time
-- does, whatever the session's TimeZone — in a finding's detail too — and a change of the
-- zone is seen by the next message, even in the same statement.
BEGIN;
SELECT plan(18);

-- 1. one setting
SELECT results_eq($$SELECT key, value, default_value FROM tmac.settings WHERE key ~ 'zone' ORDER BY key$$,
  $$VALUES ('time_zone'::text, 'Asia/Tokyo'::text, 'Asia/Tokyo'::text)$$,
  'one zone setting, time_zone (Asia/Tokyo out of the box); no second date_time_zone');
SELECT lives_ok($$SELECT tmac.configure('time_zone', 'europe/berlin')$$, 'tmac.configure(''time_zone'', …)');
SELECT is(tmac.setting_value('time_zone'), 'Europe/Berlin', 'stored as the zone''s name is spelt');
SELECT lives_ok($$SELECT tmac.configure('date_time_zone', 'America/New_York')$$, 'the old name is accepted');
SELECT results_eq($$SELECT tmac.setting_value('time_zone'), tmac.setting_value('date_time_zone'), tmac.setting_lookup('date_time_zone'), tmac.company_time_zone()$$,
  $$VALUES ('America/New_York'::text, 'America/New_York'::text, 'America/New_York'::text, 'America/New_York'::text)$$,
  'and means the same setting, for whoever still reads it by that name');
SELECT is((SELECT count(*) FROM tmac.setting WHERE key = 'date_time_zone'), 0::bigint, 'nothing is stored under the old name');
SELECT is(tmac.day_start('2026-12-07'), '2026-12-07 05:00:00+00'::timestamptz,
  'the days of pledges and training begin in the same zone');
SELECT throws_ok($$SELECT tmac.configure('time_zone', 'JST')$$, '22023', NULL, 'an abbreviation is not a zone''s name');
SELECT throws_ok($$SELECT tmac.configure('time_zone', '+09')$$, '22023', NULL,
  'nor a POSIX offset (+09 would mean nine hours west of UTC)');
SELECT tmac.configure('time_zone', 'Asia/Tokyo');

-- 2. a timestamptz in a message: the company's zone, named, whatever the session's TimeZone
SET LOCAL TimeZone = 'UTC';
SELECT is(tmac.message('seen at %s', '2026-12-07 00:52:00+00'::timestamptz), 'seen at 2026-12-07 09:52:00 JST',
  'tmac.message writes a timestamptz in the company''s zone, with the zone');
SELECT ok(tmac.message('%s', now()) = tmac.company_time(now()), 'exactly as tmac.company_time writes it');
CREATE TEMP TABLE reptz_written AS
  SELECT tmac.message('at %s, %L', '2026-12-07 00:52:00.75+00'::timestamptz, '2026-07-01 12:00:00+00'::timestamptz) AS m;
SET LOCAL TimeZone = 'America/Los_Angeles';
SELECT is(tmac.message('at %s, %L', '2026-12-07 00:52:00.75+00'::timestamptz, '2026-07-01 12:00:00+00'::timestamptz),
  (SELECT m FROM reptz_written), 'the same text in a session in another zone');
SELECT is((SELECT m FROM reptz_written), 'at 2026-12-07 09:52:00 JST, ''2026-07-01 21:00:00 JST''',
  'seconds truncated, %L quotes it');
CREATE DOMAIN pg_temp.reptz_moment AS timestamptz CHECK (VALUE > '2000-01-01');
SELECT is(tmac.message('%s', '2026-12-07 00:52:00+00'::pg_temp.reptz_moment), '2026-12-07 09:52:00 JST',
  'a domain over timestamptz too (its value is read, no function of the domain''s runs)');

-- 3. a change of zone is seen by the next message, in the same statement too
DO $$
BEGIN
  PERFORM tmac.message('%s', now());           -- the zone read for this statement
  PERFORM tmac.configure('time_zone', 'Europe/London');
  IF tmac.message('%s', '2026-12-07 00:52:00+00'::timestamptz) <> '2026-12-07 00:52:00 GMT' THEN
    RAISE EXCEPTION 'stale zone: %', tmac.message('%s', '2026-12-07 00:52:00+00'::timestamptz);
  END IF;
  PERFORM tmac.configure('time_zone', 'Asia/Tokyo');
END
$$;
SELECT pass('a change of the zone is seen by the next message of the same statement');
SELECT is(tmac.company_time('2026-12-07 00:52:00+00'), '2026-12-07 09:52:00 JST', 'and by the next statement');

-- 4. a finding's detail (a company's own check, run as its function's owner)
\i test/pgtap/reptz_sign.psql
SET LOCAL TimeZone = 'UTC';
CREATE TEMP TABLE reptz_detail AS SELECT detail FROM tmac.findings WHERE check_code = 'reptz_sign';
SET LOCAL TimeZone = 'Pacific/Honolulu';
SELECT results_eq($$SELECT detail FROM tmac.findings WHERE check_code = 'reptz_sign'$$,
  $$SELECT detail FROM reptz_detail$$, 'a finding''s detail reads the same in any session''s zone');
SELECT is((SELECT detail FROM reptz_detail), 'Bulk export seen at ' || tmac.company_time('2026-12-07 00:52:00+00') || '.',
  'the moment written as tmac.company_time writes it');

SELECT * FROM finish();
ROLLBACK;
