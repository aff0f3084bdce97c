#!/usr/bin/env python3
"""gen_upgrade.py — write tmac's upgrade script from two installed databases.

A developer tool (run by test/upgrade/make_upgrade.sh, never by make test):

    gen_upgrade.py OLD_DB NEW_DB FROM TO OLD_ROLES NEW_ROLES > sql/tmac--FROM--TO.sql

OLD_DB has CREATE EXTENSION tmac VERSION 'FROM', NEW_DB a fresh install of TO
(the connection comes from PGHOST/PGPORT/PGUSER).  Roles are cluster-wide, so
OLD_ROLES and NEW_ROLES are roles.sql's output taken after installing FROM and
after installing TO.  The script it writes is

  1. sql/upgrade/FROM--TO.pre.sql, hand-written (may be absent);
  2. tmac's roles that TO adds (created if missing, as the install script does);
     generated removals of indexes, triggers, policies, constraints and views
     that the new version no longer has or defines differently;
  3. generated creations and replacements, in the order of a fresh install (the
     new database's OIDs): functions (CREATE OR REPLACE, or DROP + CREATE where
     the signature's names, defaults or result changed), tables and new columns,
     sequences, constraints, indexes, triggers, policies, views, operator-family
     members, changed column defaults and NOT NULL;
  4. the rows tmac ships (settings, duties, checks, ...) inserted, updated or
     deleted to match TO; then sql/upgrade/FROM--TO.post.sql, hand-written (data
     migration, anything the generator reports as not handled);
  5. generated late removals (functions, tables, sequences, columns), config-dump
     registration, sequence ownership, then privileges and comments of every
     object whose privileges or comment differ.

Everything it cannot generate is listed on stderr and in the script's header;
make_upgrade.sh then upgrades a third database and diffs it against the fresh
one with describe.sql, the same comparison test/scripts/upgrade.sh makes.
"""
import json
import re
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# an unquoted identifier: PostgreSQL takes any non-ASCII character in one (tmac.事故・兆候の記録)
IDENT = r'[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*'


def split_statements(text):
    """The SQL statements of a script, each with its leading comments stripped.

    A small lexer: quotes, dollar quotes and comments are skipped, and a semicolon
    inside BEGIN ATOMIC ... END (CASE ... END counted) does not end the statement."""
    out, start, i, depth, n = [], 0, 0, 0, len(text)
    word = re.compile(IDENT)
    prev = ''
    while i < n:
        c = text[i]
        if c == '-' and text.startswith('--', i):
            j = text.find('\n', i)
            i = n if j < 0 else j + 1
        elif c == '/' and text.startswith('/*', i):
            j = text.find('*/', i + 2)
            i = n if j < 0 else j + 2
        elif c in '\'"':
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif c == '$' and re.match(r'\$([A-Za-z_][A-Za-z0-9_]*)?\$', text[i:]):
            tag = re.match(r'\$([A-Za-z_][A-Za-z0-9_]*)?\$', text[i:]).group(0)
            j = text.find(tag, i + len(tag))
            i = n if j < 0 else j + len(tag)
        elif c.isalpha() or c == '_':
            m = word.match(text, i)
            w = m.group(0).upper()
            if (w == 'ATOMIC' and prev == 'BEGIN') or (w == 'CASE' and depth > 0):
                depth += 1
            elif w == 'END' and depth > 0:
                depth -= 1
            prev = w
            i = m.end()
        elif c == ';' and depth == 0:
            out.append(text[start:i + 1])
            start = i + 1
            i += 1
        else:
            i += 1
    stripped = []
    for st in out:
        st = st.strip()
        while st.startswith('--') or st.startswith('/*'):
            st = (st.split('\n', 1)[1] if st.startswith('--') else st.split('*/', 1)[1]).strip()
        stripped.append(st)
    return stripped


def install_sources(path):
    """CREATE statements of the install script, by kind and name: SQL-standard function
    bodies and view queries are parsed again from their source, as in a fresh install
    (their deparsed form can parse into a different tree)."""
    src = {}
    with open(path) as f:
        text = f.read()
    pat = re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|VIEW|MATERIALIZED\s+VIEW)\s+'
                     r'(' + IDENT + r'\.' + IDENT + r')', re.I)
    for st in split_statements(text):
        m = pat.match(st)
        if m:
            kind = 'view' if 'VIEW' in m.group(1).upper() else 'function'
            src.setdefault((kind, m.group(2).lower()), []).append(st)
    return src


