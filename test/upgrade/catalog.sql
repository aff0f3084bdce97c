-- catalog.sql — the objects of schema tmac as one JSON document, for gen_upgrade.py.
-- OIDs are kept: in a fresh install they give the order in which the install script
-- created each object, which is an order their dependencies allow.
SET search_path = pg_catalog;

-- The rows tmac ships in a table (all rows of a member table that is not config-dumped,
-- the rows a config-dump condition leaves out), each column as an SQL literal.  The
-- columns compared are those describe.sql compares; identity columns filled BY DEFAULT
-- are carried too, so that a shipped row keeps the id a fresh install gives it.
CREATE FUNCTION pg_temp.shipped_rows(rel regclass, cond text) RETURNS json LANGUAGE plpgsql AS $f$
DECLARE
  cols text[];
  extra text[];
  keycols text[];
  rows json;
BEGIN
  SELECT array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attidentity = ''),
         array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attidentity = 'd')
    INTO cols, extra
    FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
   WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity IN ('', 'd')
     AND (a.attidentity = 'd' OR (a.atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype)
          AND (ad.adbin IS NULL
               OR pg_get_expr(ad.adbin, ad.adrelid) ~ '^(''([^'']|'''')*''(::[a-z ]+)?|true|false|-?[0-9.]+)$')));
  -- the key: the primary key, or else the first unique index, made of compared columns
  SELECT k.keys INTO keycols
    FROM (SELECT i.indisprimary, i.indexrelid,
                 array_agg(a.attname::text ORDER BY x.n) AS keys
            FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY x(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = x.attnum
           WHERE i.indrelid = rel AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
           GROUP BY i.indisprimary, i.indexrelid) k
   WHERE k.keys <@ cols
   ORDER BY k.indisprimary DESC, k.indexrelid LIMIT 1;
  EXECUTE format('SELECT coalesce(json_agg(json_build_object(%s)), ''[]'') FROM %s t %s',
                 (SELECT string_agg(format('%L, quote_nullable(t.%I::text) || ''::'' || %L', c, c,
                                           format_type(a.atttypid, a.atttypmod)), ', ')
                    FROM unnest(cols || coalesce(extra, '{}')) c
                         JOIN pg_attribute a ON a.attrelid = rel AND a.attname = c),
                 rel, CASE WHEN cond IS NOT NULL THEN 'WHERE NOT (' || regexp_replace(cond, '^\s*where\s', '', 'i') || ')' END)
    INTO rows;
  RETURN json_build_object('table', rel::text, 'cols', cols, 'extra', coalesce(extra, '{}'),
                           'key', keycols, 'rows', rows);
END
$f$;

WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = 'tmac'),
ext AS (SELECT * FROM pg_extension WHERE extname = 'tmac')
SELECT json_build_object(
 'functions', (SELECT coalesce(json_agg(json_build_object(
     'oid', p.oid, 'ident', p.oid::regprocedure::text, 'kind', p.prokind,
     'identity', (pg_identify_object('pg_proc'::regclass, p.oid, 0)).identity,
     'name', p.oid::regproc::text, 'sqlbody', p.prosqlbody IS NOT NULL,
     'volatile', p.provolatile, 'strict', p.proisstrict, 'secdef', p.prosecdef, 'parallel', p.proparallel,
     'leakproof', p.proleakproof, 'cost', p.procost, 'rows', p.prorows, 'config', p.proconfig,
     'args', pg_get_function_arguments(p.oid), 'result', pg_get_function_result(p.oid),
     'def', CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END)), '[]')
   FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM ns)),
 'tables', (SELECT coalesce(json_agg(json_build_object(
     'oid', c.oid, 'name', c.oid::regclass::text, 'kind', c.relkind, 'persistence', c.relpersistence,
     'rls', c.relrowsecurity, 'force_rls', c.relforcerowsecurity, 'options', c.reloptions,
     'columns', (SELECT coalesce(json_agg(json_build_object(
          'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull,
          'default', pg_get_expr(ad.adbin, ad.adrelid), 'default_oid', ad.oid,
          'identity', a.attidentity, 'generated', a.attgenerated,
          'collation', CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END)
          ORDER BY a.attnum), '[]')
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
             LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
       WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))), '[]')
   FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p')),
 'views', (SELECT coalesce(json_agg(json_build_object(
     'oid', c.oid, 'name', c.oid::regclass::text, 'kind', c.relkind, 'options', c.reloptions,
     'def', pg_get_viewdef(c.oid),
     'columns', (SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
        FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0))), '[]')
   FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('v', 'm')),
 'sequences', (SELECT coalesce(json_agg(json_build_object(
     'oid', c.oid, 'name', c.oid::regclass::text, 'type', format_type(s.seqtypid, NULL),
     'start', s.seqstart, 'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax,
     'cache', s.seqcache, 'cycle', s.seqcycle,
     'owned_by', (SELECT d.refobjid::regclass || '.' || quote_ident(a.attname)
                    FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'
                     AND d.refclassid = 'pg_class'::regclass),
     'identity', EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                     AND d.objid = c.oid AND d.deptype = 'i'))), '[]')
   FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid
  WHERE c.relnamespace = (SELECT oid FROM ns)),
 'constraints', (SELECT coalesce(json_agg(json_build_object(
     'oid', k.oid, 'rel', k.conrelid::regclass::text, 'name', quote_ident(k.conname), 'type', k.contype,
     'def', pg_get_constraintdef(k.oid))), '[]')
   FROM pg_constraint k WHERE k.connamespace = (SELECT oid FROM ns) AND k.conrelid <> 0 AND k.contype <> 't'),  -- constraint triggers are triggers
 'indexes', (SELECT coalesce(json_agg(json_build_object(
     'oid', i.indexrelid, 'name', i.indexrelid::regclass::text, 'rel', i.indrelid::regclass::text,
     'def', pg_get_indexdef(i.indexrelid))), '[]')
   FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE c.relnamespace = (SELECT oid FROM ns)
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)),
 'triggers', (SELECT coalesce(json_agg(json_build_object(
     'oid', t.oid, 'rel', t.tgrelid::regclass::text, 'name', quote_ident(t.tgname), 'enabled', t.tgenabled,
     'def', pg_get_triggerdef(t.oid))), '[]')
   FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  WHERE c.relnamespace = (SELECT oid FROM ns) AND NOT t.tgisinternal),
 'policies', (SELECT coalesce(json_agg(json_build_object(
     'oid', p.oid, 'rel', p.polrelid::regclass::text, 'name', quote_ident(p.polname), 'cmd', p.polcmd,
     'permissive', p.polpermissive,
     'roles', (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(r::regrole::text) END, ', ' ORDER BY 1)
                 FROM unnest(p.polroles) r),
     'using', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid))), '[]')
   FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = (SELECT oid FROM ns)),
 'amprocs', (SELECT coalesce(json_agg(json_build_object(
     'oid', p.oid, 'desc', pg_describe_object('pg_amproc'::regclass, p.oid, 0),
     'family', quote_ident(n.nspname) || '.' || quote_ident(f.opfname), 'am', a.amname, 'num', p.amprocnum,
     'left', format_type(p.amproclefttype, NULL), 'right', format_type(p.amprocrighttype, NULL),
     'proc', p.amproc::regprocedure::text)), '[]')
   FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily JOIN pg_am a ON a.oid = f.opfmethod
        JOIN pg_namespace n ON n.oid = f.opfnamespace WHERE f.opfnamespace = (SELECT oid FROM ns)),
 'amops', (SELECT coalesce(json_agg(json_build_object(
     'oid', o.oid, 'desc', pg_describe_object('pg_amop'::regclass, o.oid, 0),
     'family', quote_ident(n.nspname) || '.' || quote_ident(f.opfname), 'am', a.amname, 'num', o.amopstrategy,
     'left', format_type(o.amoplefttype, NULL), 'right', format_type(o.amoprighttype, NULL),
     'op', o.amopopr::regoper::text, 'purpose', o.amoppurpose,
     'sortfamily', nullif(o.amopsortfamily, 0))), '[]')
   FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily JOIN pg_am a ON a.oid = f.opfmethod
        JOIN pg_namespace n ON n.oid = f.opfnamespace WHERE f.opfnamespace = (SELECT oid FROM ns)),
 'others', (SELECT coalesce(json_agg(json_build_object('oid', d.objid, 'desc', i.type || ' ' || i.identity)), '[]')
   FROM pg_depend d CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) i
  WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = (SELECT oid FROM ext) AND d.deptype = 'e'
    AND d.classid NOT IN ('pg_proc'::regclass, 'pg_class'::regclass)),
 'shipped', (SELECT coalesce(json_agg(pg_temp.shipped_rows(c.oid, x.cond)), '[]')
   FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'r'
        CROSS JOIN ext e
        CROSS JOIN LATERAL (SELECT e.extcondition[array_position(e.extconfig, c.oid)] AS cond,
                                   array_position(e.extconfig, c.oid) AS pos) x
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
    AND d.refobjid = e.oid AND d.deptype = 'e'
    AND (x.pos IS NULL OR coalesce(x.cond, '') ~* '^\s*where\s')),
 'event_triggers', (SELECT coalesce(json_agg(json_build_object(
     'oid', t.oid, 'name', quote_ident(t.evtname), 'event', t.evtevent, 'function', t.evtfoid::regproc::text,
     'enabled', t.evtenabled, 'tags', t.evttags)), '[]')
   FROM pg_event_trigger t JOIN pg_depend d ON d.classid = 'pg_event_trigger'::regclass AND d.objid = t.oid
        AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = (SELECT oid FROM ext) AND d.deptype = 'e'),
 'config', (SELECT coalesce(json_agg(json_build_object('rel', c.rel::regclass::text,
     'condition', e.extcondition[c.n])), '[]')
   FROM ext e CROSS JOIN LATERAL unnest(e.extconfig) WITH ORDINALITY c(rel, n)),
 -- privileges of everything in the schema, the schema itself included
 'acls', (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END || ' ' || c.oid::regclass AS target,
            (SELECT json_agg(json_build_array(CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END,
                                              g.privilege_type, g.is_grantable))
               FROM aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) g
              WHERE g.grantee <> c.relowner) AS acl, NULL AS col
       FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
     UNION ALL
     SELECT 'TABLE ' || c.oid::regclass,
            (SELECT json_agg(json_build_array(CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END,
                                              g.privilege_type, g.is_grantable))
               FROM aclexplode(a.attacl) g WHERE g.grantee <> c.relowner), quote_ident(a.attname)
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
     UNION ALL
     SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END || p.oid::regprocedure,
            (SELECT json_agg(json_build_array(CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END,
                                              g.privilege_type, g.is_grantable))
               FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) g WHERE g.grantee <> p.proowner), NULL
       FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM ns)
     UNION ALL
     SELECT 'TYPE ' || t.oid::regtype,
            (SELECT json_agg(json_build_array(CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END,
                                              g.privilege_type, g.is_grantable))
               FROM aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) g WHERE g.grantee <> t.typowner), NULL
       FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM ns) AND t.typtype IN ('b', 'd', 'e', 'r', 'm')
     UNION ALL
     SELECT 'SCHEMA ' || quote_ident(n.nspname),
            (SELECT json_agg(json_build_array(CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END,
                                              g.privilege_type, g.is_grantable))
               FROM aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) g WHERE g.grantee <> n.nspowner), NULL
       FROM pg_namespace n WHERE n.oid = (SELECT oid FROM ns)) x),
 -- comments of everything in the schema, and of the schema
 'comments', (SELECT coalesce(json_agg(json_build_object('type', i.type, 'identity', i.identity,
     'text', d.description)), '[]')
   FROM pg_description d CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) i
  WHERE d.objoid >= 16384 AND (i.schema = 'tmac' OR (i.type = 'schema' AND i.identity = 'tmac')
        OR (i.schema IS NULL AND EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = d.classoid AND x.objid = d.objoid
                                          AND x.refobjid = (SELECT oid FROM ext) AND x.deptype = 'e'))))
)::text;
