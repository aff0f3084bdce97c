/*
 * executor_state.c — state one running executor carries for a module.
 *
 * A module that follows the executors running in this backend (the access
 * statistics' counters, the rows hidden from an instrumented plan) keeps one
 * struct per executor in that executor's query memory, on a list of its own
 * that its hooks search by QueryDesc.  The struct must leave the list when
 * the memory goes, however the executor ends (an error, a portal dropped
 * without ExecutorEnd): a memory context reset callback takes it off.  The
 * lists are short (the executors nested in this backend), newest first.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "executor_state.h"

static void
forget_callback(void *arg)
{
	tmac_executor_state_forget((TmacExecutorState *) arg);
}

void
tmac_executor_state_add(TmacExecutorState **list, TmacExecutorState *state, QueryDesc *qd,
						MemoryContext cxt, void (*forgotten) (TmacExecutorState *state))
{
	state->qd = qd;
	state->list = list;
	state->forgotten = forgotten;
	state->cb.func = forget_callback;
	state->cb.arg = state;
	MemoryContextRegisterResetCallback(cxt, &state->cb);
	state->next = *list;
	*list = state;
}

TmacExecutorState *
tmac_executor_state_of(TmacExecutorState *list, QueryDesc *qd)
{
	TmacExecutorState *s;

	for (s = list; s != NULL; s = s->next)
		if (s->qd == qd)
			return s;
	return NULL;
}

void
tmac_executor_state_forget(TmacExecutorState *state)
{
	TmacExecutorState **p;

	for (p = state->list; *p != NULL; p = &(*p)->next)
		if (*p == state)
		{
			*p = state->next;
			break;
		}
	if (state->forgotten)
		state->forgotten(state);
}