def or_replace(st):
    return re.sub(r'^CREATE\s+(OR\s+REPLACE\s+)?', 'CREATE OR REPLACE ', st, count=1, flags=re.I)


def catalog(db):
    out = subprocess.run(['psql', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db,
                          '-f', os.path.join(HERE, 'catalog.sql')],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def by(items, *keys):
    return {tuple(i[k] for k in keys) if len(keys) > 1 else i[keys[0]]: i for i in items}


RESERVED = {'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'both', 'case', 'cast', 'check',
            'collate', 'column', 'constraint', 'create', 'default', 'desc', 'distinct', 'do', 'else', 'end',
            'except', 'false', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'into', 'limit',
            'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'primary', 'references', 'select', 'table',
            'then', 'to', 'true', 'union', 'unique', 'user', 'using', 'when', 'where', 'window', 'with'}


def ident(name):
    if re.fullmatch(r'[a-z_][a-z0-9_$]*', name) and name not in RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_literal(s):
    return "'" + s.replace("'", "''") + "'"


CMD = {'r': 'SELECT', 'a': 'INSERT', 'w': 'UPDATE', 'd': 'DELETE', '*': 'ALL'}
COMMENT_KIND = {
    'table': 'TABLE', 'view': 'VIEW', 'materialized view': 'MATERIALIZED VIEW',
    'sequence': 'SEQUENCE', 'function': 'FUNCTION', 'procedure': 'PROCEDURE',
    'aggregate': 'AGGREGATE', 'type': 'TYPE', 'domain': 'DOMAIN', 'schema': 'SCHEMA',
    'table column': 'COLUMN', 'view column': 'COLUMN', 'index': 'INDEX', 'trigger': 'TRIGGER',
    'policy': 'POLICY', 'table constraint': 'CONSTRAINT', 'operator': 'OPERATOR',
    'operator class': 'OPERATOR CLASS', 'operator family': 'OPERATOR FAMILY', 'cast': 'CAST',
    'event trigger': 'EVENT TRIGGER', 'foreign table': 'FOREIGN TABLE',
}


class Script:
    def __init__(self):
        self.early = []      # removals before anything is created
        self.ordered = []    # (new oid, sql): creations and replacements
        self.late = []       # removals after the hand-written post part
        self.final = []      # config-dump registration, ownership
        self.acl = []
        self.comments = []
        self.todo = []       # what the generator does not handle
        self.recreated = set()  # targets dropped and created again: old privileges/comments are gone
        self.recreated_comments = set()  # the same, as (type, identity) of pg_identify_object
        self.shipped = []    # rows tmac ships: inserted, updated, deleted
        self.roles = []      # roles the new version adds


def function_def(f):
    d = f['def'].rstrip()
    d = d.replace("AS '$libdir/tmac'", "AS 'MODULE_PATHNAME'")
    return d + ';'


LIST_GUCS = {'search_path', 'temp_tablespaces', 'session_preload_libraries', 'local_preload_libraries'}


def function_attributes(f):
    """ALTER FUNCTION giving a function created from its source the attributes a fresh
    install ends with (the install script may ALTER it after CREATE)."""
    kw = 'PROCEDURE' if f['kind'] == 'p' else 'FUNCTION'
    acts = []
    if f['kind'] != 'p':
        acts.append({'i': 'IMMUTABLE', 's': 'STABLE', 'v': 'VOLATILE'}[f['volatile']])
        acts.append('STRICT' if f['strict'] else 'CALLED ON NULL INPUT')
        acts.append('%sLEAKPROOF' % ('' if f['leakproof'] else 'NOT '))
        acts.append('PARALLEL ' + {'s': 'SAFE', 'r': 'RESTRICTED', 'u': 'UNSAFE'}[f['parallel']])
        acts.append('COST %s' % f['cost'])
        if f['rows']:
            acts.append('ROWS %s' % f['rows'])
    acts.append('SECURITY ' + ('DEFINER' if f['secdef'] else 'INVOKER'))
    acts.append('RESET ALL')
    for item in f['config'] or []:
        name, value = item.split('=', 1)
        if name in LIST_GUCS:
            value = ', '.join(quote_literal(v.strip()) for v in value.split(','))
        else:
            value = quote_literal(value)
        acts.append('SET %s = %s' % (name, value))
    return 'ALTER %s %s\n  %s;' % (kw, f['ident'], '\n  '.join(acts))


def diff_functions(old, new, s, sources):
    o, n = by(old['functions'], 'ident'), by(new['functions'], 'ident')
    for ident, f in n.items():
        g = o.get(ident)
        if f['kind'] == 'a':
            if g is None or g.get('def') != f.get('def'):
                s.todo.append('aggregate %s: new or changed (write it in the pre/post part)' % ident)
            continue
        if g is not None and g['def'] == f['def']:
            continue
        if g is not None and ident.startswith('tmac.protect('):
            s.todo.append('%s changed: bring the policies and triggers it made on tables already '
                          'protected (tmac.protected_table) up to date in the post part' % ident)
        kw = 'PROCEDURE' if f['kind'] == 'p' else 'FUNCTION'
        sql = function_def(f)
        if f['sqlbody']:
            st = sources.get(('function', f['name']), [])
            if len(st) == 1:
                sql = or_replace(st[0]) + '\n' + function_attributes(f)
            else:
                s.todo.append('%s: SQL-standard body written from its deparsed form (no single source in '
                              'the install script); its parse tree may differ from a fresh install' % ident)
        if g is not None and (g['args'] != f['args'] or g['result'] != f['result'] or g['kind'] != f['kind']):
            okw = 'PROCEDURE' if g['kind'] == 'p' else 'FUNCTION'
            sql = 'DROP %s %s;\n%s' % (okw, ident, sql)
            s.recreated.add('%s %s' % (kw, ident))
            s.recreated_comments.add(('procedure' if f['kind'] == 'p' else 'function', f['identity']))
            s.todo.append('%s %s: signature changed, dropped and created again (anything depending on it '
                          'must be dropped in the pre part and created again)' % (kw.lower(), ident))
        support = re.search(r' SUPPORT (\S+)', sql)
        if support:
            # the support function may be newer than the function it serves: attach it right
            # after that function is created (a fresh install ALTERs it the same way)
            sql = sql.replace(support.group(0), '', 1)
            helper = next(h for h in n.values() if h['name'] == support.group(1))
            s.ordered.append((helper['oid'], 'ALTER %s %s SUPPORT %s;' % (kw, ident, support.group(1)), 1))
        s.ordered.append((f['oid'], sql))
    for ident, g in o.items():
        if ident not in n:
            kw = {'p': 'PROCEDURE', 'a': 'AGGREGATE'}.get(g['kind'], 'FUNCTION')
            s.late.append('DROP %s %s;' % (kw, ident))


def column_sql(c):
    parts = [c['name'], c['type']]
    if c['collation']:
        parts.append('COLLATE ' + c['collation'])
    if c['identity']:
        parts.append('GENERATED %s AS IDENTITY' % ('ALWAYS' if c['identity'] == 'a' else 'BY DEFAULT'))
    elif c['generated']:
        parts.append('GENERATED ALWAYS AS (%s) STORED' % c['default'])
    elif c['default'] is not None:
        parts.append('DEFAULT ' + c['default'])
    if c['notnull'] and not c['identity']:
        parts.append('NOT NULL')
    return ' '.join(parts)


def diff_tables(old, new, s):
    o, n = by(old['tables'], 'name'), by(new['tables'], 'name')
    for name, t in n.items():
        u = o.get(name)
        if u is None:
            body = ',\n  '.join(column_sql(c) for c in t['columns'])
            sql = 'CREATE %sTABLE %s (%s)' % ('UNLOGGED ' if t['persistence'] == 'u' else '', name,
                                             '\n  ' + body + '\n' if body else '')
            if t['kind'] == 'p':
                s.todo.append('table %s: partitioned, write it in the pre part' % name)
                continue
            if t['options']:
                sql += ' WITH (%s)' % ', '.join(t['options'])
            sql += ';'
            if t['rls']:
                sql += '\nALTER TABLE %s ENABLE ROW LEVEL SECURITY;' % name
            if t['force_rls']:
                sql += '\nALTER TABLE %s FORCE ROW LEVEL SECURITY;' % name
            s.ordered.append((t['oid'], sql))
            continue
        if t['kind'] != u['kind']:
            s.todo.append('table %s: kind changed' % name)
        for flag, on, off in (('rls', 'ENABLE', 'DISABLE'), ('force_rls', 'FORCE', 'NO FORCE')):
            if t[flag] != u[flag]:
                s.ordered.append((t['oid'], 'ALTER TABLE %s %s ROW LEVEL SECURITY;' % (name, on if t[flag] else off)))
        if t['options'] != u['options']:
            s.todo.append('table %s: storage options changed' % name)
        oc = by(u['columns'], 'name')
        newcols = [c['name'] for c in t['columns']]
        for c in t['columns']:
            d = oc.get(c['name'])
            if d is None:
                # existing rows get the column's default, as in ALTER TABLE ADD COLUMN
                pos = c['default_oid'] or 0
                s.ordered.append((pos, 'ALTER TABLE %s ADD COLUMN %s;' % (name, column_sql(c))))
                continue
            if d['type'] != c['type'] or d['collation'] != c['collation']:
                s.todo.append('column %s.%s: type or collation changed (%s -> %s); convert it in the pre part'
                              % (name, c['name'], d['type'], c['type']))
            if d['identity'] != c['identity'] or d['generated'] != c['generated']:
                s.todo.append('column %s.%s: identity or generation changed' % (name, c['name']))
                continue
            if d['default'] != c['default'] and not c['identity'] and not c['generated']:
                if c['default'] is None:
                    s.early.append('ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;' % (name, c['name']))
                else:
                    s.ordered.append((c['default_oid'], 'ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;'
                                      % (name, c['name'], c['default'])))
            if d['notnull'] != c['notnull'] and not c['identity']:
                s.ordered.append((t['oid'], 'ALTER TABLE %s ALTER COLUMN %s %s NOT NULL;'
                                  % (name, c['name'], 'SET' if c['notnull'] else 'DROP')))
        oldcols = [c['name'] for c in u['columns']]
        kept = [c for c in oldcols if c in newcols]
        if kept != [c for c in newcols if c in oldcols]:
            s.todo.append('table %s: column order changed (%s -> %s); a column cannot move'
                          % (name, ', '.join(oldcols), ', '.join(newcols)))
        added = [c for c in newcols if c not in oldcols]
        if added and newcols[-len(added):] != added:
            s.todo.append('table %s: new columns %s are not the last ones in the install script, '
                          'but ALTER TABLE ADD COLUMN appends: move them to the end of CREATE TABLE'
                          % (name, ', '.join(added)))
        for c in oldcols:
            if c not in newcols:
                s.late.append('ALTER TABLE %s DROP COLUMN %s;' % (name, c))
    gone = [name for name in o if name not in n]
    # DROP TABLE leaves a config-dumped table's OID in pg_extension.extconfig; ALTER EXTENSION
    # DROP takes it out (and the table out of the extension) first
    dumped = {c['rel'] for c in old['config']}
    for name in gone:
        if name in dumped:
            s.late.append('ALTER EXTENSION tmac DROP TABLE %s;' % name)
    if gone:                    # one statement: foreign keys between them need no order
        s.late.append('DROP TABLE %s;' % ', '.join(gone))


def diff_sequences(old, new, s):
    o, n = by(old['sequences'], 'name'), by(new['sequences'], 'name')
    for name, q in n.items():
        if q['identity']:
            continue
        r = o.get(name)
        opts = 'AS %s START %s INCREMENT %s MINVALUE %s MAXVALUE %s CACHE %s%s' % (
            q['type'], q['start'], q['increment'], q['min'], q['max'], q['cache'],
            ' CYCLE' if q['cycle'] else '')
        if r is None:
            s.ordered.append((q['oid'], 'CREATE SEQUENCE %s %s;' % (name, opts)))
        elif any(r[k] != q[k] for k in ('type', 'start', 'increment', 'min', 'max', 'cache', 'cycle')):
            s.ordered.append((q['oid'], 'ALTER SEQUENCE %s %s;' % (name, opts.replace('START', 'START WITH', 1))))
        if q['owned_by'] and (r is None or r['owned_by'] != q['owned_by']):
            s.final.append('ALTER SEQUENCE %s OWNED BY %s;' % (name, q['owned_by']))
    for name, r in o.items():
        if name not in n and not r['identity']:
            s.late.append('DROP SEQUENCE IF EXISTS %s;' % name)


def dropped_tables(old, new):
    """Tables of the old version the new one no longer has: DROP TABLE takes their
    constraints, indexes, triggers, policies and config-dump entry with them."""
    return {t['name'] for t in old['tables']} - {t['name'] for t in new['tables']}


def diff_keyed(old, new, s, kind, key, create, drop, same=lambda a, b: a['def'] == b['def']):
    o, n = by(old[kind], *key), by(new[kind], *key)
    gone = dropped_tables(old, new)
    for k, x in n.items():
        y = o.get(k)
        if y is not None and same(x, y):
            continue
        if y is not None:
            s.early.append(drop(y))
        s.ordered.append((x['oid'], create(x)))
    for k, y in o.items():
        if k not in n and y.get('rel') not in gone:
            s.early.append(drop(y))


def diff_views(old, new, s, sources):
    o, n = by(old['views'], 'name'), by(new['views'], 'name')
    for name, v in n.items():
        w = o.get(name)
        if w is not None and w['def'] == v['def'] and w['options'] == v['options']:
            continue
        kw = 'MATERIALIZED VIEW' if v['kind'] == 'm' else 'VIEW'
        opts = ' WITH (%s)' % ', '.join(v['options']) if v['options'] else ''
        body = v['def'].rstrip().rstrip(';')
        st = sources.get(('view', name.replace('"', '').lower()), [])   # the catalog quotes tmac."鍵の管理台帳"
        if len(st) != 1:
            s.todo.append('view %s: written from its deparsed form (no single source in the install script)' % name)
        if (w is not None and v['kind'] == 'v' and w['kind'] == 'v'
                and v['columns'][:len(w['columns'])] == w['columns']):
            sql = (or_replace(st[0]) + ('\nALTER VIEW %s SET (%s);' % (name, ', '.join(v['options'])) if v['options'] else '')
                   if len(st) == 1 else 'CREATE OR REPLACE VIEW %s%s AS\n%s;' % (name, opts, body))
            if w['options'] and not v['options']:
                sql += '\nALTER VIEW %s RESET (%s);' % (name, ', '.join(o.split('=')[0] for o in w['options']))
        else:
            sql = (st[0] + ('\nALTER VIEW %s SET (%s);' % (name, ', '.join(v['options'])) if v['options'] else '')
                   if len(st) == 1 else 'CREATE %s %s%s AS\n%s;' % (kw, name, opts, body))
            if w is not None:
                s.early.append('DROP %s %s;' % ('MATERIALIZED VIEW' if w['kind'] == 'm' else 'VIEW', name))
                s.recreated.add('TABLE ' + name)
                s.recreated_comments.add(('view', name))
                s.todo.append('view %s: columns changed, dropped and created again (views on it must be '
                              'dropped in the pre part)' % name)
        s.ordered.append((v['oid'], sql))
    for name, w in o.items():
        if name not in n:
            s.early.append('DROP %s %s;' % ('MATERIALIZED VIEW' if w['kind'] == 'm' else 'VIEW', name))


def policy_sql(p):
    sql = 'CREATE POLICY %s ON %s AS %s FOR %s TO %s' % (
        p['name'], p['rel'], 'PERMISSIVE' if p['permissive'] else 'RESTRICTIVE', CMD[p['cmd']], p['roles'])
    if p['using'] is not None:
        sql += '\n  USING (%s)' % p['using']
    if p['check'] is not None:
        sql += '\n  WITH CHECK (%s)' % p['check']
    return sql + ';'


def trigger_sql(t):
    sql = t['def'] + ';'
    state = {'D': 'DISABLE TRIGGER', 'A': 'ENABLE ALWAYS TRIGGER', 'R': 'ENABLE REPLICA TRIGGER'}.get(t['enabled'])
    if state:
        sql += '\nALTER TABLE %s %s %s;' % (t['rel'], state, t['name'])
    return sql


def diff_opfamilies(old, new, s):
    # support functions, then operators: what each adds after its number, and the word it drops
    kinds = (('amprocs', 'FUNCTION', 'FUNCTION {num} ({left}, {right}) {proc}'),
             ('amops', 'OPERATOR', 'OPERATOR {num} {op} ({left}, {right})'))
    for key, what, member in kinds:
        o, n = by(old[key], 'desc'), by(new[key], 'desc')
        for k, p in n.items():
            if k in o:
                continue
            if what == 'OPERATOR' and p['purpose'] != 's':
                s.todo.append('ordering operator %s: write it in the pre/post part' % k)
                continue
            s.ordered.append((p['oid'], 'ALTER OPERATOR FAMILY %s USING %s ADD %s;'
                              % (p['family'], p['am'], member.format(**p))))
        for k, p in o.items():
            if k not in n:
                s.early.append('ALTER OPERATOR FAMILY %s USING %s DROP %s %s (%s, %s);'
                               % (p['family'], p['am'], what, p['num'], p['left'], p['right']))


def event_trigger_sql(t):
    sql = 'CREATE EVENT TRIGGER %s ON %s' % (t['name'], t['event'])
    if t['tags']:
        sql += '\n  WHEN TAG IN (%s)' % ', '.join(quote_literal(x) for x in t['tags'])
    sql += '\n  EXECUTE FUNCTION %s();' % t['function']
    state = {'D': 'DISABLE', 'A': 'ENABLE ALWAYS', 'R': 'ENABLE REPLICA'}.get(t['enabled'])
    if state:
        sql += '\nALTER EVENT TRIGGER %s %s;' % (t['name'], state)
    return sql


def diff_others(old, new, s):
    o = {x['desc'] for x in old['others']}
    skip = ('function ', 'table ', 'view ', 'sequence ', 'index ', 'materialized view ', 'event trigger ')
    for x in new['others']:
        if x['desc'] not in o and not x['desc'].startswith(skip):
            s.todo.append('%s: new, not generated (write it in the pre part)' % x['desc'])
    n = {x['desc'] for x in new['others']}
    for x in old['others']:
        if x['desc'] not in n and not x['desc'].startswith(skip):
            s.todo.append('%s: removed, not generated (drop it in the post part)' % x['desc'])


def diff_config(old, new, s):
    o = {c['rel']: c['condition'] for c in old['config']}
    for c in new['config']:
        if o.get(c['rel'], None) != c['condition']:
            s.final.append("SELECT pg_catalog.pg_extension_config_dump(%s, %s);"
                           % (quote_literal(c['rel']), quote_literal(c['condition'] or '')))
    n = {c['rel'] for c in new['config']}
    gone = dropped_tables(old, new)
    for r in o:
        if r not in n and r not in gone:
            s.todo.append('%s: no longer config-dumped (ALTER EXTENSION tmac DROP/ADD it in the post part)' % r)


def diff_acls(old, new, s):
    o = by(old['acls'], 'target', 'col')
    for k, a in by(new['acls'], 'target', 'col').items():
        b = o.get(k)
        was = [] if (b is None or a['target'] in s.recreated) else (b['acl'] or [])
        now = a['acl'] or []
        if b is None and a['col'] is None and not a['target'].startswith(('TABLE ', 'SEQUENCE ')):
            # a new function, type or schema starts with PostgreSQL's default: PUBLIC may use it
            was = [['PUBLIC', 'EXECUTE' if a['target'].startswith(('FUNCTION', 'PROCEDURE')) else 'USAGE', False]]
        if a['target'] in s.recreated and a['target'].startswith(('FUNCTION', 'PROCEDURE')):
            was = [['PUBLIC', 'EXECUTE', False]]
        if sorted(map(tuple, was)) == sorted(map(tuple, now)):
            continue
        col = ' (%s)' % a['col'] if a['col'] else ''
        gone = sorted({g for g, _, _ in was})
        if gone:
            s.acl.append('REVOKE ALL%s ON %s FROM %s;' % (col, a['target'], ', '.join(gone)))
        grants = {}
        for g, priv, grantable in now:
            grants.setdefault((g, grantable), []).append(priv)
        for (g, grantable), privs in sorted(grants.items()):
            s.acl.append('GRANT %s%s ON %s TO %s%s;' % (', '.join(sorted(privs)), col, a['target'], g,
                                                       ' WITH GRANT OPTION' if grantable else ''))


def comment_target(c):
    kind = COMMENT_KIND.get(c['type'])
    if kind is None:
        return None
    ident = c['identity']
    if kind in ('TRIGGER', 'POLICY', 'CONSTRAINT'):
        name, rel = ident.split(' on ', 1)
        return '%s %s ON %s' % (kind, name, rel)
    if kind == 'OPERATOR':
        name, args = ident.split('(', 1)
        return 'OPERATOR %s (%s' % (name, args.replace(',', ', '))
    return '%s %s' % (kind, ident)


def diff_comments(old, new, s):
    o = {(c['type'], c['identity']): c['text'] for c in old['comments']}
    n = {(c['type'], c['identity']): c['text'] for c in new['comments']}
    def recreated(k):
        return k in s.recreated_comments or (k[0] == 'view column' and any(
            t == 'view' and k[1].startswith(v + '.') for t, v in s.recreated_comments))
    for k, text in sorted(n.items()):
        if o.get(k) == text and not recreated(k):
            continue
        target = comment_target({'type': k[0], 'identity': k[1]})
        if target is None:
            s.todo.append('comment on %s %s: not generated' % k)
            continue
        s.comments.append('COMMENT ON %s IS %s;' % (target, quote_literal(text)))
    # a comment on an object the upgrade drops goes with it
    rels = lambda c: {r['name'] for r in c['tables']} | {v['name'] for v in c['views']}
    gone_rels = rels(old) - rels(new)
    gone_fns = {f['identity'] for f in old['functions']} - {f['identity'] for f in new['functions']}
    # every column of the new version (a column it no longer has is dropped with its comment)
    new_cols = {r['name'] + '.' + c['name'] for r in new['tables'] for c in r['columns']}
    def dropped(k):
        t, ident = k
        if t in ('function', 'procedure', 'aggregate'):
            return ident in gone_fns
        if t in ('table', 'view', 'materialized view'):
            return ident in gone_rels
        if t.endswith('column'):
            return any(ident.startswith(r + '.') for r in gone_rels) or (t == 'table column' and ident not in new_cols)
        if ' on ' in ident:
            return ident.split(' on ', 1)[1] in gone_rels
        return False
    for k in sorted(o):
        if k not in n and not dropped(k):
            target = comment_target({'type': k[0], 'identity': k[1]})
            if target:
                s.comments.append('COMMENT ON %s IS NULL;' % target)


def diff_shipped(old, new, s):
    o = by(old['shipped'], 'table')
    for t in new['shipped']:
        u = o.get(t['table'], {'rows': [], 'cols': t['cols'], 'key': t['key']})
        if not t['key'] or u['key'] != t['key']:
            if t['rows'] != u['rows']:
                s.todo.append('rows shipped in %s: no key to compare them by (write them in the post part)' % t['table'])
            continue
        def key(r):
            return tuple(r[c] for c in t['key'])
        old_rows = {key(r): r for r in u['rows']}
        new_rows = {key(r): r for r in t['rows']}
        where = lambda r: ' AND '.join('%s = %s' % (ident(c), r[c]) for c in t['key'])
        for k, r in new_rows.items():
            q = old_rows.get(k)
            if q is None:
                cols = t['cols'] + t['extra']
                s.shipped.append('INSERT INTO %s (%s) VALUES (%s);' % (
                    t['table'], ', '.join(map(ident, cols)), ', '.join(r[c] for c in cols)))
            else:
                changed = [c for c in t['cols'] if c in q and q[c] != r[c]]
                if changed:
                    s.shipped.append('UPDATE %s SET %s WHERE %s;' % (
                        t['table'], ', '.join('%s = %s' % (ident(c), r[c]) for c in changed), where(r)))
        for k, q in old_rows.items():
            if k not in new_rows:
                s.shipped.append('DELETE FROM %s WHERE %s;' % (t['table'], where(q)))


def diff_roles(old_roles, new_roles, s):
    o = by(old_roles, 'name')
    for r in new_roles:
        if r['name'] in o:
            if o[r['name']] != r:
                s.todo.append('role %s: attributes, memberships or comment changed' % r['name'])
            continue
        body = 'CREATE ROLE %s %sLOGIN %sINHERIT;' % (ident(r['name']), '' if r['login'] else 'NO',
                                                    '' if r['inherit'] else 'NO')
        if r['comment'] is not None:
            body += '\n    COMMENT ON ROLE %s IS %s;' % (ident(r['name']), quote_literal(r['comment']))
        for g in r['member_of']:
            body += '\n    GRANT %s TO %s;' % (ident(g), ident(r['name']))
        s.roles.append('DO $roles$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s) THEN\n'
                       '    %s\n  END IF;\nEND\n$roles$;' % (quote_literal(r['name']), body))
    n = by(new_roles, 'name')
    for name in o:
        if name not in n:
            s.todo.append('role %s: no longer created (roles are cluster-wide: leave it)' % name)


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    old_db, new_db, v_from, v_to, old_roles, new_roles = sys.argv[1:]
    old, new = catalog(old_db), catalog(new_db)
    s = Script()
    with open(old_roles) as f, open(new_roles) as g:
        diff_roles(json.load(f), json.load(g), s)
    sources = install_sources(os.path.join(os.path.dirname(os.path.dirname(HERE)), 'sql', 'tmac--%s.sql' % v_to))
    diff_functions(old, new, s, sources)
    diff_tables(old, new, s)
    diff_sequences(old, new, s)
    diff_keyed(old, new, s, 'constraints', ('rel', 'name'),
               lambda c: 'ALTER TABLE %s ADD CONSTRAINT %s %s;' % (c['rel'], c['name'], c['def']),
               lambda c: 'ALTER TABLE %s DROP CONSTRAINT %s;' % (c['rel'], c['name']))
    diff_keyed(old, new, s, 'indexes', ('name',), lambda i: i['def'] + ';',
               lambda i: 'DROP INDEX %s;' % i['name'])
    diff_keyed(old, new, s, 'triggers', ('rel', 'name'), trigger_sql,
               lambda t: 'DROP TRIGGER %s ON %s;' % (t['name'], t['rel']),
               same=lambda a, b: a['def'] == b['def'] and a['enabled'] == b['enabled'])
    diff_keyed(old, new, s, 'policies', ('rel', 'name'), policy_sql,
               lambda p: 'DROP POLICY %s ON %s;' % (p['name'], p['rel']),
               same=lambda a, b: all(a[k] == b[k] for k in ('cmd', 'permissive', 'roles', 'using', 'check')))
    diff_views(old, new, s, sources)
    diff_keyed(old, new, s, 'event_triggers', ('name',), event_trigger_sql,
               lambda t: 'DROP EVENT TRIGGER %s;' % t['name'],
               same=lambda a, b: all(a[k] == b[k] for k in ('event', 'function', 'enabled', 'tags')))
    diff_opfamilies(old, new, s)
    diff_others(old, new, s)
    diff_config(old, new, s)
    diff_shipped(old, new, s)
    diff_acls(old, new, s)
    diff_comments(old, new, s)

    def part(name):
        path = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'sql', 'upgrade', '%s--%s.%s.sql' % (v_from, v_to, name))
        if not os.path.exists(path):
            return '-- (no %s)\n' % os.path.relpath(path, os.path.dirname(os.path.dirname(HERE)))
        with open(path) as f:
            return f.read().rstrip('\n') + '\n'

    out = []
    w = out.append
    w('-- tmac %s -> %s: ALTER EXTENSION tmac UPDATE TO \'%s\'.\n' % (v_from, v_to, v_to))
    w('--\n-- Generated by test/upgrade/make_upgrade.sh (gen_upgrade.py) from a %s and a fresh %s\n'
      '-- install, with the hand-written parts sql/upgrade/%s--%s.{pre,post,final}.sql; do not\n'
      '-- edit: change sql/install/ and those parts, then regenerate.  test/scripts/upgrade.sh\n'
      '-- checks that an upgraded database has the schema of a fresh install.\n' % (v_from, v_to, v_from, v_to))
    for t in s.todo:
        w('-- not generated: %s\n' % t)
    w('\n\\echo Use "ALTER EXTENSION tmac UPDATE TO \'%s\'" to load this file. \\quit\n' % v_to)
    def section(title, text):
        w('\n-- ==== %s\n' % title)
        w(text)

    def lines(xs):
        return ''.join(x + '\n' for x in xs)

    section('hand-written: before', part('pre'))
    section('roles (cluster-wide: created unless another database has them already)', lines(s.roles))
    section('removed or redefined', lines(s.early))
    w('\n-- ==== created or replaced, in the order of a fresh install\n')
    seen = set()
    for _, sql, *_ in sorted(s.ordered, key=lambda x: (int(x[0]), x[2] if len(x) > 2 else 0)):   # OIDs come as JSON strings
        if sql not in seen:
            seen.add(sql)
            w('\n' + sql + '\n')
    section('rows tmac ships (settings, duties, checks, ...)', lines(s.shipped))
    section('hand-written: after', part('post'))
    section('removed', lines(s.late))
    section('configuration dump, sequence ownership', lines(s.final))
    section('privileges', lines(s.acl))
    section('comments', lines(s.comments))
    section('hand-written: last (after privileges, e.g. initial-privilege records)', part('final'))
    sys.stdout.write(''.join(out))
    for t in s.todo:
        print('not generated: ' + t, file=sys.stderr)


if __name__ == '__main__':
    main()
