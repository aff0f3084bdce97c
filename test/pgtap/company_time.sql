-- company_time.sql — pgTAP: tmac.company_time writes a moment in the company's time zone and
-- names the zone, whatever the session's TimeZone.
BEGIN;
SELECT plan(6);
SET LOCAL TimeZone = 'America/Los_Angeles';
SELECT is(tmac.company_time_zone(), 'Asia/Tokyo', 'the company''s zone is the time_zone setting (Asia/Tokyo out of the box)');
SELECT is(tmac.company_time('2026-12-07 00:52:00+00'), '2026-12-07 09:52:00 JST', 'a moment in JST, not the session''s zone');
SELECT is(tmac.company_time(NULL), NULL, 'NULL for NULL');
SELECT tmac.configure('time_zone', 'Europe/Berlin');
SELECT is(tmac.company_time('2026-01-15 12:00:00+00'), '2026-01-15 13:00:00 CET', 'the zone''s abbreviation in force at that moment');
SELECT is(tmac.company_time('2026-07-15 12:00:00+00'), '2026-07-15 14:00:00 CEST', 'summer time too (whatever the date the test runs on)');
SELECT tmac.configure('time_zone', 'America/Sao_Paulo');
SELECT is(tmac.company_time('2026-07-15 12:00:00+00'), '2026-07-15 09:00:00 UTC-03:00', 'the offset from UTC where the zone has no alphabetic abbreviation');
SELECT * FROM finish();
ROLLBACK;
