/*
 * vocabulary.c — the per-backend cache of levels, compartments and groups.
 *
 * Labels store identifiers (a level's rank, compartment and group ids), so
 * reading or printing a label needs the vocabulary tables.  Each backend keeps
 * one copy in its own memory context, built on first use by three read-only
 * queries run as tmac's owner (owner_query.c) or, while a restore or
 * pg_upgrade loads those tables, from the copy that schema tmac carries
 * (vocabulary_copy.c finds it, vocabulary_text.c parses it).  Both sources
 * hand over entries (TmacVocabEntry) to one routine, add_entry.
 *
 * Invalidation: the governance sentinel (profile_cache.c explains why one
 * sentinel is enough).  The relcache callback below only clears a flag; the
 * copy is rebuilt at the next tmac_vocabulary() call, never while a caller
 * holds pointers into it.  Row decisions do not need the vocabulary at all
 * (a profile carries the groups a person reaches), so a connection that only
 * reads protected rows never builds it.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "extension.h"
#include "owner_query.h"
#include "vocabulary.h"
#include "vocabulary_copy.h"
#include "vocabulary_text.h"

#define TOKEN_KEY_LEN 256

typedef struct TokenKey
{
	char		kind;
	char		text[TOKEN_KEY_LEN];
} TokenKey;

typedef struct TokenEntry
{
	TokenKey	key;
	int32		id;
} TokenEntry;

static MemoryContext VocabContext = NULL;
static TmacVocabulary *Vocab = NULL;
static bool VocabValid = false;
void
tmac_vocabulary_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == tmac_sentinel_relid)
		VocabValid = false;
}

/*
 * The one case-folding rule of vocabulary spellings (label input, the SQL
 * lookup tmac.vocabulary_id and the uniqueness of spellings all use it):
 * ASCII letters a-z become A-Z; every other byte stays as it is.  Japanese,
 * full-width (ＤＥＶ), dotted or dotless i (İ, ı) and ß are matched exactly.
 * It never depends on the database's collation or ctype, so a spelling means
 * the same entry in every database, and a Turkish locale cannot make "i" and
 * "I" two spellings.  dst receives len bytes (no terminator).
 */
void
tmac_vocab_fold(char *dst, const char *src, int len)
{
	int			i;

	for (i = 0; i < len; i++)
	{
		char		c = src[i];

		dst[i] = (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
	}
}

/* Build a hash key (folded by tmac_vocab_fold).  False if empty or too long. */
static bool
make_key(TokenKey *key, TmacVocabKind kind, const char *token, int len)
{
	if (len <= 0 || len >= TOKEN_KEY_LEN)
		return false;
	memset(key, 0, sizeof(TokenKey));
	key->kind = (char) kind;
	tmac_vocab_fold(key->text, token, len);
	return true;
}

/* Add a spelling to a vocabulary's token table (the first definition wins). */
static void
add_token(HTAB *h, TmacVocabKind kind, const char *token, int32 id)
{
	TokenKey	key;
	TokenEntry *e;
	bool		found;

	if (token == NULL || !make_key(&key, kind, token, strlen(token)))
		return;
	e = hash_search(h, &key, HASH_ENTER, &found);
	if (!found)					/* the first definition wins on a clash */
		e->id = id;
}

/*
 * The one way into a vocabulary: each entry, from the copy (vocabulary_text.c
 * parses it) or from a row of the tables, is added here.  Entries come by
 * kind in ascending identifier order (the copy's parser checks it, the
 * queries sort), so the arrays stay sorted for the lookups below.
 */
typedef struct VocabBuild
{
	TmacVocabulary *v;
	MemoryContext target;		/* where the vocabulary lives */
	int			capacity[3];	/* levels, compartments, groups */
} VocabBuild;

static void *
grow(void *array, int n, int *capacity, Size width)
{
	if (n < *capacity)
		return array;
	*capacity = Max(16, *capacity * 2);
	return array == NULL ? palloc0(width * *capacity) : repalloc(array, width * *capacity);
}

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : pstrdup(s);
}

