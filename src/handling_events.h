/*
 * handling_events.h — handling events inside the database (COPY … TO, copies
 * into unprotected tables, deletions), recorded in the handling ledger.
 */
#ifndef TMAC_HANDLING_EVENTS_H
#define TMAC_HANDLING_EVENTS_H

#include "postgres.h"

#include "access/xact.h"

#include "executor/execdesc.h"
#include "nodes/plannodes.h"
#include "tcop/cmdtag.h"

/*
 * The highest level rank among the rows the row-security policies let
 * through since the current tracked statement began (-1: none seen).  The
 * policy functions (policy.c) raise it; handling_events.c resets and reads it.
 */
extern int	tmac_handling_rank_seen;

static inline void
tmac_handling_note_rank(int rank)
{
	if (rank > tmac_handling_rank_seen)
		tmac_handling_rank_seen = rank;
}

extern void tmac_handling_xact_callback(XactEvent event, void *arg);
extern void tmac_handling_executor_start(QueryDesc *queryDesc);
extern void tmac_handling_executor_end(QueryDesc *queryDesc);
extern void *tmac_handling_utility_begin(PlannedStmt *pstmt);
extern void tmac_handling_utility_end(PlannedStmt *pstmt, void *state, QueryCompletion *qc);
extern void tmac_handling_utility_abort(void *state);

/*
 * Told of every copy this file records in the ledger, so that the
 * transaction's information-flow check (information_flow.c) counts it as
 * recorded.  tmac.c points it at tmac_flow_note_recorded: information_flow.c
 * writes through this file, so this file must not call back into it (no
 * circle between the two).
 */
typedef void (*TmacCopyRecordedFn) (const char *target, int rank);
extern TmacCopyRecordedFn tmac_handling_on_copy_recorded;

/* For information_flow.c. */
extern char *tmac_relation_name(Oid relid);
extern void tmac_handling_record_named(const char *kind, const char *source, const char *target,
									   int64 rows, int rank);

#endif							/* TMAC_HANDLING_EVENTS_H */
