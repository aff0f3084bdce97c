/*
 * vocabulary.c — the per-backend cache of levels, compartments and groups.
 *
 * Labels store identifiers (a level's rank, compartment and group ids), so
 * reading or printing a label needs the vocabulary tables.  Each backend keeps
 * one copy in its own memory context, built on first use with read-only SPI
 * queries (so ordinary privileges and row security apply).
 *
 * Invalidation: a statement trigger on each vocabulary table calls
 * tmac.cache_invalidate(), which queues a relcache invalidation for that
 * table.  PostgreSQL delivers it to every backend at its next statement once
 * the change commits, and to this backend at the next command; if the change
 * rolls back, the queued invalidation is replayed locally so a copy that saw
 * uncommitted rows is dropped too.  The relcache callback below only clears a
 * flag (InvalidOid means "everything"); the copy is rebuilt at the next
 * tmac_vocabulary() call, never while a caller holds pointers into it.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "vocabulary.h"

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
static Oid	VocabRelids[3] = {InvalidOid, InvalidOid, InvalidOid};

static void
vocab_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == VocabRelids[0] ||
		relid == VocabRelids[1] || relid == VocabRelids[2])
		VocabValid = false;
}

void
tmac_vocabulary_init(void)
{
	CacheRegisterRelcacheCallback(vocab_relcache_callback, (Datum) 0);
}

/* Build a hash key: ASCII letters folded to upper case.  False if too long. */
static bool
make_key(TokenKey *key, TmacVocabKind kind, const char *token, int len)
{
	int			i;

	if (len <= 0 || len >= TOKEN_KEY_LEN)
		return false;
	memset(key, 0, sizeof(TokenKey));
	key->kind = (char) kind;
	for (i = 0; i < len; i++)
	{
		char		c = token[i];

		key->text[i] = (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
	}
	return true;
}

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

static char *
get_text(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	if (isnull)
		return NULL;
	return pstrdup(TextDatumGetCString(d));
}

static int32
get_int(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

/* Run the three queries and fill v; everything is allocated in the current context. */
static void
load_vocabulary(TmacVocabulary *v, MemoryContext target)
{
	HASHCTL		ctl;
	uint64		i;
	Oid			nsp;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TokenKey);
	ctl.entrysize = sizeof(TokenEntry);
	ctl.hcxt = target;
	v->by_token = hash_create("tmac vocabulary tokens", 256, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "tmac: SPI_connect failed");

	if (SPI_execute("SELECT rank::int4, code, name, aliases FROM tmac.level ORDER BY rank",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "tmac: cannot read tmac.level");
	{
		MemoryContext old = MemoryContextSwitchTo(target);

		v->nlevels = (int) SPI_processed;
		v->levels = palloc0(sizeof(TmacLevel) * Max(v->nlevels, 1));
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			TmacLevel  *l = &v->levels[i];
			bool		isnull;
			Datum		aliases;

			l->rank = (int16) get_int(tup, desc, 1);
			l->code = get_text(tup, desc, 2);
			l->name = get_text(tup, desc, 3);
			add_token(v->by_token, TMAC_VOCAB_LEVEL, l->code, l->rank);
			add_token(v->by_token, TMAC_VOCAB_LEVEL, l->name, l->rank);
			aliases = SPI_getbinval(tup, desc, 4, &isnull);
			if (!isnull)
			{
				Datum	   *elems;
				bool	   *nulls;
				int			n,
							j;

				deconstruct_array(DatumGetArrayTypeP(aliases), TEXTOID, -1,
								  false, TYPALIGN_INT, &elems, &nulls, &n);
				for (j = 0; j < n; j++)
					if (!nulls[j])
						add_token(v->by_token, TMAC_VOCAB_LEVEL,
								  TextDatumGetCString(elems[j]), l->rank);
			}
		}
		MemoryContextSwitchTo(old);
	}

	if (SPI_execute("SELECT compartment_id, code, name FROM tmac.compartment ORDER BY compartment_id",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "tmac: cannot read tmac.compartment");
	{
		MemoryContext old = MemoryContextSwitchTo(target);

		v->ncompartments = (int) SPI_processed;
		v->compartments = palloc0(sizeof(TmacCompartment) * Max(v->ncompartments, 1));
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			TmacCompartment *c = &v->compartments[i];

			c->id = get_int(tup, desc, 1);
			c->code = get_text(tup, desc, 2);
			c->name = get_text(tup, desc, 3);
			add_token(v->by_token, TMAC_VOCAB_COMPARTMENT, c->code, c->id);
			add_token(v->by_token, TMAC_VOCAB_COMPARTMENT, c->name, c->id);
		}
		MemoryContextSwitchTo(old);
	}

	if (SPI_execute("SELECT group_id, coalesce(parent_id, 0), code, name FROM tmac.org_group ORDER BY group_id",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "tmac: cannot read tmac.org_group");
	{
		MemoryContext old = MemoryContextSwitchTo(target);

		v->ngroups = (int) SPI_processed;
		v->groups = palloc0(sizeof(TmacGroup) * Max(v->ngroups, 1));
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			TmacGroup  *g = &v->groups[i];

			g->id = get_int(tup, desc, 1);
			g->parent_id = get_int(tup, desc, 2);
			g->code = get_text(tup, desc, 3);
			g->name = get_text(tup, desc, 4);
			add_token(v->by_token, TMAC_VOCAB_GROUP, g->code, g->id);
			add_token(v->by_token, TMAC_VOCAB_GROUP, g->name, g->id);
		}
		MemoryContextSwitchTo(old);
	}

	SPI_finish();

	nsp = get_namespace_oid("tmac", false);
	VocabRelids[0] = get_relname_relid("level", nsp);
	VocabRelids[1] = get_relname_relid("compartment", nsp);
	VocabRelids[2] = get_relname_relid("org_group", nsp);
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
