/*
 * vocabulary_copy.c — the copy of the vocabulary that schema tmac carries.
 *
 * Labels are parsed while a dump is restored: in table defaults, partition
 * bounds, views and SECURITY LABELs (pre-data) and in the rows of your tables
 * (data), which pg_dump orders by schema name and pg_restore -j loads in any
 * order, so tmac's vocabulary tables may not hold their rows yet; and during
 * pg_upgrade's schema restore they hold none at all.  The schema tmac itself
 * is not a member of the extension, so pg_dump writes its security labels
 * right after CREATE SCHEMA tmac and before CREATE EXTENSION tmac (with -j,
 * before any worker starts).  A second label provider, "tmac_vocabulary",
 * keeps a copy of the vocabulary there, and label input uses it instead of
 * the tables during pg_upgrade (IsBinaryUpgrade) and while a restore window
 * is open (restore.c).
 *
 * The copy is text, one entry a line, fields separated by tabs (codes,
 * names and aliases can hold neither tabs nor newlines):
 *
 *     tmac vocabulary 1
 *     L <rank> <code> <name> [<alias> ...]     levels by rank
 *     C <id> <code> <name>                     compartments by id
 *     G <id> <parent id or 0> <code> <name>    groups by id
 *
 * Before CREATE EXTENSION tmac (no tmac installed, the schema named tmac
 * carrying a copy) label input reads the copy too.  Labels on schemas are
 * restored even before CREATE SCHEMA tmac, when no copy exists yet: those are
 * checked for syntax only (tmac_object_label_before_install) and resolved
 * when the restore ends or tmac is installed.
 *
 * tmac.vocabulary_copy_text() writes it; a statement trigger on the three
 * vocabulary tables rewrites the label after every change (under a lock on
 * the schema, from the latest committed state, so two concurrent changes
 * never lose one another).  The provider accepts a label only from a
 * superuser, only on schema tmac, only when it parses; and, once tmac is
 * installed, only if it is exactly what tmac would write (outside pg_upgrade
 * and restore windows).  DROP EXTENSION tmac removes it, so that a later
 * CREATE EXTENSION is a fresh install rather than a restore.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/seclabel.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"

#include "extension.h"
#include "label.h"
#include "label_parse.h"
#include "owner_query.h"
#include "vocabulary.h"
#include "vocabulary_copy.h"

#define COPY_HEADER "tmac vocabulary 1"
#define MAX_FIELDS 1000

/* Where a parse error goes: a SECURITY LABEL being set, or the stored copy. */
typedef struct CopyParse
{
	bool		stored;			/* reading the stored copy: errors mean corruption */
	int			line;
} CopyParse;

static void
copy_error(CopyParse *p, const char *detail)
{
	if (p->stored)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("tmac: the vocabulary copy on schema tmac is damaged"),
				 errdetail("Line %d: %s.", p->line, detail),
				 errhint("Restore the schema's tmac_vocabulary label from the dump, or reinstall tmac.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid tmac_vocabulary label"),
			 errdetail("Line %d: %s.", p->line, detail),
			 errhint("tmac writes this label itself; it is accepted from a dump or in pg_upgrade, not written by hand.")));
}

static bool
valid_code(const char *s)
{
	int			n = strlen(s);
	int			i;

	if (n < 1 || n > 63)
		return false;
	for (i = 0; i < n; i++)
	{
		char		c = s[i];
		bool		alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

/* A name or alias: 1-200 bytes, no colon, comma or control character. */
static bool
valid_name(const char *s)
{
	int			n = strlen(s);
	int			i;

	if (n < 1 || n > 200)
		return false;
	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f || c == ':' || c == ',')
			return false;
	}
	return true;
}

static int32
parse_id(CopyParse *p, const char *s, int32 lo, int32 hi, const char *what)
{
	char	   *end;
	long		x;

	errno = 0;
	x = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || x < lo || x > hi)
		copy_error(p, psprintf("%s \"%s\" is not a number in %d..%d", what, s, lo, hi));
	return (int32) x;
}

/* Split a line at tabs, in place; returns the number of fields. */
static int
split_fields(char *line, char **fields)
{
	int			n = 0;
	char	   *s = line;

	for (;;)
	{
		char	   *tab = strchr(s, '\t');

		if (n == MAX_FIELDS)
			return n + 1;
		fields[n++] = s;
		if (tab == NULL)
			return n;
		*tab = '\0';
		s = tab + 1;
	}
}

