/*
 * vocabulary.c — the per-backend cache of levels, compartments and groups.
 *
 * Labels store identifiers (a level's rank, compartment and group ids), so
 * reading or printing a label needs the vocabulary tables.  Each backend keeps
 * one copy in its own memory context, built on first use by three read-only
 * queries run as tmac's owner (owner_query.c).
 *
 * Invalidation: the governance sentinel (profile_cache.c explains why one
 * sentinel is enough).  The relcache callback below only clears a flag; the
 * copy is rebuilt at the next tmac_vocabulary() call, never while a caller
 * holds pointers into it.  Row decisions do not need the vocabulary at all
 * (a profile carries the groups a person reaches), so a connection that only
 * reads protected rows never builds it.
 */
#include "postgres.h"

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

void
tmac_vocab_add_token(HTAB *h, TmacVocabKind kind, const char *token, int32 id)
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

static char *
get_text(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	if (isnull)
		return NULL;
	return pstrdup(TextDatumGetCString(d));
}

/* An identifier column: never NULL, within [lo, hi] (labels store int16 ranks, positive ids). */
static int32
get_id(HeapTuple tup, TupleDesc desc, int col, int32 lo, int32 hi, const char *what)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);
	int32		x;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("tmac: the vocabulary holds a %s without an identifier", what)));
	x = DatumGetInt32(d);
	if (x < lo || x > hi)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("tmac: the vocabulary holds a %s with identifier %d, outside %d..%d",
						what, x, lo, hi)));
	return x;
}

typedef struct VocabLoad
{
	TmacVocabulary *v;
	MemoryContext target;
} VocabLoad;

