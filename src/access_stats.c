/*
 * access_stats.c — access statistics per person, in shared memory.
 *
 * What is counted.  Every row a person is allowed to read through a
 * protected table's read policy (tmac.row_readable), and every row they
 * write: inserted rows and the new versions of updated rows as
 * tmac.row_writable lets them through a WITH CHECK, and the rows a DELETE
 * removed (the executor's count, shared among the labels whose rows the
 * DELETE's policy let through in proportion: exact per table, and per label
 * unless the DELETE's own filter dropped rows of several labels).  Rows are
 * counted when the policy lets them through, before the query's own WHERE
 * clauses that PostgreSQL evaluates after the policy (a leakproof qual such
 * as an indexed equality runs first, so those rows are never counted).
 * Refused rows are not counted.
 *
 * Only the policy sites of protected tables count.  row_readable must be
 * executable by PUBLIC, so anyone can call it in their own expression, over
 * their own (temporary) tables, or in a policy of their own: none of those
 * calls counts, or they would let a person create counters at will and fill
 * the shared hash.  While planning (the planner and get_relation_info hooks
 * in tmac.c), tmac_access_stats_mark_relation() and _mark_sites() find, in
 * the row-security quals and WITH CHECK options the rewriter added, every
 * call of tmac's own row_readable / row_writable on a range table entry
 * whose relation is registered in tmac.protected_table (which only
 * tmac_admin writes, through protect()), and stores that relation's OID in
 * the call's inputcollid.  The label type is not collatable, so a call
 * written in SQL always has inputcollid 0: the mark cannot be forged,
 * survives the planner's copies and plan caching, is serialised to parallel
 * workers with the plan, and the function ignores collations.  A call site
 * counts only when it carries a mark; the rows are attributed to the marked
 * table — the table the query names, whose policy it is: reading a
 * partitioned (or inheritance) parent counts under the parent, reading a
 * partition directly under the partition, reading through a view under the
 * table below it.
 *
 * Two kinds of counters:
 *   - label:  (database, person, level, compartment) — a row whose label
 *             names several compartments counts once for each, one naming
 *             none counts for compartment 0;
 *   - table:  (database, person, protected table, login role) — the login
 *             (session) role shows a shared account: many persons behind
 *             one login.
 * Each counter keeps statements (executor runs that counted a row under
 * it), rows read, rows written, first and last seen.
 *
 * How.  The per-row cost is a few compares and an addition: row_readable /
 * row_writable call tmac_access_stats_count(), which adds to a counter of
 * the running executor (its "site" — the policy expression — caches which
 * table it belongs to and, in a 32-entry map from a hash of the label to
 * the counter, the counters it used, in fn_extra).  The
 * executor hooks in tmac.c give every executor its own counters (begin),
 * make them current while it runs (enter/leave, nested executors restore
 * the outer one) and add them to shared memory once, at ExecutorEnd (end):
 * one lock acquisition per statement.  A statement that fails counts
 * nothing.  Parallel workers count their own rows and add them at their own
 * ExecutorEnd; the statement is counted once because each shared counter
 * remembers the last statement id it counted, and the leader hands its
 * statement id to its workers (tmac.access_stats_statement).
 *
 * The shared hash holds at most tmac.access_stats_max counters (set at
 * server start).  A counter is never dropped before the hourly snapshot
 * (tmac.snapshot_access_stats) has put what it counted into
 * tmac.access_stats_history: each counter has a version (bumped by every
 * addition) and the version the last committed snapshot took
 * (tmac.access_stats_take() reads the counters, and the snapshot's commit
 * marks them: takes_apply()).  When a new counter finds the hash full,
 * the 5 % (at least 10) of the snapshotted, unchanged counters seen least
 * recently are dropped (tmac.access_stats_info() counts them); if none is, the new
 * counter is refused and what it would have counted is added to its
 * database's overflow record — counter updates refused, rows read and
 * written (of table counters), first and last time — which the next snapshot
 * moves into tmac.access_stats_overflow, the evidence behind the finding
 * access_stats_overflow.  The keys a person can make are bounded: persons
 * (HR) × protected tables (tmac_admin) × login roles they act through, plus
 * persons × levels × compartments (the vocabulary).
 *
 * Persistence.  At a clean shutdown the postmaster writes the counters to
 * pg_stat/tmac_access_stats.stat, with their versions and the overflow
 * records, in the format of every shared-memory table of tmac (shared_file.c:
 * a CRC, written through a temporary file); the next start reads it and
 * removes it, and ignores one whose CRC fails (a crash loses the counters
 * since the last start, as pg_stat_statements).  A file with more
 * counters than a lowered tmac.access_stats_max holds is loaded under the
 * same rule: unsnapshotted counters that do not fit are an overflow.
 *
 * tmac.access_stats = off (superusers only, like every tmac.* switch a person
 * must not turn off for themselves) stops counting; the benchmark compares
 * the two.
 */
#include "postgres.h"
#include "message_catalog.h"

#include <sys/stat.h>
#include <unistd.h>

#include "access/genam.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "access_stats.h"
#include "extension.h"
#include "shared_file.h"
#include "tree_walk.h"

