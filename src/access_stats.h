/*
 * access_stats.h — who read and wrote how much protected data, in shared memory.
 *
 * The row policies (policy.c) tell access_stats.c about every row a person
 * was allowed to read or write; it adds the row to a counter of the running
 * executor (no lock, no allocation on the common path) and, at ExecutorEnd,
 * adds the statement's counters to a fixed-size shared hash.  access_stats.c
 * explains the keys, the eviction rule and the dump file.
 */
#ifndef TMAC_ACCESS_STATS_H
#define TMAC_ACCESS_STATS_H

#include "postgres.h"

#include "executor/execdesc.h"
#include "fmgr.h"

#include "label.h"
#include "profile_cache.h"

extern PGDLLIMPORT bool tmac_access_stats_on;
extern PGDLLIMPORT struct TmacStatsAcc *tmac_stats_current;

extern void tmac_access_stats_init(void);
extern void tmac_access_stats_shmem_request(void);
extern void tmac_access_stats_shmem_startup(void);

/* Executor hooks' parts (tmac.c): a counter per executor, flushed at its end. */
extern void tmac_access_stats_begin(QueryDesc *queryDesc, int eflags);
extern struct TmacStatsAcc *tmac_access_stats_enter(QueryDesc *queryDesc);
extern void tmac_access_stats_leave(struct TmacStatsAcc *saved);
extern void tmac_access_stats_end(QueryDesc *queryDesc);

extern void tmac_access_stats_count_slow(FunctionCallInfo fcinfo, const TmacProfile *p,
										 const TmacLabel *l);

/* A row `p` was allowed to read or write (row_readable / row_writable). */
static inline void
tmac_access_stats_count(FunctionCallInfo fcinfo, const TmacProfile *p, const TmacLabel *l)
{
	if (tmac_stats_current != NULL && p->person_id != NULL)
		tmac_access_stats_count_slow(fcinfo, p, l);
}

#endif							/* TMAC_ACCESS_STATS_H */