static void
check_names(CopyParse *p, char **fields, int from, int n, int code_at)
{
	int			i;

	if (!valid_code(fields[code_at]))
		copy_error(p, psprintf("\"%s\" is not a valid code", fields[code_at]));
	for (i = from; i < n; i++)
		if (!valid_name(fields[i]))
			copy_error(p, psprintf("\"%s\" is not a valid name or alias", fields[i]));
}

/*
 * Parse the copy; fill v when it is not NULL (its token table exists already),
 * allocating in the current memory context.
 */
static void
parse_copy(const char *text, TmacVocabulary *v, bool stored)
{
	CopyParse	p = {stored, 1};
	char	   *buf = pstrdup(text);
	char	   *line;
	char	   *next;
	char	  **fields = palloc(sizeof(char *) * (MAX_FIELDS + 1));
	int			nl = 0,
				nc = 0,
				ng = 0;
	int32		last_level = -1,
				last_compartment = 0,
				last_group = 0;
	const char *s;

	/* Count the entries of each kind first, to size the arrays. */
	for (s = text; *s; s++)
		if (s == text || s[-1] == '\n')
		{
			nl += (*s == 'L');
			nc += (*s == 'C');
			ng += (*s == 'G');
		}
	if (v != NULL)
	{
		v->levels = palloc0(sizeof(TmacLevel) * Max(nl, 1));
		v->compartments = palloc0(sizeof(TmacCompartment) * Max(nc, 1));
		v->groups = palloc0(sizeof(TmacGroup) * Max(ng, 1));
		v->nlevels = v->ncompartments = v->ngroups = 0;
	}

	next = strchr(buf, '\n');
	if (next)
		*next++ = '\0';
	if (strcmp(buf, COPY_HEADER) != 0)
		copy_error(&p, "the first line must be \"" COPY_HEADER "\"");
	for (line = next; line != NULL; line = next)
	{
		int			n;

		p.line++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = split_fields(line, fields);
		if (n > MAX_FIELDS)
			copy_error(&p, "too many fields");
		if (strcmp(fields[0], "L") == 0 && n >= 4)
		{
			int32		rank = parse_id(&p, fields[1], 0, PG_INT16_MAX, "level rank");
			int			i;

			if (rank <= last_level)
				copy_error(&p, "levels must be listed by ascending rank");
			check_names(&p, fields, 3, n, 2);
			last_level = rank;
			if (v != NULL)
			{
				TmacLevel  *l = &v->levels[v->nlevels++];

				l->rank = (int16) rank;
				l->code = pstrdup(fields[2]);
				l->name = pstrdup(fields[3]);
				for (i = 2; i < n; i++)
					tmac_vocab_add_token(v->by_token, TMAC_VOCAB_LEVEL, fields[i], rank);
			}
		}
		else if (strcmp(fields[0], "C") == 0 && n == 4)
		{
			int32		id = parse_id(&p, fields[1], 1, PG_INT32_MAX, "compartment id");

			if (id <= last_compartment)
				copy_error(&p, "compartments must be listed by ascending id");
			check_names(&p, fields, 3, n, 2);
			last_compartment = id;
			if (v != NULL)
			{
				TmacCompartment *c = &v->compartments[v->ncompartments++];

				c->id = id;
				c->code = pstrdup(fields[2]);
				c->name = pstrdup(fields[3]);
				tmac_vocab_add_token(v->by_token, TMAC_VOCAB_COMPARTMENT, c->code, id);
				tmac_vocab_add_token(v->by_token, TMAC_VOCAB_COMPARTMENT, c->name, id);
			}
		}
		else if (strcmp(fields[0], "G") == 0 && n == 5)
		{
			int32		id = parse_id(&p, fields[1], 1, PG_INT32_MAX, "group id");
			int32		parent = parse_id(&p, fields[2], 0, PG_INT32_MAX, "group parent id");

			if (id <= last_group)
				copy_error(&p, "groups must be listed by ascending id");
			check_names(&p, fields, 4, n, 3);
			last_group = id;
			if (v != NULL)
			{
				TmacGroup  *g = &v->groups[v->ngroups++];

				g->id = id;
				g->parent_id = parent;
				g->code = pstrdup(fields[3]);
				g->name = pstrdup(fields[4]);
				tmac_vocab_add_token(v->by_token, TMAC_VOCAB_GROUP, g->code, id);
				tmac_vocab_add_token(v->by_token, TMAC_VOCAB_GROUP, g->name, id);
			}
		}
		else
			copy_error(&p, "expected \"L<tab>rank<tab>code<tab>name[<tab>alias...]\", \"C<tab>id<tab>code<tab>name\" or \"G<tab>id<tab>parent<tab>code<tab>name\"");
	}
	pfree(fields);
	pfree(buf);
}