static void
read_levels(SPITupleTable *rows, uint64 n, void *arg)
{
	VocabLoad  *load = (VocabLoad *) arg;
	TmacVocabulary *v = load->v;
	MemoryContext old = MemoryContextSwitchTo(load->target);
	uint64		i;

	v->nlevels = (int) n;
	v->levels = palloc0(sizeof(TmacLevel) * Max(v->nlevels, 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = rows->vals[i];
		TupleDesc	desc = rows->tupdesc;
		TmacLevel  *l = &v->levels[i];
		bool		isnull;
		Datum		aliases;

		l->rank = (int16) get_id(tup, desc, 1, PG_INT16_MIN, PG_INT16_MAX, "level");
		l->code = get_text(tup, desc, 2);
		l->name = get_text(tup, desc, 3);
		tmac_vocab_add_token(v->by_token, TMAC_VOCAB_LEVEL, l->code, l->rank);
		tmac_vocab_add_token(v->by_token, TMAC_VOCAB_LEVEL, l->name, l->rank);
		aliases = SPI_getbinval(tup, desc, 4, &isnull);
		if (!isnull)
		{
			Datum	   *elems;
			bool	   *nulls;
			int			na,
						j;

			deconstruct_array(DatumGetArrayTypeP(aliases), TEXTOID, -1,
							  false, TYPALIGN_INT, &elems, &nulls, &na);
			for (j = 0; j < na; j++)
				if (!nulls[j])
					tmac_vocab_add_token(v->by_token, TMAC_VOCAB_LEVEL,
							  TextDatumGetCString(elems[j]), l->rank);
		}
		Assert(i == 0 || v->levels[i - 1].rank < l->rank);
	}
	MemoryContextSwitchTo(old);
}

static void
read_compartments(SPITupleTable *rows, uint64 n, void *arg)
{
	VocabLoad  *load = (VocabLoad *) arg;
	TmacVocabulary *v = load->v;
	MemoryContext old = MemoryContextSwitchTo(load->target);
	uint64		i;

	v->ncompartments = (int) n;
	v->compartments = palloc0(sizeof(TmacCompartment) * Max(v->ncompartments, 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = rows->vals[i];
		TmacCompartment *c = &v->compartments[i];

		c->id = get_id(tup, rows->tupdesc, 1, 1, PG_INT32_MAX, "compartment");
		c->code = get_text(tup, rows->tupdesc, 2);
		c->name = get_text(tup, rows->tupdesc, 3);
		tmac_vocab_add_token(v->by_token, TMAC_VOCAB_COMPARTMENT, c->code, c->id);
		tmac_vocab_add_token(v->by_token, TMAC_VOCAB_COMPARTMENT, c->name, c->id);
		Assert(i == 0 || v->compartments[i - 1].id < c->id);
	}
	MemoryContextSwitchTo(old);
}

static void
read_groups(SPITupleTable *rows, uint64 n, void *arg)
{
	VocabLoad  *load = (VocabLoad *) arg;
	TmacVocabulary *v = load->v;
	MemoryContext old = MemoryContextSwitchTo(load->target);
	uint64		i;

	v->ngroups = (int) n;
	v->groups = palloc0(sizeof(TmacGroup) * Max(v->ngroups, 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = rows->vals[i];
		TmacGroup  *g = &v->groups[i];

		g->id = get_id(tup, rows->tupdesc, 1, 1, PG_INT32_MAX, "group");
		g->parent_id = get_id(tup, rows->tupdesc, 2, 0, PG_INT32_MAX, "group parent");
		g->code = get_text(tup, rows->tupdesc, 3);
		g->name = get_text(tup, rows->tupdesc, 4);
		tmac_vocab_add_token(v->by_token, TMAC_VOCAB_GROUP, g->code, g->id);
		tmac_vocab_add_token(v->by_token, TMAC_VOCAB_GROUP, g->name, g->id);
		Assert(i == 0 || v->groups[i - 1].id < g->id);
	}
	MemoryContextSwitchTo(old);
}

/*
 * Read the three tables into v (allocated in `target`), as tmac's owner with
 * a pinned search_path and checked result types (owner_query.c): the
 * vocabulary decides what every stored label means, so no session may bend
 * how it is read.  The statement's own snapshot: a label defined earlier in
 * this transaction can be used at once.
 */
static void
load_vocabulary(TmacVocabulary *v, MemoryContext target)
{
	static const Oid level_types[] = {INT4OID, TEXTOID, TEXTOID, TEXTARRAYOID};
	static const Oid compartment_types[] = {INT4OID, TEXTOID, TEXTOID};
	static const Oid group_types[] = {INT4OID, INT4OID, TEXTOID, TEXTOID};
	HASHCTL		ctl;
	VocabLoad	load = {v, target};

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TokenKey);
	ctl.entrysize = sizeof(TokenEntry);
	ctl.hcxt = target;
	v->by_token = hash_create("tmac vocabulary tokens", 256, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	/* While a restore or pg_upgrade loads the tables: the copy on schema tmac */
	if (tmac_vocabulary_copy_in_use())
	{
		tmac_vocabulary_copy_load(v, target);
		return;
	}

	tmac_owner_query("SELECT l.rank::pg_catalog.int4, l.code::pg_catalog.text, l.name::pg_catalog.text,"
					 " l.aliases::pg_catalog.text[] FROM tmac.level l ORDER BY 1",
					 0, NULL, NULL, 4, level_types, true, TMAC_SNAPSHOT_CURRENT,
					 read_levels, &load);
	tmac_owner_query("SELECT c.compartment_id::pg_catalog.int4, c.code::pg_catalog.text, c.name::pg_catalog.text"
					 " FROM tmac.compartment c ORDER BY 1",
					 0, NULL, NULL, 3, compartment_types, true, TMAC_SNAPSHOT_CURRENT,
					 read_compartments, &load);
	tmac_owner_query("SELECT g.group_id::pg_catalog.int4, COALESCE(g.parent_id, 0)::pg_catalog.int4,"
					 " g.code::pg_catalog.text, g.name::pg_catalog.text FROM tmac.org_group g ORDER BY 1",
					 0, NULL, NULL, 4, group_types, true, TMAC_SNAPSHOT_CURRENT,
					 read_groups, &load);
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

const TmacCompartment *
tmac_vocab_compartment(TmacVocabulary *v, int32 id)
{
	int			lo = 0,
				hi = v->ncompartments - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (v->compartments[mid].id == id)
			return &v->compartments[mid];
		if (v->compartments[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const TmacGroup *
tmac_vocab_group(TmacVocabulary *v, int32 id)
{
	int			lo = 0,
				hi = v->ngroups - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (v->groups[mid].id == id)
			return &v->groups[mid];
		if (v->groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
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
		appendStringInfo(&buf, ", … (%d in all)", n);
	if (n == 0)
		appendStringInfoString(&buf, "(none defined yet)");
	return buf.data;
}
