/*
 * explain_withhold.h — EXPLAIN ANALYZE does not count the rows the policy hid.
 *
 * The row policies (policy.c) note every row they refuse with
 * tmac_note_hidden_row(): one increment of a backend-local counter, the only
 * cost on the per-row path.  explain_withhold.c attributes the increments to
 * the instrumented executors running (EXPLAIN ANALYZE, auto_explain) and, at
 * ExecutorFinish, resets the counts that would reveal hidden rows.
 */
#ifndef TMAC_EXPLAIN_WITHHOLD_H
#define TMAC_EXPLAIN_WITHHOLD_H

#include "postgres.h"

#include "executor/execdesc.h"

/* Rows the policies of this backend refused, ever (wraps after 2^64). */
extern PGDLLIMPORT uint64 tmac_hidden_rows;

/* A row policy refused a row. */
static inline void
tmac_note_hidden_row(void)
{
	tmac_hidden_rows++;
}

/* Executor hooks' parts (tmac.c). */
extern void tmac_explain_executor_start(QueryDesc *queryDesc);
extern uint64 tmac_explain_enter(void);
extern void tmac_explain_leave(QueryDesc *queryDesc, uint64 entered);
extern void tmac_explain_executor_finish(QueryDesc *queryDesc);

#endif							/* TMAC_EXPLAIN_WITHHOLD_H */