#define STATS_FILE		PGSTAT_STAT_PERMANENT_DIRECTORY "/tmac_access_stats.stat"
#define STATS_MAGIC		0x746d6163	/* "tmac" */
#define STATS_VERSION	3			/* 1: counters only; 2: and versions, overflow; 3: and a CRC (shared_file.c) */
#define PERSON_ID_MAX	100			/* tmac.person.person_id's limit */

#define KIND_LABEL		0
#define KIND_TABLE		1

typedef struct StatsKey
{
	Oid			dbid;
	Oid			relid;			/* table counters; InvalidOid for label counters */
	Oid			login_role;		/* table counters; InvalidOid for label counters */
	int32		kind;
	int32		level;			/* label counters: the level's rank; else -1 */
	int32		compartment;	/* label counters: 0 = none; else -1 */
	char		person_id[PERSON_ID_MAX + 4];
} StatsKey;

typedef struct StatsCounters
{
	int64		statements;
	int64		rows_read;
	int64		rows_written;
	TimestampTz first_seen;
	TimestampTz last_seen;
} StatsCounters;

typedef struct StatsEntry
{
	StatsKey	key;			/* hash key: first */
	slock_t		mutex;			/* protects the counters and versions */
	StatsCounters c;
	uint64		last_stmt;		/* the statement counted last */
	uint64		version;		/* bumped by every addition */
	uint64		saved;			/* the version a committed snapshot took */
} StatsEntry;

/* A counter may be dropped once the history holds everything it counted. */
#define ENTRY_SAVED(e)	((e)->saved == (e)->version)

/*
 * What a database could not count because the hash was full of counters no
 * snapshot had taken yet.  More databases than slots share the last one.
 */
#define OVERFLOW_SLOTS	64

typedef struct StatsOverflow
{
	Oid			dbid;			/* InvalidOid: a free slot */
	int64		refused;		/* counter updates that found no room */
	int64		rows_read;		/* ... of which table counters': rows read */
	int64		rows_written;	/* ... and written */
	TimestampTz first_at;
	TimestampTz last_at;
	int32		max_counters;	/* tmac.access_stats_max when it last refused one */
} StatsOverflow;

typedef struct StatsShared
{
	LWLock	   *lock;			/* shared: find and update; exclusive: add, evict,
								 * reset, snapshot marks, overflow */
	slock_t		mutex;			/* protects evicted */
	int64		evicted;
	bool		full;			/* no counter was evictable; cleared by a snapshot */
	StatsOverflow overflow[OVERFLOW_SLOTS];
} StatsShared;

bool		tmac_access_stats_on = true;
TmacStatsAcc *tmac_stats_current = NULL;

static int	stats_max = 10000;
static char *stats_statement = NULL;
static StatsShared *shared = NULL;
static HTAB *stats_hash = NULL;
static TmacExecutorState *accs = NULL;	/* the executors now running, newest first */
static uint64 acc_counter = 0;
static uint32 stmt_counter = 0;

