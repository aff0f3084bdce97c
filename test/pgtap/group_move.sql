-- group_move.sql — pgTAP: tmac.move_group with groups whose name equals their code ignoring
-- case (such a group has two equal spellings, and the move failed with "more
-- than one row returned by a subquery"), and the lock that serialises tree changes (the two-session race itself is test/isolation/specs/group_tree_race.spec).
BEGIN;
SELECT plan(10);
SELECT tmac.define_group('GA', 'ga');
SELECT tmac.define_group('GB', 'Group B');
SELECT tmac.define_group('gc', 'GC');
-- a tree change holds a lock that makes another tree change wait (the moves: the isolation spec)
SELECT is((SELECT mode FROM pg_catalog.pg_locks
            WHERE locktype = 'relation' AND relation = 'tmac.org_group'::regclass AND pid = pg_backend_pid()
              AND mode = 'ShareRowExclusiveLock'),
          'ShareRowExclusiveLock', 'define_group holds a SHARE ROW EXCLUSIVE lock on tmac.org_group until commit');

CREATE FUNCTION pg_temp.parent_of(g text) RETURNS text LANGUAGE sql AS
  $$SELECT p.code FROM tmac.org_group c LEFT JOIN tmac.org_group p ON p.group_id = c.parent_id WHERE c.code = g$$;

SELECT lives_ok($$SELECT tmac.move_group('GA', 'GB')$$, 'a group named like its code (GA, ga) can be moved');
SELECT is(pg_temp.parent_of('GA'), 'GB', 'it is under its new parent');
SELECT lives_ok($$SELECT tmac.move_group('GB', 'gc')$$, 'a group can be moved under such a group (gc, GC)');
SELECT is(pg_temp.parent_of('GB'), 'gc', 'GB is under gc');
SELECT lives_ok($$SELECT tmac.move_group('ga', NULL)$$, 'the group is found by its name too, and made a root');
SELECT is(pg_temp.parent_of('GA'), NULL, 'GA is a root again');
SELECT lives_ok($$SELECT tmac.define_group('GD', 'Group D', 'GA')$$, 'define_group accepts such a group as parent');
SELECT throws_ok($$SELECT tmac.move_group('gc', 'GB')$$, '22023',
                 'group "gc" cannot be placed under one of its own descendants', 'a cycle through it is still refused');

SELECT ok(EXISTS (SELECT 1 FROM tmac.audit_log WHERE category = 'org_group' AND action = 'UPDATE' AND subject = 'GA'),
          'the moves are audited');

SELECT * FROM finish();
ROLLBACK;
