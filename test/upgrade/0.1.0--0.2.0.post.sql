-- Hand-written part of sql/tmac--0.1.0--0.2.0.sql, run after the generated creations,
-- replacements and shipped rows, before the generated removals, privileges and comments
-- (test/upgrade/make_upgrade.sh includes it).  Put here data migration, changes to the
-- objects tmac.protect() created on users' tables, and whatever make_upgrade.sh reports
-- as not generated.

-- tmac.protect() changed in 0.2.0 (partitions and inheritance children, an audited
-- registry), but the policies and the trigger it puts on a table did not:
-- test/scripts/upgrade.sh compares those of a table protected under 0.1.0 with a fresh
-- protect(), so tables protected before the upgrade need nothing here.