/* A TmacVocabEntryFn: add one entry (copying its strings) to the vocabulary being built. */
static void
add_entry(const TmacVocabEntry *e, void *arg)
{
	VocabBuild *b = (VocabBuild *) arg;
	TmacVocabulary *v = b->v;
	MemoryContext old = MemoryContextSwitchTo(b->target);
	int			i;

	switch (e->kind)
	{
		case TMAC_VOCAB_LEVEL:
			{
				TmacLevel  *l;

				v->levels = grow(v->levels, v->nlevels, &b->capacity[0], sizeof(TmacLevel));
				l = &v->levels[v->nlevels++];
				l->rank = (int16) e->id;
				l->code = dup_or_null(e->code);
				l->name = dup_or_null(e->name);
				add_token(v->by_token, TMAC_VOCAB_LEVEL, l->code, l->rank);
				add_token(v->by_token, TMAC_VOCAB_LEVEL, l->name, l->rank);
				for (i = 0; i < e->naliases; i++)
					add_token(v->by_token, TMAC_VOCAB_LEVEL, e->aliases[i], l->rank);
				Assert(v->nlevels == 1 || l[-1].rank < l->rank);
				break;
			}
		case TMAC_VOCAB_COMPARTMENT:
			{
				TmacCompartment *c;

				v->compartments = grow(v->compartments, v->ncompartments, &b->capacity[1],
									   sizeof(TmacCompartment));
				c = &v->compartments[v->ncompartments++];
				c->id = e->id;
				c->code = dup_or_null(e->code);
				c->name = dup_or_null(e->name);
				add_token(v->by_token, TMAC_VOCAB_COMPARTMENT, c->code, c->id);
				add_token(v->by_token, TMAC_VOCAB_COMPARTMENT, c->name, c->id);
				Assert(v->ncompartments == 1 || c[-1].id < c->id);
				break;
			}
		case TMAC_VOCAB_GROUP:
			{
				TmacGroup  *g;

				v->groups = grow(v->groups, v->ngroups, &b->capacity[2], sizeof(TmacGroup));
				g = &v->groups[v->ngroups++];
				g->id = e->id;
				g->parent_id = e->parent_id;
				g->code = dup_or_null(e->code);
				g->name = dup_or_null(e->name);
				add_token(v->by_token, TMAC_VOCAB_GROUP, g->code, g->id);
				add_token(v->by_token, TMAC_VOCAB_GROUP, g->name, g->id);
				Assert(v->ngroups == 1 || g[-1].id < g->id);
				break;
			}
	}
	MemoryContextSwitchTo(old);
}

static char *
get_text(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* What get_id says of a missing or out-of-range identifier, per column. */
typedef struct IdWording
{
	const char *missing;		/* errmsg */
	const char *outside;		/* errmsg: id, lo, hi */
} IdWording;

static const IdWording level_id = {
	gettext_noop("tmac: the vocabulary holds a level without an identifier"),
	gettext_noop("tmac: the vocabulary holds a level with identifier %d, outside %d..%d"),
};
static const IdWording compartment_id = {
	gettext_noop("tmac: the vocabulary holds a compartment without an identifier"),
	gettext_noop("tmac: the vocabulary holds a compartment with identifier %d, outside %d..%d"),
};
static const IdWording group_id = {
	gettext_noop("tmac: the vocabulary holds a group without an identifier"),
	gettext_noop("tmac: the vocabulary holds a group with identifier %d, outside %d..%d"),
};
static const IdWording group_parent_id = {
	gettext_noop("tmac: the vocabulary holds a group parent without an identifier"),
	gettext_noop("tmac: the vocabulary holds a group parent with identifier %d, outside %d..%d"),
};

/* An identifier column: never NULL, within [lo, hi] (labels store int16 ranks, positive ids). */
static int32
get_id(HeapTuple tup, TupleDesc desc, int col, int32 lo, int32 hi, const IdWording *what)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);
	int32		x;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s", tmac_translate(what->missing))));
	x = DatumGetInt32(d);
	if (x < lo || x > hi)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg(what->outside, x, lo, hi)));
	return x;
}

/*
 * One row of the tables as an entry: (id, code, name, aliases) for a level,
 * (id, code, name) for a compartment, (id, parent, code, name) for a group.
 */
