-- describe.sql — the schema of the current database as sorted text lines, one fact a line,
-- free of OIDs, so that two databases can be compared with diff(1).
--
-- Used by test/scripts/upgrade.sh (an upgraded 0.1.0 against a fresh install) and by
-- test/upgrade/make_upgrade.sh.  Covers every schema that is not PostgreSQL's own:
-- extension membership and config-dump registration, functions (signature, result,
-- language, volatility, strictness, parallel safety, SECURITY DEFINER, SET options,
-- source), relations and columns, constraints, indexes, triggers, policies, views,
-- sequences, types, operators, operator classes and families, casts, privileges
-- (and pg_init_privs), comments, tmac's roles, and the rows tmac ships (tables that are
-- not user data, and the rows a config-dump condition excludes).
-- Run with: psql -X -A -t -q -v ON_ERROR_STOP=1 -f describe.sql
SET search_path = pg_catalog;     -- every user object prints schema-qualified
SET client_min_messages = warning;

CREATE TEMP TABLE describe_line (line text);

-- Objects of interest: OID ≥ 16384 (created after initdb) outside PostgreSQL's schemas.
CREATE TEMP VIEW describe_ns AS
  SELECT n.oid, n.nspname FROM pg_namespace n
   WHERE n.oid >= 16384 AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema';

-- An acl with PostgreSQL's default spelled out, its items sorted.
CREATE FUNCTION pg_temp.acl(a aclitem[], kind "char", owner oid) RETURNS text
  LANGUAGE sql STABLE
  RETURN (SELECT string_agg(x::text, ',' ORDER BY x::text)
            FROM unnest(coalesce(a, acldefault(kind, owner))) x);

CREATE FUNCTION pg_temp.one_line(t text) RETURNS text
  LANGUAGE sql IMMUTABLE RETURN regexp_replace(t, '\s+', ' ', 'g');

INSERT INTO describe_line
-- extension, membership, config-dump registration
SELECT format('extension %s version=%s schema=%s relocatable=%s', extname, extversion,
              extnamespace::regnamespace, extrelocatable)
  FROM pg_extension WHERE oid >= 16384
UNION ALL
SELECT format('member %s: %s %s', e.extname, i.type, i.identity)
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
       CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) i
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.oid >= 16384
UNION ALL
SELECT format('config %s: %s %s', e.extname, c.rel::regclass, coalesce(e.extcondition[c.n], '<null>'))
  FROM pg_extension e CROSS JOIN LATERAL unnest(e.extconfig) WITH ORDINALITY c(rel, n)
 WHERE e.oid >= 16384
UNION ALL
-- functions
SELECT format('function %s args=(%s) returns=%s kind=%s lang=%s volatile=%s strict=%s parallel=%s '
              'secdef=%s leakproof=%s cost=%s rows=%s config=%s bin=%s src=%s support=%s owner=%s acl=%s',
              p.oid::regprocedure, pg_get_function_arguments(p.oid),
              CASE WHEN p.prokind IN ('f', 'w') THEN pg_get_function_result(p.oid) END,
              p.prokind, l.lanname, p.provolatile, p.proisstrict, p.proparallel, p.prosecdef,
              p.proleakproof, p.procost, p.prorows, p.proconfig, p.probin,
              CASE WHEN p.prosqlbody IS NOT NULL THEN 'sql:' || md5(pg_get_function_sqlbody(p.oid))
                   WHEN l.lanname IN ('c', 'internal') THEN p.prosrc
                   ELSE md5(p.prosrc) END,
              p.prosupport, p.proowner::regrole, pg_temp.acl(p.proacl, 'f', p.proowner))
  FROM pg_proc p JOIN describe_ns n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
UNION ALL
-- relations
SELECT format('relation %s kind=%s persistence=%s rls=%s force_rls=%s replident=%s options=%s '
              'partitioned=%s owner=%s acl=%s',
              c.oid::regclass, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
              c.relreplident, c.reloptions, c.relispartition, c.relowner::regrole,
              pg_temp.acl(c.relacl, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
  FROM pg_class c JOIN describe_ns n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
UNION ALL
-- columns: position among live columns, type, NOT NULL, default, identity, generated, collation, acl
SELECT format('column %s.%s position=%s type=%s notnull=%s default=%s identity=%s generated=%s '
              'collation=%s acl=%s',
              c.oid::regclass, quote_ident(a.attname),
              row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
              format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid),
              a.attidentity, a.attgenerated,
              CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END,
              (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a.attacl) x))
  FROM pg_class c JOIN describe_ns n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
