/*
 * executor_state.h — state one running executor carries for a module, kept
 * in that executor's query memory and forgotten when the memory goes
 * (executor_state.c): access_stats.c's counters, explain_withhold.c's tally.
 */
#ifndef TMAC_EXECUTOR_STATE_H
#define TMAC_EXECUTOR_STATE_H

#include "postgres.h"

#include "executor/execdesc.h"
#include "utils/palloc.h"

/* The first member of a module's per-executor struct. */
typedef struct TmacExecutorState
{
	struct TmacExecutorState *next;
	struct TmacExecutorState **list;	/* the module's list, newest first */
	QueryDesc  *qd;
	void		(*forgotten) (struct TmacExecutorState *state);	/* or NULL */
	MemoryContextCallback cb;
} TmacExecutorState;

/*
 * Puts `state` (allocated in `cxt`, the executor's query memory) at the head
 * of `*list` for `qd`; it leaves the list when cxt is reset or deleted,
 * however the executor ends, calling `forgotten` (may be NULL) then.
 */
extern void tmac_executor_state_add(TmacExecutorState **list, TmacExecutorState *state,
									QueryDesc *qd, MemoryContext cxt,
									void (*forgotten) (TmacExecutorState *state));

/* The state of `qd` in `list`, or NULL. */
extern TmacExecutorState *tmac_executor_state_of(TmacExecutorState *list, QueryDesc *qd);

/* Takes `state` off its list now, if it is still there, and calls its `forgotten` (each time). */
extern void tmac_executor_state_forget(TmacExecutorState *state);

#endif							/* TMAC_EXECUTOR_STATE_H */
