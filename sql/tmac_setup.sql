-- tmac_setup: create the extension and the vocabulary the other regression tests use.
\set VERBOSITY terse
CREATE EXTENSION tmac;
SET search_path = public, tmac;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = public, tmac', current_database()); END $$;
SELECT extname, extversion FROM pg_extension WHERE extname = 'tmac';
SELECT code, rank, name, aliases FROM tmac.level ORDER BY rank;
SELECT tmac.define_compartment('PRJ-A', 'プロジェクトA');
SELECT tmac.define_compartment('PRJ-B', 'プロジェクトB');
SELECT tmac.define_compartment('BLUEPRINT', '製品設計図', 'Current product blueprints');
SELECT tmac.define_group('DEV', '開発部');
SELECT tmac.define_group('DEV-1', '開発一課', 'DEV');
SELECT tmac.define_group('SALES', '営業部');