UNION ALL
-- constraints (of tables and domains)
SELECT format('constraint %s %s: %s', coalesce(r.oid::regclass::text, ty.oid::regtype::text),
              quote_ident(k.conname), pg_get_constraintdef(k.oid))
  FROM pg_constraint k JOIN describe_ns n ON n.oid = k.connamespace
       LEFT JOIN pg_class r ON r.oid = k.conrelid LEFT JOIN pg_type ty ON ty.oid = k.contypid
UNION ALL
-- indexes
SELECT format('index %s: %s', i.indrelid::regclass, pg_get_indexdef(i.indexrelid))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN describe_ns n ON n.oid = c.relnamespace
UNION ALL
-- triggers
SELECT format('trigger %s %s enabled=%s: %s', t.tgrelid::regclass, quote_ident(t.tgname), t.tgenabled,
              pg_get_triggerdef(t.oid))
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN describe_ns n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal
UNION ALL
-- event triggers
SELECT format('event_trigger %s event=%s function=%s enabled=%s tags=%s', evtname, evtevent,
              evtfoid::regprocedure, evtenabled, evttags)
  FROM pg_event_trigger WHERE oid >= 16384
UNION ALL
-- policies
SELECT format('policy %s %s cmd=%s permissive=%s roles=%s using=%s check=%s', p.polrelid::regclass,
              quote_ident(p.polname), p.polcmd, p.polpermissive,
              (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ',' ORDER BY 1)
                 FROM unnest(p.polroles) r),
              pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN describe_ns n ON n.oid = c.relnamespace
UNION ALL
-- views
SELECT format('view %s: %s', c.oid::regclass, pg_temp.one_line(pg_get_viewdef(c.oid)))
  FROM pg_class c JOIN describe_ns n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