static void
read_rows(SPITupleTable *rows, uint64 n, void *arg, char kind)
{
	TupleDesc	desc = rows->tupdesc;
	uint64		i;

	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = rows->vals[i];
		TmacVocabEntry e;
		int			col = 1;
		char	  **aliases = NULL;

		memset(&e, 0, sizeof(e));
		e.kind = kind;
		if (kind == TMAC_VOCAB_LEVEL)
			e.id = get_id(tup, desc, col++, PG_INT16_MIN, PG_INT16_MAX, &level_id);
		else
			e.id = get_id(tup, desc, col++, 1, PG_INT32_MAX,
						  kind == TMAC_VOCAB_COMPARTMENT ? &compartment_id : &group_id);
		if (kind == TMAC_VOCAB_GROUP)
			e.parent_id = get_id(tup, desc, col++, 0, PG_INT32_MAX, &group_parent_id);
		e.code = get_text(tup, desc, col++);
		e.name = get_text(tup, desc, col++);
		if (kind == TMAC_VOCAB_LEVEL)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(tup, desc, col, &isnull);

			if (!isnull)
			{
				Datum	   *elems;
				bool	   *nulls;
				int			na,
							j;

				deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1,
								  false, TYPALIGN_INT, &elems, &nulls, &na);
				aliases = palloc(sizeof(char *) * Max(na, 1));
				for (j = 0; j < na; j++)
					if (!nulls[j])
						aliases[e.naliases++] = TextDatumGetCString(elems[j]);
				e.aliases = aliases;
			}
		}
		add_entry(&e, arg);
	}
}

static void
read_levels(SPITupleTable *rows, uint64 n, void *arg)
{
	read_rows(rows, n, arg, TMAC_VOCAB_LEVEL);
}

static void
read_compartments(SPITupleTable *rows, uint64 n, void *arg)
{
	read_rows(rows, n, arg, TMAC_VOCAB_COMPARTMENT);
}

static void
read_groups(SPITupleTable *rows, uint64 n, void *arg)
{
	read_rows(rows, n, arg, TMAC_VOCAB_GROUP);
}

/*
 * Read the three tables into v (allocated in `target`), as tmac's owner with
 * a pinned search_path and checked result types (owner_query.c): the
 * vocabulary decides what every stored label means, so no session may bend
 * how it is read.  The statement's own snapshot: a label defined earlier in
 * this transaction can be used at once.  While a restore or pg_upgrade loads
 * the tables, the copy on schema tmac instead.
 */
static void
load_vocabulary(TmacVocabulary *v, MemoryContext target)
{
	static const Oid level_types[] = {INT4OID, TEXTOID, TEXTOID, TEXTARRAYOID};
	static const Oid compartment_types[] = {INT4OID, TEXTOID, TEXTOID};
	static const Oid group_types[] = {INT4OID, INT4OID, TEXTOID, TEXTOID};
	HASHCTL		ctl;
	VocabBuild	build;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TokenKey);
	ctl.entrysize = sizeof(TokenEntry);
	ctl.hcxt = target;
	v->by_token = hash_create("tmac vocabulary tokens", 256, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	memset(&build, 0, sizeof(build));
	build.v = v;
	build.target = target;

	if (tmac_vocabulary_copy_in_use())
		tmac_vocabulary_copy_read(add_entry, &build);
	else
	{
		tmac_owner_query("SELECT l.rank::pg_catalog.int4, l.code::pg_catalog.text, l.name::pg_catalog.text,"
						 " l.aliases::pg_catalog.text[] FROM tmac.level l ORDER BY 1",
						 0, NULL, NULL, 4, level_types, true, TMAC_SNAPSHOT_CURRENT,
						 read_levels, &build);
		tmac_owner_query("SELECT c.compartment_id::pg_catalog.int4, c.code::pg_catalog.text, c.name::pg_catalog.text"
						 " FROM tmac.compartment c ORDER BY 1",
						 0, NULL, NULL, 3, compartment_types, true, TMAC_SNAPSHOT_CURRENT,
						 read_compartments, &build);
		tmac_owner_query("SELECT g.group_id::pg_catalog.int4, COALESCE(g.parent_id, 0)::pg_catalog.int4,"
						 " g.code::pg_catalog.text, g.name::pg_catalog.text FROM tmac.org_group g ORDER BY 1",
						 0, NULL, NULL, 4, group_types, true, TMAC_SNAPSHOT_CURRENT,
						 read_groups, &build);
	}
	/* an empty kind still has an array, as it always had */
	if (v->levels == NULL)
		v->levels = MemoryContextAllocZero(target, sizeof(TmacLevel));
	if (v->compartments == NULL)
		v->compartments = MemoryContextAllocZero(target, sizeof(TmacCompartment));
	if (v->groups == NULL)
		v->groups = MemoryContextAllocZero(target, sizeof(TmacGroup));
}

