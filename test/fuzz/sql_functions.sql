-- sql_functions.sql — calls every function and procedure of tmac that the current role may
-- execute with edge values (NULLs, empty, odd and huge texts, extreme numbers and instants, labels
-- of several shapes, catalogs and tmac's own tables as regclass), each call in its own
-- subtransaction, and prints one line "BAD <function> <SQLSTATE> <message> <- <arguments>" per
-- error tmac did not mean: an internal error (class XX), resources exhausted (53, 54), SQL that
-- tmac built and PostgreSQL could not run (42601 syntax, 42883 no such function or operator,
-- 42P01 no such table, 42725 ambiguous), or a constraint violation PostgreSQL reported for a
-- table of tmac (a check tmac should have made first, with its own message).  A crash ends the
-- session: psql's exit status tells.  Run by test/scripts/fuzz_sql.sh as each of several roles,
-- :rounds calls per function (arguments drawn deterministically from the pool).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE TEMP TABLE fuzz_pool(t regtype, v text);
INSERT INTO fuzz_pool VALUES
 ('text', NULL), ('text', ''), ('text', ' '), ('text', 'x'), ('text', 'E1001'), ('text', 'SECRET:BLUEPRINT:DEV'),
 ('text', repeat('あ', 3000)), ('text', 'TOP_SECRET:' || repeat('BLUEPRINT,', 300)), ('text', '%s%n%999999999s%L%I'),
 ('text', E'\\'), ('text', '::'), ('text', ':,:,'), ('text', 'PUBLIC::'), ('text', '"'), ('text', E'a\nb'), ('text', 'sato'),
 ('tmac.label', NULL), ('tmac.label', 'PUBLIC'), ('tmac.label', 'TOP_SECRET:BLUEPRINT,PROTO-2026:DEV,GA,SALES'),
 ('tmac.label', 'CONFIDENTIAL::DEV-1'), ('tmac.label', 'SECRET:BLUEPRINT'),
 ('integer', NULL), ('integer', '0'), ('integer', '-1'), ('integer', '1'), ('integer', '2147483647'), ('integer', '-2147483648'),
 ('bigint', NULL), ('bigint', '0'), ('bigint', '1'), ('bigint', '-9223372036854775808'), ('bigint', '9223372036854775807'),
 ('smallint', NULL), ('smallint', '0'), ('smallint', '-32768'), ('smallint', '32767'), ('smallint', '30'),
 ('timestamp with time zone', NULL), ('timestamp with time zone', 'infinity'), ('timestamp with time zone', '-infinity'),
 ('timestamp with time zone', '4713-01-01 00:00 BC'), ('timestamp with time zone', '294276-12-30'), ('timestamp with time zone', 'now'),
 ('date', NULL), ('date', 'infinity'), ('date', '-infinity'), ('date', '4713-01-01 BC'), ('date', '5874897-12-31'), ('date', 'today'),
 ('interval', NULL), ('interval', '-1 day'), ('interval', '178000000 years'), ('interval', '0'), ('interval', '1 day'),
 ('boolean', NULL), ('boolean', 'true'), ('boolean', 'false'),
 ('regclass', NULL), ('regclass', 'pg_class'), ('regclass', 'tmac.person'), ('regclass', 'tmac.audit_log'), ('regclass', 'tmac.grants'),
 ('regnamespace', NULL), ('regnamespace', 'pg_catalog'), ('regnamespace', 'tmac'), ('regnamespace', 'public'),
 ('regprocedure', NULL), ('regprocedure', 'pg_catalog.now()'), ('regprocedure', 'tmac.today()'),
 ('oid', NULL), ('oid', '0'), ('oid', '4294967295'),
 ('regrole', NULL), ('regrole', 'postgres'), ('regrole', 'public'), ('regrole', 'tmac_admin'),
 ('jsonb', NULL), ('jsonb', '{}'), ('jsonb', '[]'), ('jsonb', '"x"'), ('jsonb', 'null'),
 ('jsonb', '{"login_role":"postgres","full_name":null,"org_group":"","job_role":[1]}'),
 ('jsonb', repeat('[', 3000) || repeat(']', 3000)),
 ('json', NULL), ('json', '{}'), ('json', '[1,{}]'),
 ('text[]', NULL), ('text[]', '{}'), ('text[]', '{NULL}'), ('text[]', '{"",""}'), ('text[]', '{E1001,E1002}'),
 ('integer[]', NULL), ('integer[]', '{}'), ('integer[]', '{NULL,-1}'),
 ('bigint[]', NULL), ('bigint[]', '{}'), ('bigint[]', '{NULL,-1,1}'),
 ('smallint[]', NULL), ('smallint[]', '{}'),
 ('timestamp with time zone[]', NULL), ('timestamp with time zone[]', '{}'), ('timestamp with time zone[]', '{infinity,NULL}'),
 ('tstzrange', NULL), ('tstzrange', 'empty'), ('tstzrange', '(,)'), ('tstzrange', '[now,infinity)'), ('tstzrange', '[now,now]'),
 ('daterange', NULL), ('daterange', 'empty'), ('daterange', '(,)'),
 ('numeric', NULL), ('numeric', 'NaN'), ('numeric', '1e100'), ('numeric', '-0.5'),
 ('bytea', NULL), ('bytea', '\x'), ('bytea', '\x00000000ffffffff'), ('bytea', '\xffffffffffffffffffffffffffffffff'),
 ('inet', NULL), ('inet', '::1'),
 ('name', NULL), ('name', ''), ('name', 'postgres'), ('name', 'label'), ('name', 'sato'), ('name', 'tmac_admin'),
 ('"char"', NULL), ('"char"', 'x'),
 ('tmac.label[]', NULL), ('tmac.label[]', '{}'), ('tmac.label[]', '{NULL,PUBLIC}');
CREATE TEMP TABLE fuzz_result(fn regprocedure, args text, sqlstate text, message text);
SET fuzz.rounds = :rounds;
DO $fuzz$
DECLARE
  f record; k int; i int; a text; vals text[]; tn regtype; q text; st text; msg text; con text; col text;
BEGIN
  SET LOCAL statement_timeout = '5s';
  FOR f IN
    SELECT p.oid, p.proname, p.pronargs, p.provariadic, p.prokind, p.proargtypes::regtype[] AS types
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'tmac'::regnamespace AND p.prokind IN ('f', 'p')
       AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
       AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype, 'internal'::regtype)
       AND NOT ('internal'::regtype = ANY (p.proargtypes::regtype[]))
     ORDER BY p.proname, p.oid
  LOOP
    FOR i IN 1 .. current_setting('fuzz.rounds')::int LOOP
      vals := '{}';
      FOR k IN 0 .. f.pronargs - 1 LOOP
        tn := f.types[k + array_lower(f.types, 1)];
        a := NULL;
        SELECT coalesce(quote_literal(v), 'NULL') || '::' || tn::text INTO a
          FROM fuzz_pool WHERE t = tn ORDER BY hashtext(coalesce(v, '') || i || f.oid::text || k) LIMIT 1;
        IF a IS NULL THEN
          a := 'NULL::' || tn::text;
        END IF;
        IF k = f.pronargs - 1 AND f.provariadic <> 0 THEN
          a := 'VARIADIC ' || a;
        END IF;
        vals := vals || a;
      END LOOP;
      q := CASE f.prokind WHEN 'p' THEN 'CALL ' ELSE 'SELECT count(*) FROM (SELECT ' END
           || 'tmac.' || quote_ident(f.proname) || '(' || array_to_string(vals, ', ') || ')'
           || CASE f.prokind WHEN 'p' THEN '' ELSE ') x' END;
      BEGIN
        EXECUTE q;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, con = CONSTRAINT_NAME, col = COLUMN_NAME;
        IF st LIKE 'XX%' OR st LIKE '53%' OR st LIKE '54%' OR st IN ('42601', '42883', '42P01', '42725')
           OR (st LIKE '23%' AND (con <> '' OR col <> '')) THEN
          INSERT INTO fuzz_result VALUES (f.oid, array_to_string(vals, ', '), st, msg);
        END IF;
      END;
    END LOOP;
  END LOOP;
END
$fuzz$;
SELECT 'BAD ' || fn::text || ' ' || sqlstate || ' ' || left(message, 160) || '  <- ' || left(min(args), 160)
  FROM fuzz_result GROUP BY fn, sqlstate, message ORDER BY 1;