UNION ALL
-- sequences (their parameters; the current value is data)
SELECT format('sequence %s type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s owned_by=%s',
              s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin,
              s.seqmax, s.seqcache, s.seqcycle,
              (SELECT d.refobjid::regclass || '.' || a.attname || ' ' || d.deptype::text
                 FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
                  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN describe_ns n ON n.oid = c.relnamespace
UNION ALL
-- types (not the row types of relations)
SELECT format('type %s type=%s len=%s byval=%s align=%s storage=%s category=%s preferred=%s '
              'in=%s out=%s recv=%s send=%s modin=%s modout=%s analyze=%s subscript=%s elem=%s '
              'base=%s notnull=%s default=%s collatable=%s owner=%s acl=%s enum=%s',
              t.oid::regtype, t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory,
              t.typispreferred, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin,
              t.typmodout, t.typanalyze, t.typsubscript, t.typelem::regtype, t.typbasetype::regtype,
              t.typnotnull, t.typdefault, t.typcollation <> 0, t.typowner::regrole,
              pg_temp.acl(t.typacl, 'T', t.typowner),
              (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e
                WHERE e.enumtypid = t.oid))
  FROM pg_type t JOIN describe_ns n ON n.oid = t.typnamespace
 WHERE t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'
UNION ALL
-- operators
SELECT format('operator %s result=%s proc=%s commutator=%s negator=%s restrict=%s join=%s '
              'hashes=%s merges=%s', o.oid::regoperator, o.oprresult::regtype, o.oprcode,
              nullif(o.oprcom, 0)::regoperator, nullif(o.oprnegate, 0)::regoperator, o.oprrest,
              o.oprjoin, o.oprcanhash, o.oprcanmerge)
  FROM pg_operator o JOIN describe_ns n ON n.oid = o.oprnamespace
UNION ALL
-- operator families and classes, and their members
SELECT format('opfamily %s', pg_describe_object('pg_opfamily'::regclass, f.oid, 0))
  FROM pg_opfamily f JOIN describe_ns n ON n.oid = f.opfnamespace
UNION ALL
SELECT format('opclass %s default=%s family=%s keytype=%s', pg_describe_object('pg_opclass'::regclass, c.oid, 0),
              c.opcdefault, pg_describe_object('pg_opfamily'::regclass, c.opcfamily, 0),
              nullif(c.opckeytype, 0)::regtype)
  FROM pg_opclass c JOIN describe_ns n ON n.oid = c.opcnamespace
UNION ALL
SELECT format('amop %s purpose=%s sortfamily=%s', pg_describe_object('pg_amop'::regclass, o.oid, 0),
              o.amoppurpose, nullif(o.amopsortfamily, 0))
  FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily JOIN describe_ns n ON n.oid = f.opfnamespace
UNION ALL
SELECT format('amproc %s', pg_describe_object('pg_amproc'::regclass, p.oid, 0))
  FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily JOIN describe_ns n ON n.oid = f.opfnamespace
UNION ALL
-- casts from or to a type of ours
SELECT format('cast %s function=%s context=%s method=%s', pg_describe_object('pg_cast'::regclass, c.oid, 0),
              nullif(c.castfunc, 0)::regprocedure, c.castcontext, c.castmethod)
  FROM pg_cast c WHERE c.oid >= 16384
UNION ALL
-- schemas
SELECT format('schema %s owner=%s acl=%s', quote_ident(n.nspname), ns.nspowner::regrole,
              pg_temp.acl(ns.nspacl, 'n', ns.nspowner))
  FROM describe_ns n JOIN pg_namespace ns ON ns.oid = n.oid
UNION ALL
SELECT format('default_acl %s %s %s: %s', d.defaclrole::regrole, d.defaclnamespace::regnamespace,
              d.defaclobjtype, (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(d.defaclacl) x))
  FROM pg_default_acl d
UNION ALL
-- the privileges pg_dump treats as the extension's own (pg_init_privs)
SELECT format('init_privs %s %s: %s', i.type, i.identity,
              (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(p.initprivs) x))
  FROM pg_init_privs p CROSS JOIN LATERAL pg_identify_object(p.classoid, p.objoid, p.objsubid) i
 WHERE p.objoid >= 16384 AND p.privtype = 'e'
UNION ALL
-- comments
SELECT format('comment %s %s: %s', i.type, i.identity, d.description)
  FROM pg_description d CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) i
 WHERE d.objoid >= 16384
UNION ALL
-- tmac's roles (cluster-wide: created by the install and upgrade scripts)
SELECT format('role %s super=%s inherit=%s createrole=%s createdb=%s login=%s replication=%s '
              'bypassrls=%s member_of=%s comment=%s', r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole,
              r.rolcreatedb, r.rolcanlogin, r.rolreplication, r.rolbypassrls,
              (SELECT string_agg(g.rolname || CASE WHEN m.admin_option THEN '(admin)' ELSE '' END, ','
                                 ORDER BY g.rolname)
                 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid),
              shobj_description(r.oid, 'pg_authid'))
  FROM pg_roles r WHERE r.rolname LIKE 'tmac\_%';

-- Rows an extension ships: all rows of its member tables that are not config-dumped, and
-- the rows a config-dump condition leaves out.  Columns filled per installation (identity,
-- serials, defaults such as now() or session_user, timestamps) are left out of the line.
DO $describe$
DECLARE
  r record;
  cols text;
BEGIN
  FOR r IN
    SELECT c.oid AS rel, e.extconfig, e.extcondition,
           array_position(e.extconfig, c.oid) AS pos
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
           JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'r'
     WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
       AND d.deptype = 'e'
       -- (the kept verdicts and their markers are derived state, not shipped: the acts and the
       -- governance changes of each database write them; 86_verdicts.sql)
       AND c.oid::regclass::text NOT IN ('tmac.act_verdict', 'tmac.verdict_mark')
  LOOP
    CONTINUE WHEN r.pos IS NOT NULL AND coalesce(r.extcondition[r.pos], '') !~* '^\s*where\s';
    SELECT string_agg(format('%L, %I', a.attname, a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     WHERE a.attrelid = r.rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = ''
       AND a.atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype)
       AND (ad.adbin IS NULL
            OR pg_get_expr(ad.adbin, ad.adrelid) ~ '^(''([^'']|'''')*''(::[a-z ]+)?|true|false|-?[0-9.]+)$');
    EXECUTE format('INSERT INTO describe_line SELECT %L || jsonb_build_object(%s)::text FROM %s t %s',
                   'shipped_row ' || r.rel::regclass || ' ', coalesce(cols, ''), r.rel::regclass,
                   CASE WHEN r.pos IS NOT NULL
                        THEN 'WHERE NOT (' || regexp_replace(r.extcondition[r.pos], '^\s*where\s', '', 'i') || ')'
                        ELSE '' END);
  END LOOP;
END
$describe$;

SELECT l FROM (SELECT pg_temp.one_line(line) AS l FROM describe_line) d ORDER BY l COLLATE "C";