TmacVocabulary *
tmac_vocabulary(void)
{
	MemoryContext fresh;
	TmacVocabulary *v;

	if (VocabValid && Vocab != NULL)
		return Vocab;

	/*
	 * Mark valid before loading: an invalidation that arrives while we read
	 * clears the flag again, so the next call rebuilds.
	 */
	VocabValid = true;
	fresh = AllocSetContextCreate(CacheMemoryContext, "tmac vocabulary",
								  ALLOCSET_SMALL_SIZES);
	PG_TRY();
	{
		v = MemoryContextAllocZero(fresh, sizeof(TmacVocabulary));
		load_vocabulary(v, fresh);
	}
	PG_CATCH();
	{
		VocabValid = false;
		MemoryContextDelete(fresh);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (VocabContext != NULL)
		MemoryContextDelete(VocabContext);
	VocabContext = fresh;
	Vocab = v;
	{
		static uint64 generations = 0;

		v->generation = ++generations;
	}
	return Vocab;
}

bool
tmac_vocab_lookup(TmacVocabulary *v, TmacVocabKind kind, const char *token,
				  int len, int32 *id)
{
	TokenKey	key;
	TokenEntry *e;

	if (!make_key(&key, kind, token, len))
		return false;
	e = hash_search(v->by_token, &key, HASH_FIND, NULL);
	if (e == NULL)
		return false;
	*id = e->id;
	return true;
}

const TmacLevel *
tmac_vocab_level(TmacVocabulary *v, int16 rank)
{
	int			i;

	for (i = 0; i < v->nlevels; i++)
		if (v->levels[i].rank == rank)
			return &v->levels[i];
	return NULL;
}

/* Binary search of an array sorted by id, each element beginning with its int32 id. */
static const void *
find_by_id(const void *array, int n, Size width, int32 id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const char *elem = (const char *) array + width * mid;
		int32		x = *(const int32 *) elem;

		if (x == id)
			return elem;
		if (x < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const TmacCompartment *
tmac_vocab_compartment(TmacVocabulary *v, int32 id)
{
	StaticAssertStmt(offsetof(TmacCompartment, id) == 0, "a compartment begins with its id");
	return find_by_id(v->compartments, v->ncompartments, sizeof(TmacCompartment), id);
}

const TmacGroup *
tmac_vocab_group(TmacVocabulary *v, int32 id)
{
	StaticAssertStmt(offsetof(TmacGroup, id) == 0, "a group begins with its id");
	return find_by_id(v->groups, v->ngroups, sizeof(TmacGroup), id);
}

bool
tmac_vocab_group_within(TmacVocabulary *v, int32 group, int32 ancestor)
{
	int			guard = v->ngroups + 1; /* a cycle can never loop forever */

	while (group != 0 && guard-- > 0)
	{
		const TmacGroup *g;

		if (group == ancestor)
			return true;
		g = tmac_vocab_group(v, group);
		if (g == NULL)
			return false;
		group = g->parent_id;
	}
	return false;
}

char *
tmac_vocab_codes(TmacVocabulary *v, TmacVocabKind kind)
{
	StringInfoData buf;
	int			i,
				n;

	initStringInfo(&buf);
	n = kind == TMAC_VOCAB_LEVEL ? v->nlevels :
		kind == TMAC_VOCAB_COMPARTMENT ? v->ncompartments : v->ngroups;
	for (i = 0; i < n && i < 20; i++)
	{
		const char *code = kind == TMAC_VOCAB_LEVEL ? v->levels[i].code :
		kind == TMAC_VOCAB_COMPARTMENT ? v->compartments[i].code :
		v->groups[i].code;

		appendStringInfo(&buf, "%s%s", i ? ", " : "", code);
	}
	if (n > 20)
		appendStringInfo(&buf, tmac_translate(gettext_noop(", … (%d in all)")), n);
	if (n == 0)
		appendStringInfoString(&buf, tmac_translate(gettext_noop("(none defined yet)")));
	return buf.data;
}