void
tmac_access_stats_init(void)
{
	DefineCustomBoolVariable("tmac.access_stats",
							 "Counts the rows each person reads and writes in protected tables (tmac.access_stats).",
							 NULL, &tmac_access_stats_on, true, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("tmac.access_stats_max",
							"Most access-statistics counters kept in shared memory; only counters a snapshot has taken are evicted.",
							NULL, &stats_max, 10000, 100, 10000000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("tmac.access_stats_statement",
							   "The leader's statement id, handed to parallel workers (internal).",
							   NULL, &stats_statement, "", PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_NO_RESET_ALL | GUC_DISALLOW_IN_FILE,
							   NULL, NULL, NULL);
}

static Size
stats_memsize(void)
{
	return add_size(MAXALIGN(sizeof(StatsShared)),
					hash_estimate_size(stats_max, sizeof(StatsEntry)));
}

void
tmac_access_stats_shmem_request(void)
{
	RequestAddinShmemSpace(stats_memsize());
	RequestNamedLWLockTranche("tmac_access_stats", 1);
}

static void stats_dump(int code, Datum arg);
static void stats_load(void);

void
tmac_access_stats_shmem_startup(void)
{
	bool		found;
	HASHCTL		info;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("tmac access stats", sizeof(StatsShared), &found);
	if (!found)
	{
		shared->lock = &(GetNamedLWLockTranche("tmac_access_stats"))->lock;
		SpinLockInit(&shared->mutex);
		shared->evicted = 0;
		shared->full = false;
		memset(shared->overflow, 0, sizeof(shared->overflow));
	}
	info.keysize = sizeof(StatsKey);
	info.entrysize = sizeof(StatsEntry);
	stats_hash = ShmemInitHash("tmac access stats hash", stats_max, stats_max,
							   &info, HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);

	if (!IsUnderPostmaster)
		on_shmem_exit(stats_dump, (Datum) 0);
	if (!found)
		stats_load();
}

/* Exclusive lock held: sorts the snapshotted counters by last seen. */
static int
cmp_last_seen(const void *a, const void *b)
{
	TimestampTz x = (*(StatsEntry *const *) a)->c.last_seen;
	TimestampTz y = (*(StatsEntry *const *) b)->c.last_seen;

	return x < y ? -1 : x > y ? 1 : 0;
}

/*
 * Drops the 5 % (at least 10) of the counters seen least recently among
 * those the history already holds; exclusive lock held.  When none is, notes
 * that the hash is full until the next snapshot marks some (no scan per
 * refused counter meanwhile).
 */
static void
evict(void)
{
	HASH_SEQ_STATUS seq;
	StatsEntry **all;
	StatsEntry *e;
	long		total = hash_get_num_entries(stats_hash);
	int			n = 0;
	int			drop;
	int			i;

	all = palloc(sizeof(StatsEntry *) * Max(total, 1));
	hash_seq_init(&seq, stats_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
		if (ENTRY_SAVED(e))
			all[n++] = e;
	if (n == 0)
	{
		shared->full = true;
		pfree(all);
		return;
	}
	qsort(all, n, sizeof(StatsEntry *), cmp_last_seen);
	drop = Min(n, Max(10, (int) (total / 20)));
	for (i = 0; i < drop; i++)
		hash_search(stats_hash, &all[i]->key, HASH_REMOVE, NULL);
	pfree(all);
	SpinLockAcquire(&shared->mutex);
	shared->evicted += drop;
	SpinLockRelease(&shared->mutex);
}

/* A database's overflow record (create: a free slot if it has none); exclusive lock held. */
static StatsOverflow *
overflow_slot(Oid dbid, bool create)
{
	int			i;

	for (i = 0; i < OVERFLOW_SLOTS; i++)
		if (shared->overflow[i].dbid == dbid)
			return &shared->overflow[i];
	if (!create)
		return NULL;
	for (i = 0; i < OVERFLOW_SLOTS; i++)
		if (!OidIsValid(shared->overflow[i].dbid))
		{
			memset(&shared->overflow[i], 0, sizeof(StatsOverflow));
			shared->overflow[i].dbid = dbid;
			return &shared->overflow[i];
		}
	return &shared->overflow[OVERFLOW_SLOTS - 1];
}

static void
overflow_merge(const StatsOverflow *add)
{
	StatsOverflow *o = overflow_slot(add->dbid, true);

	o->refused += add->refused;
	o->rows_read += add->rows_read;
	o->rows_written += add->rows_written;
	if (o->first_at == 0 || add->first_at < o->first_at)
		o->first_at = add->first_at;
	if (add->last_at >= o->last_at)
	{
		o->last_at = add->last_at;
		o->max_counters = add->max_counters;
	}
}

/*
 * A counter could not be kept: add what it counted to its database's record
 * (rows only from table counters, each row has one); exclusive lock held.
 */
static void
note_refused(const StatsKey *key, int64 read, int64 written, TimestampTz now)
{
	StatsOverflow add;

	memset(&add, 0, sizeof(add));
	add.dbid = key->dbid;
	add.refused = 1;
	if (key->kind == KIND_TABLE)
	{
		add.rows_read = read;
		add.rows_written = written;
	}
	add.first_at = add.last_at = now;
	add.max_counters = stats_max;
	overflow_merge(&add);
}

/* A new counter, or NULL when the hash is full of unsnapshotted ones; exclusive lock held. */
static StatsEntry *
entry_alloc(const StatsKey *key)
{
	StatsEntry *e;
	bool		found;

	e = hash_search(stats_hash, key, HASH_FIND, NULL);
	if (e != NULL)
		return e;
	if (hash_get_num_entries(stats_hash) >= stats_max)
	{
		if (!shared->full)
			evict();
		if (hash_get_num_entries(stats_hash) >= stats_max)
			return NULL;
	}
	e = hash_search(stats_hash, key, HASH_ENTER_NULL, &found);
	if (e != NULL && !found)
	{
		SpinLockInit(&e->mutex);
		memset(&e->c, 0, sizeof(e->c));
		e->c.first_seen = 0;
		e->last_stmt = 0;
		e->version = 1;			/* nothing of it is in the history yet */
		e->saved = 0;
	}
	return e;
}

static void
entry_add(StatsEntry *e, int64 read, int64 written, uint64 stmt_id, TimestampTz now)
{
	SpinLockAcquire(&e->mutex);
	if (e->last_stmt != stmt_id)
	{
		e->c.statements++;
		e->last_stmt = stmt_id;
	}
	e->c.rows_read += read;
	e->c.rows_written += written;
	e->version++;
	if (e->c.first_seen == 0)
		e->c.first_seen = now;
	e->c.last_seen = now;
	SpinLockRelease(&e->mutex);
}

/* ---- per executor ---- */

/* An executor's counters left the list (executor_state.c): no longer the current ones. */
static void
acc_forgotten(TmacExecutorState *state)
{
	if (tmac_stats_current == (TmacStatsAcc *) state)
		tmac_stats_current = NULL;
}

void
tmac_access_stats_begin(QueryDesc *queryDesc, int eflags)
{
	TmacStatsAcc *acc;
	MemoryContext cxt;

	Assert(stats_hash != NULL);
	if (!tmac_access_stats_on || queryDesc->estate == NULL ||
		(eflags & EXEC_FLAG_EXPLAIN_ONLY) || !tmac_extension()->installed)
		return;
	cxt = queryDesc->estate->es_query_cxt;
	acc = MemoryContextAllocZero(cxt, sizeof(TmacStatsAcc));
	acc->id = ++acc_counter;
	acc->stmt = queryDesc->plannedstmt;
	acc->cxt = cxt;
	if (IsParallelWorker())
	{
		char	   *end;

		acc->stmt_id = stats_statement ? strtou64(stats_statement, &end, 10) : 0;
		if (acc->stmt_id == 0)
			acc->stmt_id = ((uint64) MyProcPid << 32) | ++stmt_counter;
	}
	else
	{
		acc->stmt_id = ((uint64) MyProcPid << 32) | ++stmt_counter;
		if (queryDesc->plannedstmt->parallelModeNeeded && !IsInParallelMode())
		{
			char		buf[32];

			snprintf(buf, sizeof(buf), UINT64_FORMAT, acc->stmt_id);
			(void) set_config_option("tmac.access_stats_statement", buf, PGC_SUSET,
									 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
		}
	}
	/* the counters go with the executor's memory, however it ends */
	tmac_executor_state_add(&accs, &acc->state, queryDesc, cxt, acc_forgotten);
}

static TmacStatsAcc *
acc_of(QueryDesc *queryDesc)
{
	return (TmacStatsAcc *) tmac_executor_state_of(accs, queryDesc);
}

TmacStatsAcc *
tmac_access_stats_enter(QueryDesc *queryDesc)
{
	TmacStatsAcc *saved = tmac_stats_current;

	tmac_stats_current = accs == NULL ? NULL : acc_of(queryDesc);
	return saved;
}

void
tmac_access_stats_leave(TmacStatsAcc *saved)
{
	tmac_stats_current = saved;
}

/*
 * What a policy site counts: nothing unless the planner marked it as tmac's
 * own policy on a protected table (tmac_access_stats_mark_relation and
 * _mark_sites: the table's OID in inputcollid); row_readable reads, row_writable in a WITH CHECK
 * writes, row_writable in a DELETE's USING names the deletion candidates.
 */
static void
site_init(TmacStatsSite *site, FunctionCallInfo fcinfo, TmacStatsAcc *acc)
{
	Node	   *expr = fcinfo->flinfo->fn_expr;
	const TmacExtension *ext = tmac_extension();
	FuncExpr   *f;

	site->acc_id = acc->id;
	site->kind = SITE_IGNORE;
	site->relid = InvalidOid;
	site->prof = NULL;
	site->person_src = NULL;
	memset(site->map, -1, sizeof(site->map));
	if (expr == NULL || !IsA(expr, FuncExpr) || !ext->installed)
		return;
	f = (FuncExpr *) expr;
	if (!OidIsValid(f->inputcollid))
		return;					/* not a protected table's policy */
	if (f->funcid == ext->row_readable)
		site->kind = SITE_READ;
	else if (f->funcid == ext->row_writable)
	{
		bool		check = tmac_plan_check_option_with(acc->stmt->planTree, expr) != NULL;
		ListCell   *lc;

		foreach(lc, acc->stmt->subplans)
			check = check || tmac_plan_check_option_with((Plan *) lfirst(lc), expr) != NULL;
		/* a WITH CHECK writes the row; a DELETE's USING may delete it */
		if (check)
			site->kind = SITE_WRITE;
		else if (acc->stmt->commandType == CMD_DELETE)
			site->kind = SITE_DELETE;
	}
	if (site->kind != SITE_IGNORE)
		site->relid = f->inputcollid;
}

/* ---- marking the policy sites, while planning ---- */

typedef struct MarkContext
{
	TmacPolicyCalls calls;
	Oid			relid;			/* the mark; InvalidOid: only look */
	bool		found;
} MarkContext;

/* A policy call in one relation's quals (tmac_walk_policy_calls; not inside sub-selects). */
static void
mark_call(FuncExpr *f, void *arg)
{
	MarkContext *cxt = (MarkContext *) arg;

	cxt->found = true;
	if (OidIsValid(cxt->relid))
		f->inputcollid = cxt->relid;
}

/* Marks tmac's calls in `quals` with `relid` when that is a registered protected table. */
static void
mark_quals(Node *quals, Oid relid, MarkContext *cxt)
{
	if (quals == NULL)
		return;
	cxt->relid = InvalidOid;
	cxt->found = false;
	tmac_walk_policy_calls(quals, &cxt->calls, false, mark_call, cxt);
	if (cxt->found && tmac_relation_registered(relid))
	{
		cxt->relid = relid;
		tmac_walk_policy_calls(quals, &cxt->calls, false, mark_call, cxt);
	}
}

/* A write policy of a query's result relation (tmac_walk_policy_quals). */
static void
mark_write_checks(Node *quals, RangeTblEntry *rte, void *arg)
{
	if (rte->rtekind == RTE_RELATION)
		mark_quals(quals, rte->relid, (MarkContext *) arg);
}

/*
 * The planner hook's part (tmac.c), on the rewritten query: the WITH CHECK
 * options the rewriter added for row security hold the write policies of
 * the result relation; mark tmac's calls among them when that relation is a
 * protected table.  Only marked sites count (see the file header).
 */
void
tmac_access_stats_mark_sites(Query *parse)
{
	MarkContext cxt;

	if (tmac_policy_functions(&cxt.calls))
		tmac_walk_policy_quals(parse, false, mark_write_checks, &cxt);
}

/*
 * The get_relation_info hook's part (tmac.c): the row-security quals of a
 * relation the planner is about to scan.  This runs for every base relation
 * of every (sub)query planned, also those of a SQL function the planner
 * inlines — whose query is rewritten, and given its row security, only
 * while planning — and before the quals become the scan's filter.
 */
void
tmac_access_stats_mark_relation(PlannerInfo *root, RelOptInfo *rel)
{
	RangeTblEntry *rte;
	MarkContext cxt;

	if (rel->reloptkind != RELOPT_BASEREL || rel->relid == 0 || rel->relid >= root->simple_rel_array_size)
		return;
	rte = root->simple_rte_array[rel->relid];
	if (rte == NULL || rte->rtekind != RTE_RELATION || rte->securityQuals == NIL ||
		!tmac_policy_functions(&cxt.calls))
		return;
	mark_quals((Node *) rte->securityQuals, rte->relid, &cxt);
}

void
tmac_access_stats_count_slow(FunctionCallInfo fcinfo, const TmacProfile *p, const TmacLabel *l)
{
	TmacStatsAcc *acc = tmac_stats_current;
	TmacStatsSite *site = (TmacStatsSite *) fcinfo->flinfo->fn_extra;
	TmacStatsSlot *s;
	Size		len = VARSIZE(l);
	int			i;

	if (site == NULL)
	{
		site = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(TmacStatsSite));
		fcinfo->flinfo->fn_extra = site;
		site_init(site, fcinfo, acc);
	}
	else if (site->acc_id != acc->id)
		site_init(site, fcinfo, acc);
	if (site->kind == SITE_IGNORE)
		return;
	if (site->prof != p || site->person_src != p->person_id)
	{
		/* another person (or their profile was fetched again): a new map */
		site->prof = p;
		site->person_src = p->person_id;
		memset(site->map, -1, sizeof(site->map));
	}

	s = NULL;
	for (i = 0; i < acc->nslots; i++)
	{
		TmacStatsSlot *c = &acc->slots[i];

		if (c->relid == site->relid && tmac_stats_label_eq(c->label, l) &&
			strcmp(c->person_id, p->person_id) == 0)
		{
			s = c;
			break;
		}
	}
	if (s == NULL)
	{
		if (acc->nslots == acc->maxslots)
		{
			acc->maxslots = Max(8, acc->maxslots * 2);
			acc->slots = acc->slots == NULL
				? MemoryContextAlloc(acc->cxt, sizeof(TmacStatsSlot) * acc->maxslots)
				: repalloc(acc->slots, sizeof(TmacStatsSlot) * acc->maxslots);
		}
		s = &acc->slots[acc->nslots++];
		memset(s, 0, sizeof(TmacStatsSlot));
		s->person_id = MemoryContextStrdup(acc->cxt, p->person_id);
		s->relid = site->relid;
		s->label = MemoryContextAlloc(acc->cxt, len);
		memcpy(s->label, l, len);
	}
	/* the next row of this site, person and label takes the inline path */
	site->map[tmac_stats_label_hash(l)] = s - acc->slots;
	s->n[site->kind]++;
}

static void
add_to_shared(const StatsKey *key, int64 read, int64 written, uint64 stmt_id, TimestampTz now)
{
	StatsEntry *e;

	LWLockAcquire(shared->lock, LW_SHARED);
	e = hash_search(stats_hash, key, HASH_FIND, NULL);
	if (e == NULL)
	{
		LWLockRelease(shared->lock);
		LWLockAcquire(shared->lock, LW_EXCLUSIVE);
		e = entry_alloc(key);
	}
	if (e != NULL)
		entry_add(e, read, written, stmt_id, now);
	else
		note_refused(key, read, written, now);
	LWLockRelease(shared->lock);
}

void
tmac_access_stats_end(QueryDesc *queryDesc)
{
	TmacStatsAcc *acc = accs == NULL ? NULL : acc_of(queryDesc);
	TimestampTz now;
	Oid			login = GetSessionUserId();
	int			i;

	if (acc == NULL)
		return;
	tmac_executor_state_forget(&acc->state);
	if (acc->nslots == 0)
		return;
	Assert(shared != NULL);
	if (acc->stmt->commandType == CMD_DELETE && queryDesc->estate != NULL)
	{
		/* the rows deleted, shared among the slots the DELETE's policy passed */
		uint64		processed = queryDesc->estate->es_processed;
		int64		left = (int64) processed;
		int64		candidates = 0;

		for (i = 0; i < acc->nslots; i++)
			candidates += acc->slots[i].n[SITE_DELETE];
		for (i = 0; i < acc->nslots && candidates > 0; i++)
		{
			TmacStatsSlot *s = &acc->slots[i];
			int64		share = (int64) ((double) s->n[SITE_DELETE] * processed / candidates + 0.5);

			share = Min(share, left);
			s->n[SITE_WRITE] += share;
			left -= share;
		}
	}
	now = GetCurrentTimestamp();
	for (i = 0; i < acc->nslots; i++)
	{
		TmacStatsSlot *s = &acc->slots[i];
		StatsKey	key;
		const int32 *c = TMAC_LABEL_COMPARTMENTS(s->label);
		int			j;

		if (s->n[SITE_READ] == 0 && s->n[SITE_WRITE] == 0)
			continue;
		memset(&key, 0, sizeof(key));
		key.dbid = MyDatabaseId;
		strlcpy(key.person_id, s->person_id, sizeof(key.person_id));
		key.kind = KIND_TABLE;
		key.relid = s->relid;
		key.login_role = login;
		key.level = -1;
		key.compartment = -1;
		add_to_shared(&key, s->n[SITE_READ], s->n[SITE_WRITE], acc->stmt_id, now);

		key.kind = KIND_LABEL;
		key.relid = InvalidOid;
		key.login_role = InvalidOid;
		key.level = s->label->rank;
		for (j = 0; j < Max(1, (int) s->label->ncompartments); j++)
		{
			key.compartment = s->label->ncompartments > 0 ? c[j] : 0;
			add_to_shared(&key, s->n[SITE_READ], s->n[SITE_WRITE], acc->stmt_id, now);
		}
	}
}

/* ---- the dump file ---- */

static void
stats_dump(int code, Datum arg)
{
	TmacFileWriter w;
	HASH_SEQ_STATUS seq;
	StatsEntry *e;
	int32		n;

	if (code != 0 || shared == NULL || stats_hash == NULL)
		return;
	tmac_file_write_begin(&w, STATS_FILE, gettext_noop("access statistics"), STATS_MAGIC, STATS_VERSION);
	n = hash_get_num_entries(stats_hash);
	tmac_file_write(&w, &n, sizeof(n));
	hash_seq_init(&seq, stats_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		tmac_file_write(&w, &e->key, sizeof(StatsKey));
		tmac_file_write(&w, &e->c, sizeof(StatsCounters));
		tmac_file_write(&w, &e->version, sizeof(uint64));
		tmac_file_write(&w, &e->saved, sizeof(uint64));
	}
	n = OVERFLOW_SLOTS;
	tmac_file_write(&w, &n, sizeof(n));
	tmac_file_write(&w, shared->overflow, sizeof(StatsOverflow) * OVERFLOW_SLOTS);
	(void) tmac_file_write_end(&w);
}

/*
 * Load the counters the last shutdown wrote (versions 1 and 2, written by
 * tmac 0.2.0 and earlier, have no CRC), then remove the file: counters
 * loaded are in shared memory now, and a crash must not count them twice.
 */
static void
stats_load(void)
{
	TmacFileReader r;
	int32		n = -1;
	int			i;

	if (!tmac_file_read_begin(&r, STATS_FILE, gettext_noop("access statistics"), STATS_MAGIC, 1, STATS_VERSION))
		return;
	/* read everything first: a damaged file loads nothing */
	{
		List	   *entries = NIL;
		StatsOverflow o[OVERFLOW_SLOTS];
		bool		has_overflow = r.version >= 2;
		ListCell   *lc;

		if (!tmac_file_read(&r, &n, sizeof(n)) || n < 0 || n > 100000000)
			r.ok = false;
		for (i = 0; r.ok && i < n; i++)
		{
			StatsEntry *x = palloc0(sizeof(StatsEntry));

			x->version = 1;
			x->saved = 0;		/* version 1 files: nothing known to be snapshotted */
			if (!tmac_file_read(&r, &x->key, sizeof(StatsKey)) ||
				!tmac_file_read(&r, &x->c, sizeof(StatsCounters)) ||
				(r.version >= 2 &&
				 (!tmac_file_read(&r, &x->version, sizeof(uint64)) ||
				  !tmac_file_read(&r, &x->saved, sizeof(uint64)))))
				break;
			entries = lappend(entries, x);
		}
		if (r.ok && has_overflow &&
			(!tmac_file_read(&r, &n, sizeof(n)) || n != OVERFLOW_SLOTS ||
			 !tmac_file_read(&r, o, sizeof(StatsOverflow) * OVERFLOW_SLOTS)))
			r.ok = false;
		if (tmac_file_read_end(&r, 3, NULL))
		{
			foreach(lc, entries)
			{
				StatsEntry *x = lfirst(lc);
				StatsEntry *e;

				x->key.person_id[sizeof(x->key.person_id) - 1] = '\0';
				e = entry_alloc(&x->key);
				if (e != NULL)
				{
					e->c = x->c;
					e->last_stmt = 0;
					e->version = Max(x->version, 1);
					e->saved = Min(x->saved, e->version);
				}
				else if (x->saved != x->version)	/* at most this much was not in the history */
					note_refused(&x->key, x->c.rows_read, x->c.rows_written, GetCurrentTimestamp());
				else
					shared->evicted++;
			}
			if (has_overflow)
				for (i = 0; i < OVERFLOW_SLOTS; i++)
					if (OidIsValid(o[i].dbid) && o[i].refused > 0)
						overflow_merge(&o[i]);
		}
		list_free_deep(entries);
	}
	unlink(STATS_FILE);
}

/* ---- SQL ---- */

/*
 * ---- what a snapshot took, marked when it commits ----
 *
 * tmac.snapshot_access_stats() reads the counters through
 * tmac.access_stats_take() and the overflow record through
 * tmac.access_stats_overflow_take(), writes them to the history, and
 * commits.  Only then may the counters be dropped and the record shrink:
 * the takes are remembered here, per subtransaction level (a rolled-back
 * subtransaction's are forgotten), and applied by the commit callback.  A
 * counter is marked with the version the snapshot read, and only if it is
 * still the same counter (same first_seen); one that counted more since stays
 * unsnapshotted.  The overflow record loses what was taken.
 */
typedef struct StatsTaken
{
	StatsKey	key;
	uint64		version;
	TimestampTz first_seen;
} StatsTaken;

typedef struct StatsTake
{
	int			level;			/* transaction nesting level */
	int			n;
	StatsTaken *items;
	bool		has_overflow;
	StatsOverflow overflow;
} StatsTake;

static List *takes = NIL;		/* in TopTransactionContext */

static StatsTake *
take_new(void)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	StatsTake  *t = palloc0(sizeof(StatsTake));

	t->level = GetCurrentTransactionNestLevel();
	takes = lappend(takes, t);
	MemoryContextSwitchTo(old);
	return t;
}

/* At commit (no error may be raised here): mark the counters, shrink the record. */
static void
takes_apply(void)
{
	ListCell   *lc;
	bool		marked = false;

	Assert(shared != NULL && stats_hash != NULL);
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	foreach(lc, takes)
	{
		StatsTake  *t = (StatsTake *) lfirst(lc);
		int			i;

		for (i = 0; i < t->n; i++)
		{
			StatsTaken *it = &t->items[i];
			StatsEntry *e = hash_search(stats_hash, &it->key, HASH_FIND, NULL);

			if (e == NULL)
				continue;
			SpinLockAcquire(&e->mutex);
			if (e->c.first_seen == it->first_seen && e->version >= it->version &&
				e->saved < it->version)
			{
				e->saved = it->version;
				marked = true;
			}
			SpinLockRelease(&e->mutex);
		}
		if (t->has_overflow)
		{
			StatsOverflow *o = overflow_slot(t->overflow.dbid, false);

			if (o != NULL)
			{
				o->refused -= t->overflow.refused;
				o->rows_read = Max(0, o->rows_read - t->overflow.rows_read);
				o->rows_written = Max(0, o->rows_written - t->overflow.rows_written);
				if (o->refused <= 0)
					memset(o, 0, sizeof(*o));
				else			/* what is left was refused after the reading */
					o->first_at = Max(o->first_at, t->overflow.last_at);
			}
		}
	}
	if (marked)
		shared->full = false;
	LWLockRelease(shared->lock);
}

void
tmac_access_stats_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (takes != NIL)
				takes_apply();
			takes = NIL;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			takes = NIL;		/* the memory goes with TopTransactionContext */
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (takes != NIL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot prepare a transaction that took an access-statistics snapshot"),
						 errdetail("tmac marks the counters a snapshot took when its transaction commits, which a prepared transaction cannot do."),
						 errhint("Run tmac.snapshot_access_stats() in an ordinary transaction.")));
			break;
		default:
			break;
	}
}