/* The stored copy of the current database's tmac schema, or NULL. */
static char *
stored_copy(Oid namespace_oid)
{
	ObjectAddress schema;

	ObjectAddressSet(schema, NamespaceRelationId, namespace_oid);
	return GetSecurityLabel(&schema, TMAC_VOCABULARY_PROVIDER);
}

/*
 * The schema whose copy label input reads: tmac's own; before CREATE
 * EXTENSION tmac (a restore sets the labels of every schema before it
 * creates any extension) and early in pg_upgrade, the schema named tmac.
 */
static Oid
copy_schema(void)
{
	const TmacExtension *ext = tmac_extension();

	return ext->installed ? ext->namespace_oid : get_namespace_oid("tmac", true);
}

bool
tmac_vocabulary_copy_in_use(void)
{
	Oid			nsp;

	if (IsBinaryUpgrade)
		return true;
	if (tmac_extension()->installed)
		return tmac_restore_window_open();
	/* not installed: a restore that has not reached CREATE EXTENSION tmac yet */
	nsp = get_namespace_oid("tmac", true);
	return OidIsValid(nsp) && stored_copy(nsp) != NULL;
}

void
tmac_vocabulary_copy_load(TmacVocabulary *v, MemoryContext target)
{
	Oid			nsp = copy_schema();
	char	   *text = OidIsValid(nsp) ? stored_copy(nsp) : NULL;
	MemoryContext old;

	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tmac: labels cannot be read yet: the vocabulary copy on schema tmac is missing"),
				 errdetail(IsBinaryUpgrade ?
						   "pg_upgrade restores labels before tmac's tables hold data; it reads them with the vocabulary that the old cluster's schema tmac carries (security label provider tmac_vocabulary)." :
						   "A restore is in progress: tmac reads labels with the vocabulary copy on schema tmac until the restore ends."),
				 errhint("The old database was made by a tmac without the copy: make any vocabulary change there (it writes the copy), then dump or upgrade again.")));
	old = MemoryContextSwitchTo(target);
	parse_copy(text, v, true);
	MemoryContextSwitchTo(old);
}

/*
 * SECURITY LABEL FOR tmac while tmac is not installed.  A restore sets the
 * labels of every schema before it creates any extension, those of schemas
 * named before "tmac" even before the copy exists; pg_upgrade does the same.
 * With the copy at hand the label is resolved against it.  Without it, in
 * pg_upgrade or in a session that restores a dump (pg_dump's scripts and
 * pg_restore set row_security = off), only the syntax is checked now, and the
 * names are resolved when tmac is installed: by tmac.end_restore() at the end
 * of a restore, by CREATE EXTENSION tmac otherwise (80_restore.sql).  False
 * anywhere else: tmac is simply not installed, and the caller says so.
 */
bool
tmac_object_label_before_install(const char *seclabel)
{
	Oid			nsp = get_namespace_oid("tmac", true);
	TmacLabelSyntax *syn;
	TmacParseStatus st;

	if (OidIsValid(nsp) && stored_copy(nsp) != NULL)
	{
		(void) tmac_label_from_text(seclabel);
		return true;
	}
	if (!IsBinaryUpgrade && row_security)
		return false;
	syn = palloc(sizeof(TmacLabelSyntax));
	st = tmac_parse_label_syntax(seclabel, strlen(seclabel), syn);
	if (st != TMAC_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type tmac.label: \"%s\"", seclabel),
				 errdetail("%s.", tmac_parse_status_message(st)),
				 errhint("A label is written LEVEL[:COMPARTMENT,...[:GROUP,...]], for example SECRET:PRJ-A,PRJ-B:DEV.")));
	pfree(syn);
	return true;
}

typedef struct TextResult
{
	char	   *text;
	MemoryContext cxt;
} TextResult;

static void
read_text(SPITupleTable *rows, uint64 n, void *arg)
{
	TextResult *out = (TextResult *) arg;
	bool		isnull;
	Datum		d;

	if (n != 1)
		elog(ERROR, "tmac: tmac.vocabulary_copy_text() returned %llu rows", (unsigned long long) n);
	d = SPI_getbinval(rows->vals[0], rows->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "tmac: tmac.vocabulary_copy_text() returned NULL");
	out->text = MemoryContextStrdup(out->cxt, TextDatumGetCString(d));
}

char *
tmac_vocabulary_copy_generate(void)
{
	static const Oid types[] = {TEXTOID};
	TextResult	out = {NULL, CurrentMemoryContext};

	/*
	 * Not read-only: the command counter advances, so the rows of the
	 * statement whose trigger asks are seen; the latest snapshot, so are
	 * those committed by whoever held the schema's lock before.
	 */
	tmac_owner_query("SELECT tmac.vocabulary_copy_text()", 0, NULL, NULL,
					 1, types, false, TMAC_SNAPSHOT_LATEST, read_text, &out);
	return out.text;
}

