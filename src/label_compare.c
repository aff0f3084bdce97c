/*
 * label_compare.c — ordering, hashing, dominance and the label lattice.
 *
 * Every btree operator is driven by one comparator, tmac_label_cmp_internal:
 * by level rank, then the compartment ids, then the group ids.  The order is
 * total and depends only on stored identifiers, so it is immutable and
 * renaming never reorders an index.  Hashing works on the codes (see below).
 *
 * Dominance (a @> b) is the need-to-know test: a's level is at least b's,
 * a holds every compartment of b, and if b names groups, a holds one of them
 * or an ancestor of one.  Only the group part consults the vocabulary (the
 * group tree), and only when the groups do not match directly.
 *
 * These functions raise no error that depends on their arguments' values, so
 * the comparison and dominance operators are declared LEAKPROOF: the planner
 * may then evaluate them before a row-security filter, e.g. in an index scan.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "common/hashfn.h"
#include "utils/builtins.h"

#include "label.h"
#include "label_parse.h"

static int
cmp_ids(const int32 *a, int na, const int32 *b, int nb)
{
	int			i,
				n = Min(na, nb);

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return (na > nb) - (na < nb);
}

int
tmac_label_cmp_internal(const TmacLabel *a, const TmacLabel *b)
{
	int			c;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	c = cmp_ids(TMAC_LABEL_COMPARTMENTS(a), a->ncompartments,
				TMAC_LABEL_COMPARTMENTS(b), b->ncompartments);
	if (c != 0)
		return c;
	return cmp_ids(TMAC_LABEL_GROUPS(a), a->ngroups,
				   TMAC_LABEL_GROUPS(b), b->ngroups);
}

bool
tmac_sorted_subset(const int32 *sub, int nsub, const int32 *super, int nsuper)
{
	int			i = 0,
				j = 0;

	if (nsub > nsuper)
		return false;
	while (i < nsub)
	{
		/* super runs out before sub does: not a subset */
		if (nsuper - j < nsub - i)
			return false;
		if (super[j] == sub[i])
			i++, j++;
		else if (super[j] < sub[i])
			j++;
		else
			return false;
	}
	return true;
}

static bool
sorted_contains(const int32 *ids, int n, int32 id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (ids[mid] == id)
			return true;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* Does a holder of groups `have` reach one of `need` (itself or an ancestor)? */
static bool
groups_reach(const int32 *have, int nhave, const int32 *need, int nneed)
{
	TmacVocabulary *v;
	int			i,
				j;

	if (nneed == 0)
		return true;
	if (nhave == 0)
		return false;
	for (i = 0; i < nneed; i++)
		if (sorted_contains(have, nhave, need[i]))
			return true;
	v = tmac_vocabulary();
	for (i = 0; i < nneed; i++)
		for (j = 0; j < nhave; j++)
			if (tmac_vocab_group_within(v, need[i], have[j]))
				return true;
	return false;
}

bool
tmac_label_dominates(const TmacLabel *a, const TmacLabel *b)
{
	if (a->rank < b->rank)
		return false;
	if (!tmac_sorted_subset(TMAC_LABEL_COMPARTMENTS(b), b->ncompartments,
							TMAC_LABEL_COMPARTMENTS(a), a->ncompartments))
		return false;
	return groups_reach(TMAC_LABEL_GROUPS(a), a->ngroups,
						TMAC_LABEL_GROUPS(b), b->ngroups);
}

#define LABEL_CMP_FUNCTION(fname, expr) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	TmacLabel  *a = PG_GETARG_TMAC_LABEL(0); \
	TmacLabel  *b = PG_GETARG_TMAC_LABEL(1); \
	int			c = tmac_label_cmp_internal(a, b); \
	PG_RETURN_BOOL(expr); \
}

LABEL_CMP_FUNCTION(tmac_label_eq, c == 0)
LABEL_CMP_FUNCTION(tmac_label_ne, c != 0)
LABEL_CMP_FUNCTION(tmac_label_lt, c < 0)
LABEL_CMP_FUNCTION(tmac_label_le, c <= 0)
LABEL_CMP_FUNCTION(tmac_label_gt, c > 0)
LABEL_CMP_FUNCTION(tmac_label_ge, c >= 0)

PG_FUNCTION_INFO_V1(tmac_label_cmp);
Datum
tmac_label_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(tmac_label_cmp_internal(PG_GETARG_TMAC_LABEL(0),
											PG_GETARG_TMAC_LABEL(1)));
}

/*
 * Hashing.  The stored ids are this database's own (a compartment's or
 * group's id is given when it is defined), so a hash of them routes a row to
 * another hash partition in a database where the same vocabulary was defined
 * in another order: a partial dump of a table hash-partitioned on a label then
 * fails to restore ("violates partition constraint").  The hash is computed
 * from what is the same in every database with the same vocabulary: the
 * level's code and the compartments' and groups' codes (folded as label input
 * compares them).  The compartments' and groups' are combined by addition, so
 * their order does not matter and nothing is sorted or allocated.  Equal
 * labels carry equal ids, hence equal codes: hash and equality agree.  A
 * rename changes a code, so tmac.rename_entry rebuilds the hash indexes on
 * labels and refuses while a table is hash-partitioned on one.  An id the
 * vocabulary lacks (a corrupted label) is hashed as its number, so hashing
 * raises no error that depends on the value.  The 32-bit hash is the low
 * half of the extended hash with seed 0, as PostgreSQL requires.  A limit:
 * a query that takes in another session's committed rename while it runs
 * (it reloads the vocabulary only when it processes invalidations, e.g. on
 * opening a relation it had not locked) hashes with the new codes from then
 * on, so that one query's hash join or hash aggregate over labels may miss
 * matches or split a group; renames are rare administrative acts.
 */