void
tmac_access_stats_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								 SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	List	   *keep = NIL;
	ListCell   *lc;
	MemoryContext old;

	if (takes == NIL || (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB))
		return;
	old = MemoryContextSwitchTo(TopTransactionContext);
	foreach(lc, takes)
	{
		StatsTake  *t = (StatsTake *) lfirst(lc);

		if (t->level >= level)
		{
			if (event == SUBXACT_EVENT_ABORT_SUB)
				continue;
			t->level = level - 1;
		}
		keep = lappend(keep, t);
	}
	MemoryContextSwitchTo(old);
	takes = keep;
}

/*
 * The counters of the current database as rows of access_stats_raw(); with
 * take, also remembered for the commit of a snapshot.
 */
static void
put_counters(FunctionCallInfo fcinfo, bool take)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS seq;
	StatsEntry *e;
	StatsTake  *t = NULL;
	int			max = 0;

	Assert(stats_hash != NULL);
	InitMaterializedSRF(fcinfo, 0);
	if (take)
		t = take_new();
	LWLockAcquire(shared->lock, LW_SHARED);
	if (take)
	{
		/* this database's counters: no more can appear while the lock is held */
		hash_seq_init(&seq, stats_hash);
		while ((e = hash_seq_search(&seq)) != NULL)
			max += e->key.dbid == MyDatabaseId;
		t->items = MemoryContextAllocHuge(TopTransactionContext, sizeof(StatsTaken) * Max(max, 1));
	}
	hash_seq_init(&seq, stats_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		Datum		v[11];
		bool		nulls[11] = {0};
		StatsCounters c;
		uint64		version;
		bool		table = e->key.kind == KIND_TABLE;

		if (e->key.dbid != MyDatabaseId)
			continue;
		SpinLockAcquire(&e->mutex);
		c = e->c;
		version = e->version;
		SpinLockRelease(&e->mutex);
		if (take && t->n < max)
		{
			t->items[t->n].key = e->key;
			t->items[t->n].version = version;
			t->items[t->n].first_seen = c.first_seen;
			t->n++;
		}
		v[0] = CStringGetTextDatum(table ? "table" : "label");
		v[1] = CStringGetTextDatum(e->key.person_id);
		v[2] = Int32GetDatum(e->key.level);
		v[3] = Int32GetDatum(e->key.compartment);
		v[4] = ObjectIdGetDatum(e->key.relid);
		v[5] = ObjectIdGetDatum(e->key.login_role);
		v[6] = Int64GetDatum(c.statements);
		v[7] = Int64GetDatum(c.rows_read);
		v[8] = Int64GetDatum(c.rows_written);
		v[9] = TimestampTzGetDatum(c.first_seen);
		v[10] = TimestampTzGetDatum(c.last_seen);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	LWLockRelease(shared->lock);
}