static void
vocabulary_copy_relabel(const ObjectAddress *object, const char *seclabel)
{
	const TmacExtension *ext = tmac_extension();
	char	   *nspname;
	char	   *expected;

	if (object->classId != NamespaceRelationId || object->objectSubId != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the tmac_vocabulary label belongs on schema tmac only"),
				 errdetail("It carries tmac's vocabulary for restores and pg_upgrade; classify objects with SECURITY LABEL FOR tmac.")));
	nspname = get_namespace_name(object->objectId);
	if (ext->installed ? object->objectId != ext->namespace_oid :
		(nspname == NULL || strcmp(nspname, "tmac") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the tmac_vocabulary label belongs on schema tmac only"),
				 errdetail("It carries tmac's vocabulary for restores and pg_upgrade; classify objects with SECURITY LABEL FOR tmac.")));
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may set the tmac_vocabulary label"),
				 errdetail("tmac writes it itself whenever the vocabulary changes; pg_dump and pg_restore carry it.")));
	if (seclabel == NULL)
	{
		if (ext->installed && !IsBinaryUpgrade)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the tmac_vocabulary label cannot be removed while tmac is installed"),
					 errdetail("tmac keeps it in sync with its vocabulary so that a dump can be restored.")));
		return;
	}
	parse_copy(seclabel, NULL, false);
	if (IsBinaryUpgrade || !ext->installed)
	{
		/* pg_upgrade, or a dump before CREATE EXTENSION tmac: labels now read with it */
		CacheInvalidateRelcacheAll();
		return;
	}
	if (tmac_restore_window_open())
	{
		char	   *current = stored_copy(ext->namespace_oid);

		if (current == NULL || strcmp(current, seclabel) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the tmac_vocabulary label cannot change while a restore is in progress"),
					 errdetail("Labels are read with this copy until the restore ends.")));
		return;
	}
	expected = tmac_vocabulary_copy_generate();
	if (strcmp(expected, seclabel) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the tmac_vocabulary label must be the copy of tmac's vocabulary"),
				 errdetail("tmac writes it itself whenever the vocabulary changes; it is not set by hand."),
				 errhint("SELECT tmac.vocabulary_copy_text() shows what it must be.")));
}

/* DROP EXTENSION tmac: the copy goes too (the schema stays). */
void
tmac_vocabulary_copy_object_access(ObjectAccessType access, Oid classId, Oid objectId)
{
	if (access == OAT_DROP && classId == ExtensionRelationId)
	{
		const TmacExtension *ext = tmac_extension();
		ObjectAddress schema;

		if (!ext->installed || ext->ext_oid != objectId)
			return;
		ObjectAddressSet(schema, NamespaceRelationId, ext->namespace_oid);
		SetSecurityLabel(&schema, TMAC_VOCABULARY_PROVIDER, NULL);
	}
}

/*
 * Statement trigger on tmac.level, tmac.compartment and tmac.org_group:
 * rewrites the copy.  The schema's lock (the one SECURITY LABEL takes)
 * serialises writers until commit; the copy is then generated from the latest
 * committed state plus this transaction's changes, so a concurrent change
 * committed meanwhile is never lost, whatever the isolation level.
 */
PG_FUNCTION_INFO_V1(tmac_vocabulary_copy_sync);
Datum
tmac_vocabulary_copy_sync(PG_FUNCTION_ARGS)
{
	const TmacExtension *ext;
	ObjectAddress schema;
	char	   *text;
	char	   *current;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.vocabulary_copy_sync() must be called as a trigger")));
	if (IsBinaryUpgrade || tmac_restore_window_open())
		return PointerGetDatum(NULL);	/* the restored copy stands until the restore ends */
	ext = tmac_extension_required();
	LockDatabaseObject(NamespaceRelationId, ext->namespace_oid, 0, ShareUpdateExclusiveLock);
	text = tmac_vocabulary_copy_generate();
	current = stored_copy(ext->namespace_oid);
	if (current == NULL || strcmp(current, text) != 0)
	{
		ObjectAddressSet(schema, NamespaceRelationId, ext->namespace_oid);
		SetSecurityLabel(&schema, TMAC_VOCABULARY_PROVIDER, text);
	}
	return PointerGetDatum(NULL);
}

void
tmac_vocabulary_copy_init(void)
{
	register_label_provider(TMAC_VOCABULARY_PROVIDER, vocabulary_copy_relabel);
}