static uint64
code_hash(const char *code, uint64 seed)
{
	char		local[128];
	int			len = strlen(code);
	char	   *buf = len <= (int) sizeof(local) ? local : palloc(len);
	uint64		h;

	tmac_vocab_fold(buf, code, len);
	h = hash_bytes_extended((const unsigned char *) buf, len, seed);
	if (buf != local)
		pfree(buf);
	return h;
}

#define HASH_SEED_COMPARTMENT	UINT64CONST(0x43a5c2f1e9b7d603)
#define HASH_SEED_GROUP			UINT64CONST(0x9e3779b97f4a7c15)

static uint64
label_hash_internal(const TmacLabel *l, uint64 seed)
{
	TmacVocabulary *v = tmac_vocabulary();
	const TmacLevel *level = tmac_vocab_level(v, l->rank);
	const int32 *ids = TMAC_LABEL_COMPARTMENTS(l);
	uint64		h,
				c = 0,
				g = 0;
	int			i;

	h = level ? code_hash(level->code, seed)
		: hash_bytes_uint32_extended((uint32) l->rank, seed);
	for (i = 0; i < l->ncompartments; i++)
	{
		const TmacCompartment *e = tmac_vocab_compartment(v, ids[i]);

		c += e ? code_hash(e->code, seed ^ HASH_SEED_COMPARTMENT)
			: hash_bytes_uint32_extended((uint32) ids[i], seed ^ HASH_SEED_COMPARTMENT);
	}
	ids = TMAC_LABEL_GROUPS(l);
	for (i = 0; i < l->ngroups; i++)
	{
		const TmacGroup *e = tmac_vocab_group(v, ids[i]);

		g += e ? code_hash(e->code, seed ^ HASH_SEED_GROUP)
			: hash_bytes_uint32_extended((uint32) ids[i], seed ^ HASH_SEED_GROUP);
	}
	h = hash_combine64(h, hash_bytes_uint32_extended((uint32) l->ncompartments, c));
	return hash_combine64(h, hash_bytes_uint32_extended((uint32) l->ngroups, g));
}

/*
 * The hashes of the labels seen last, by their words and seed, for the copy
 * of the vocabulary they were computed with: a column holds few distinct
 * labels, and a hash join, aggregate, index build or partition routing hashes
 * each of them again and again.  A slot holds labels of up to 64 bytes (a
 * level and 10 ids); longer ones are hashed every time.
 */
#define HASH_CACHE_SLOTS	64
#define HASH_CACHE_BYTES	64

typedef struct HashCacheSlot
{
	uint64		generation;		/* of the vocabulary; 0: empty */
	uint64		seed;
	uint64		hash;
	char		label[HASH_CACHE_BYTES];
} HashCacheSlot;

static HashCacheSlot HashCache[HASH_CACHE_SLOTS];

static uint64
label_hash_cached(const TmacLabel *l, uint64 seed)
{
	uint64		generation = tmac_vocabulary()->generation;
	HashCacheSlot *slot;
	uint64		h;

	if (VARSIZE(l) > HASH_CACHE_BYTES)
		return label_hash_internal(l, seed);
	slot = &HashCache[(tmac_label_words_hash(l) ^ (uint32) seed) % HASH_CACHE_SLOTS];
	if (slot->generation == generation && slot->seed == seed &&
		memcmp(slot->label, l, VARSIZE(l)) == 0)
		return slot->hash;
	h = label_hash_internal(l, seed);
	memcpy(slot->label, l, VARSIZE(l));
	slot->seed = seed;
	slot->hash = h;
	slot->generation = generation;
	return h;
}

PG_FUNCTION_INFO_V1(tmac_label_hash);
Datum
tmac_label_hash(PG_FUNCTION_ARGS)
{
	PG_RETURN_UINT32((uint32) label_hash_cached(PG_GETARG_TMAC_LABEL(0), 0));
}

PG_FUNCTION_INFO_V1(tmac_label_hash_extended);
Datum
tmac_label_hash_extended(PG_FUNCTION_ARGS)
{
	PG_RETURN_UINT64(label_hash_cached(PG_GETARG_TMAC_LABEL(0),
									   (uint64) PG_GETARG_INT64(1)));
}

PG_FUNCTION_INFO_V1(tmac_label_dominates_fn);
Datum
tmac_label_dominates_fn(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(tmac_label_dominates(PG_GETARG_TMAC_LABEL(0),
										PG_GETARG_TMAC_LABEL(1)));
}