/*
 * access_stats_raw() RETURNS TABLE (kind text, person_id text, level_rank int,
 * compartment_id int, relid oid, login_role oid, statements bigint,
 * rows_read bigint, rows_written bigint, first_seen timestamptz,
 * last_seen timestamptz): the counters of the current database.  Label
 * counters have relid and login_role 0, table counters level_rank and
 * compartment_id -1 (never NULL: the columns are a key).
 */
PG_FUNCTION_INFO_V1(tmac_access_stats_raw);
Datum
tmac_access_stats_raw(PG_FUNCTION_ARGS)
{
	put_counters(fcinfo, false);
	return (Datum) 0;
}

/* access_stats_take(): the same, taken by a snapshot (marked at its commit) */
PG_FUNCTION_INFO_V1(tmac_access_stats_take);
Datum
tmac_access_stats_take(PG_FUNCTION_ARGS)
{
	put_counters(fcinfo, true);
	return (Datum) 0;
}

/*
 * The current database's overflow record: no row, or (counters_refused bigint,
 * rows_read bigint, rows_written bigint, first_at timestamptz, last_at
 * timestamptz, max_counters int); with take, remembered for the commit of a
 * snapshot.
 */
static void
put_overflow(FunctionCallInfo fcinfo, bool take)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StatsOverflow o;
	StatsOverflow *slot;

	Assert(stats_hash != NULL);
	InitMaterializedSRF(fcinfo, 0);
	memset(&o, 0, sizeof(o));
	LWLockAcquire(shared->lock, LW_SHARED);
	slot = overflow_slot(MyDatabaseId, false);
	if (slot != NULL)
		o = *slot;
	LWLockRelease(shared->lock);
	if (o.refused > 0)
	{
		Datum		v[6];
		bool		nulls[6] = {0};

		if (take)
		{
			StatsTake  *t = take_new();

			t->has_overflow = true;
			t->overflow = o;
		}
		v[0] = Int64GetDatum(o.refused);
		v[1] = Int64GetDatum(o.rows_read);
		v[2] = Int64GetDatum(o.rows_written);
		v[3] = TimestampTzGetDatum(o.first_at);
		v[4] = TimestampTzGetDatum(o.last_at);
		v[5] = Int32GetDatum(o.max_counters);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
}

