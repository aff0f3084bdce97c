/*
 * access_stats.h — who read and wrote how much protected data, in shared memory.
 *
 * The row policies (policy.c) tell access_stats.c about every row a person
 * was allowed to read or write; it adds the row to a counter of the running
 * executor (no lock, no allocation on the common path) and, at ExecutorEnd,
 * adds the statement's counters to a fixed-size shared hash.  Only the calls
 * the planner hook marked as a protected table's policy count.
 * access_stats.c explains the marks, the keys, the eviction rule, the
 * overflow record and the dump file.
 */
#ifndef TMAC_ACCESS_STATS_H
#define TMAC_ACCESS_STATS_H

#include "postgres.h"

#include "access/xact.h"

#include "executor/execdesc.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "nodes/pathnodes.h"
#include "utils/palloc.h"

#include "executor_state.h"
#include "label.h"
#include "profile_cache.h"

/* The rows one executor counted under one (person, table, label). */
typedef struct TmacStatsSlot
{
	char	   *person_id;
	Oid			relid;
	TmacLabel  *label;
	int64		n[4];			/* by site kind: read, written, deletion candidates */
} TmacStatsSlot;

/* One executor's counters (access_stats.c). */
typedef struct TmacStatsAcc
{
	TmacExecutorState state;	/* first: on access_stats.c's list of running executors */
	uint64		id;				/* unique in this backend: sites check it */
	uint64		stmt_id;
	PlannedStmt *stmt;
	MemoryContext cxt;
	int			nslots;
	int			maxslots;
	TmacStatsSlot *slots;
} TmacStatsAcc;

/* A policy expression of one executor: what it counts, cached in fn_extra. */
#define SITE_IGNORE		0		/* not a protected table's policy, or a write not counted */
#define SITE_READ		1
#define SITE_WRITE		2
#define SITE_DELETE		3		/* a DELETE's USING: candidates, see access_stats.c */

#define TMAC_SITE_MAP	32		/* a power of 2 */

typedef struct TmacStatsSite
{
	uint64		acc_id;
	int			kind;
	Oid			relid;
	const TmacProfile *prof;	/* the map is for this profile */
	const char *person_src;		/* ... and its person_id string */
	int			map[TMAC_SITE_MAP]; /* label hash -> slot, -1 none */
} TmacStatsSite;

extern PGDLLIMPORT bool tmac_access_stats_on;
extern PGDLLIMPORT TmacStatsAcc *tmac_stats_current;

extern void tmac_access_stats_init(void);
extern void tmac_access_stats_xact_callback(XactEvent event, void *arg);
extern void tmac_access_stats_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
											   SubTransactionId parentSubid, void *arg);
extern void tmac_access_stats_shmem_request(void);
extern void tmac_access_stats_shmem_startup(void);

/* The planner hooks' parts (tmac.c): mark the policy sites of protected tables. */
extern void tmac_access_stats_mark_sites(Query *parse);
extern void tmac_access_stats_mark_relation(PlannerInfo *root, RelOptInfo *rel);

/* Executor hooks' parts (tmac.c): a counter per executor, flushed at its end. */
extern void tmac_access_stats_begin(QueryDesc *queryDesc, int eflags);
extern TmacStatsAcc *tmac_access_stats_enter(QueryDesc *queryDesc);
extern void tmac_access_stats_leave(TmacStatsAcc *saved);
extern void tmac_access_stats_end(QueryDesc *queryDesc);

extern void tmac_access_stats_count_slow(FunctionCallInfo fcinfo, const TmacProfile *p,
										 const TmacLabel *l);

/*
 * Labels are whole int32 words: the varlena header (a label here always has
 * the 4-byte one: policy.c detoasts any other), the rank and counts (two
 * words, always there), then the ids.  They are compared and hashed so, the
 * three words of the head without a loop: most rows' labels name no
 * compartment or group, and a loop whose length changes from row to row
 * costs a mispredicted branch and a dozen instructions per row (issue 23:
 * callgrind counted 94 instructions a row counted, 9 % of a protected
 * count(*)).
 */
static pg_attribute_always_inline bool
tmac_stats_label_eq(const TmacLabel *a, const TmacLabel *b)
{
	const int32 *x = (const int32 *) a;
	const int32 *y = (const int32 *) b;
	int			n;
	int			i;

	if (((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2])) != 0)
		return false;			/* another size, level, or number of ids */
	n = VARSIZE(a) / sizeof(int32);
	for (i = 3; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

static pg_attribute_always_inline int
tmac_stats_label_hash(const TmacLabel *l)
{
	const int32 *x = (const int32 *) l;
	uint32		h = ((uint32) x[1] * 0x9e3779b1) ^ (uint32) x[2];
	int			n = VARSIZE(l) / sizeof(int32);
	int			i;

	for (i = 3; i < n; i++)
		h = (h ^ (uint32) x[i]) * 0x9e3779b1;
	h ^= h >> 16;				/* murmur3's finaliser */
	h *= 0x85ebca6b;
	h ^= h >> 13;
	return (int) (h & (TMAC_SITE_MAP - 1));
}

/*
 * A row `p` was allowed to read or write (row_readable / row_writable).  The
 * common case — a site, person and label seen before in this statement — is
 * a hash of the label's few words, a compare and an addition here; anything
 * else goes to access_stats.c.
 */
static pg_attribute_always_inline void
tmac_access_stats_count(FunctionCallInfo fcinfo, const TmacProfile *p, const TmacLabel *l)
{
	TmacStatsAcc *acc = tmac_stats_current;
	TmacStatsSite *site;

	if (likely(acc == NULL) || p->person_id == NULL)
		return;
	site = (TmacStatsSite *) fcinfo->flinfo->fn_extra;
	if (likely(site != NULL && site->acc_id == acc->id &&
			   site->prof == p && site->person_src == p->person_id))
	{
		int			idx = site->map[tmac_stats_label_hash(l)];

		if (likely(idx >= 0))
		{
			TmacStatsSlot *s = &acc->slots[idx];

			if (likely(tmac_stats_label_eq(s->label, l)))
			{
				s->n[site->kind]++;
				return;
			}
		}
	}
	tmac_access_stats_count_slow(fcinfo, p, l);
}

#endif							/* TMAC_ACCESS_STATS_H */