PG_FUNCTION_INFO_V1(tmac_label_dominated_by);
Datum
tmac_label_dominated_by(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(tmac_label_dominates(PG_GETARG_TMAC_LABEL(1),
										PG_GETARG_TMAC_LABEL(0)));
}

/* too_many: a message with the count and the limit, marked for the catalog */
static void
check_limit(int n, int max, const char *too_many)
{
	if (n > max)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg(too_many, n, max)));
}

#define TOO_MANY_COMPARTMENTS \
	gettext_noop("the result would hold %d compartments, more than the %d a label allows")
#define TOO_MANY_GROUPS \
	gettext_noop("the result would hold %d groups, more than the %d a label allows")

/* Merge two sorted, duplicate-free arrays into out; returns the count. */
static int
sorted_union(const int32 *a, int na, const int32 *b, int nb, int32 *out)
{
	int			n = 0,
				i = 0,
				j = 0;

	while (i < na || j < nb)
	{
		if (j >= nb || (i < na && a[i] < b[j]))
			out[n++] = a[i++];
		else if (i >= na || b[j] < a[i])
			out[n++] = b[j++];
		else
			out[n++] = a[i++], j++;
	}
	return n;
}

/*
 * Least upper bound: the higher level, the union of the compartments and the
 * union of the groups (a holder of the result reaches a group of each side).
 * A side without groups places no group restriction, so it adds none.
 */
PG_FUNCTION_INFO_V1(tmac_label_lub);
Datum
tmac_label_lub(PG_FUNCTION_ARGS)
{
	TmacLabel  *a = PG_GETARG_TMAC_LABEL(0);
	TmacLabel  *b = PG_GETARG_TMAC_LABEL(1);
	int32	   *comps = palloc(sizeof(int32) * (a->ncompartments + b->ncompartments + 1));
	int32	   *groups = palloc(sizeof(int32) * (a->ngroups + b->ngroups + 1));
	int			nc,
				ng;
	const int32 *ac = TMAC_LABEL_COMPARTMENTS(a),
			   *bc = TMAC_LABEL_COMPARTMENTS(b),
			   *ag = TMAC_LABEL_GROUPS(a),
			   *bg = TMAC_LABEL_GROUPS(b);

	nc = sorted_union(ac, a->ncompartments, bc, b->ncompartments, comps);
	ng = sorted_union(ag, a->ngroups, bg, b->ngroups, groups);
	check_limit(nc, TMAC_LABEL_MAX_COMPARTMENTS, TOO_MANY_COMPARTMENTS);
	check_limit(ng, TMAC_LABEL_MAX_GROUPS, TOO_MANY_GROUPS);
	PG_RETURN_TMAC_LABEL(tmac_label_make(Max(a->rank, b->rank), comps, nc, groups, ng));
}

/*
 * Greatest lower bound: the lower level, the common compartments, and the
 * groups that both sides reach: each group of one side that the other side
 * holds or holds an ancestor of.  When none is common the result has no
 * groups, which every label dominates on the group axis.
 */
PG_FUNCTION_INFO_V1(tmac_label_glb);
Datum
tmac_label_glb(PG_FUNCTION_ARGS)
{
	TmacLabel  *a = PG_GETARG_TMAC_LABEL(0);
	TmacLabel  *b = PG_GETARG_TMAC_LABEL(1);
	int32	   *comps = palloc(sizeof(int32) * (Min(a->ncompartments, b->ncompartments) + 1));
	int32	   *groups = palloc(sizeof(int32) * (a->ngroups + b->ngroups + 1));
	int			nc = 0,
				ng = 0,
				i = 0,
				j = 0;
	const int32 *ac = TMAC_LABEL_COMPARTMENTS(a),
			   *bc = TMAC_LABEL_COMPARTMENTS(b),
			   *ag = TMAC_LABEL_GROUPS(a),
			   *bg = TMAC_LABEL_GROUPS(b);

	while (i < a->ncompartments && j < b->ncompartments)
	{
		if (ac[i] < bc[j])
			i++;
		else if (bc[j] < ac[i])
			j++;
		else
			comps[nc++] = ac[i++], j++;
	}
	for (i = 0; i < a->ngroups; i++)
		if (groups_reach(bg, b->ngroups, &ag[i], 1) && b->ngroups > 0)
			groups[ng++] = ag[i];
	for (j = 0; j < b->ngroups; j++)
		if (a->ngroups > 0 && groups_reach(ag, a->ngroups, &bg[j], 1) &&
			!sorted_contains(ag, a->ngroups, bg[j]))
			groups[ng++] = bg[j];
	if (ng > 1)
	{
		/* sort: the second loop may have appended out of order */
		for (i = 1; i < ng; i++)
		{
			int32		x = groups[i];

			for (j = i; j > 0 && groups[j - 1] > x; j--)
				groups[j] = groups[j - 1];
			groups[j] = x;
		}
	}
	check_limit(ng, TMAC_LABEL_MAX_GROUPS, TOO_MANY_GROUPS);
	PG_RETURN_TMAC_LABEL(tmac_label_make(Min(a->rank, b->rank), comps, nc, groups, ng));
}