PG_FUNCTION_INFO_V1(tmac_access_stats_overflow_raw);
Datum
tmac_access_stats_overflow_raw(PG_FUNCTION_ARGS)
{
	put_overflow(fcinfo, false);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(tmac_access_stats_overflow_take);
Datum
tmac_access_stats_overflow_take(PG_FUNCTION_ARGS)
{
	put_overflow(fcinfo, true);
	return (Datum) 0;
}

/* access_stats_reset_raw() RETURNS bigint: drops the current database's counters */
PG_FUNCTION_INFO_V1(tmac_access_stats_reset_raw);
Datum
tmac_access_stats_reset_raw(PG_FUNCTION_ARGS)
{
	HASH_SEQ_STATUS seq;
	StatsEntry *e;
	int64		n = 0;

	Assert(stats_hash != NULL);
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&seq, stats_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
		if (e->key.dbid == MyDatabaseId)
		{
			hash_search(stats_hash, &e->key, HASH_REMOVE, NULL);
			n++;
		}
	shared->full = false;
	LWLockRelease(shared->lock);
	PG_RETURN_INT64(n);
}

/* access_stats_info() RETURNS TABLE (counters bigint, max_counters int, evicted bigint) */
PG_FUNCTION_INFO_V1(tmac_access_stats_info);
Datum
tmac_access_stats_info(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		v[3];
	bool		nulls[3] = {0};

	Assert(stats_hash != NULL);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	LWLockAcquire(shared->lock, LW_SHARED);
	v[0] = Int64GetDatum(hash_get_num_entries(stats_hash));
	LWLockRelease(shared->lock);
	v[1] = Int32GetDatum(stats_max);
	SpinLockAcquire(&shared->mutex);
	v[2] = Int64GetDatum(shared->evicted);
	SpinLockRelease(&shared->mutex);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), v, nulls)));
}
