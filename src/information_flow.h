/*
 * information_flow.h — the transaction's high-water mark of what it read, the
 * write-down rule on protected tables, and the handling ledger's view of
 * every copy (information_flow.c).
 */
#ifndef TMAC_INFORMATION_FLOW_H
#define TMAC_INFORMATION_FLOW_H

#include "postgres.h"

#include "executor/execdesc.h"
#include "fmgr.h"

#include "label.h"

#define TMAC_FLOW_LAST_MAX	256	/* bytes of the last label read kept for the fast path */

/* The last label merged into the mark (bytes), for the per-row fast path. */
extern PGDLLIMPORT Size tmac_flow_last_len;
extern PGDLLIMPORT char tmac_flow_last[TMAC_FLOW_LAST_MAX];

extern void tmac_flow_note_read_slow(const TmacLabel *l);

/*
 * A protected row with label `l` was let through a read policy (or is the
 * old row of the statement's own UPDATE, DELETE or MERGE): the mark rises to
 * cover it.  Most rows share a label with the row before: a byte compare.
 */
static inline void
tmac_flow_note_read(const TmacLabel *l)
{
	Size		len = VARSIZE(l);

	if (likely(len == tmac_flow_last_len && memcmp(l, tmac_flow_last, len) == 0))
		return;
	tmac_flow_note_read_slow(l);
}

extern void tmac_flow_row_read_slow(FunctionCallInfo fcinfo, const TmacLabel *l);

/* row_readable after an allowed decision (policy.c): the same fast path first. */
static inline void
tmac_flow_row_read(FunctionCallInfo fcinfo, const TmacLabel *l)
{
	Size		len = VARSIZE(l);

	if (likely(len == tmac_flow_last_len && memcmp(l, tmac_flow_last, len) == 0))
		return;
	tmac_flow_row_read_slow(fcinfo, l);
}

/* row_writable after an allowed decision (policy.c): an old row read, or a new row judged. */
extern void tmac_flow_row_write(FunctionCallInfo fcinfo, const TmacLabel *l);

/* The declassification guard audited a row's change from label `from`. */
extern void tmac_flow_note_declassified(const TmacLabel *from);

/* handling_events.c recorded a copy into `target` in this transaction. */
extern void tmac_flow_note_recorded(const char *target);

/* Hooks' parts (tmac.c). */
extern void tmac_flow_init(void);
extern void tmac_flow_executor_start(QueryDesc *queryDesc);
extern void *tmac_flow_enter(QueryDesc *queryDesc);
extern void tmac_flow_leave(void *saved);
extern void tmac_flow_executor_end(QueryDesc *queryDesc);
extern void tmac_flow_utility_end(void);

#endif							/* TMAC_INFORMATION_FLOW_H */
