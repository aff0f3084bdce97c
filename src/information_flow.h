/*
 * information_flow.h — the transaction's high-water mark of what it read, the
 * write-down rule on protected tables, and the handling ledger's view of
 * every copy (information_flow.c).
 */
#ifndef TMAC_INFORMATION_FLOW_H
#define TMAC_INFORMATION_FLOW_H

#include "postgres.h"

#include "access/xact.h"

#include "executor/execdesc.h"
#include "tcop/cmdtag.h"
#include "fmgr.h"

#include "label.h"

/*
 * Labels already covered by the mark: a label naming no compartment or group
 * at or below its level, and the others already merged, by a hash of their
 * words (the mark only grows within a transaction, so a label found there
 * changes nothing).
 * A few labels cover most rows; each slot keeps one label of up to
 * TMAC_FLOW_SLOT_WORDS words (longer ones always take the slow path).  Emptied
 * with the mark, when the transaction ends.
 */
#define TMAC_FLOW_SLOTS			16	/* a power of 2 */
#define TMAC_FLOW_SLOT_WORDS	16

typedef struct TmacFlowSlot
{
	int32		words[TMAC_FLOW_SLOT_WORDS];	/* the label; words[0] (its header) 0 when empty */
} TmacFlowSlot;

extern PGDLLIMPORT TmacFlowSlot tmac_flow_seen[TMAC_FLOW_SLOTS];

/* The mark's level (PG_INT32_MIN while it is empty): a label naming no compartment or group at or below it is covered. */
extern PGDLLIMPORT int32 tmac_flow_plain_rank;

static inline int
tmac_flow_slot_of(const TmacLabel *l)
{
	return (int) ((tmac_label_words_hash(l) >> 16) & (TMAC_FLOW_SLOTS - 1));
}

/* Has `l` been merged into the mark already?  Compared as whole int32 words, without a call. */
static inline bool
tmac_flow_seen_before(const TmacLabel *l)
{
	const int32 *x = (const int32 *) l;
	const TmacFlowSlot *s;
	int			n;
	int			i;

	if ((l->ncompartments | l->ngroups) == 0)
		return l->rank <= tmac_flow_plain_rank;
	s = &tmac_flow_seen[tmac_flow_slot_of(l)];
	if (s->words[0] != x[0])	/* the varlena header: the size */
		return false;
	n = VARSIZE(l) / sizeof(int32);
	for (i = 1; i < n; i++)
		if (x[i] != s->words[i])
			return false;
	return true;
}

extern void tmac_flow_note_read_slow(const TmacLabel *l);

/*
 * A protected row with label `l` was let through a read policy (or is the
 * old row of the statement's own UPDATE, DELETE or MERGE): the mark rises to
 * cover it.  Most rows carry a label merged before: a hash and a compare.
 */
static inline void
tmac_flow_note_read(const TmacLabel *l)
{
	if (likely(tmac_flow_seen_before(l)))
		return;
	tmac_flow_note_read_slow(l);
}

extern void tmac_flow_row_read_slow(FunctionCallInfo fcinfo, const TmacLabel *l);

/* row_readable after an allowed decision (policy.c): the same fast path first. */
static inline void
tmac_flow_row_read(FunctionCallInfo fcinfo, const TmacLabel *l)
{
	if (likely(tmac_flow_seen_before(l)))
		return;
	tmac_flow_row_read_slow(fcinfo, l);
}

/* row_writable after an allowed decision (policy.c): an old row read, or a new row judged. */
extern void tmac_flow_row_write(FunctionCallInfo fcinfo, const TmacLabel *l);

/* The declassification guard audited a row's change from label `from`. */
extern void tmac_flow_note_declassified(const TmacLabel *from);

/* handling_events.c recorded a copy into `target` at level `rank` (-1 unknown) in this transaction. */
extern void tmac_flow_note_recorded(const char *target, int rank);

/* Hooks' parts (tmac.c). */
extern void tmac_flow_xact_callback(XactEvent event, void *arg);
extern void tmac_flow_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
									   SubTransactionId parentSubid, void *arg);
extern void tmac_flow_executor_start(QueryDesc *queryDesc);
extern void *tmac_flow_enter(QueryDesc *queryDesc);
extern void tmac_flow_leave(void *saved);
extern void tmac_flow_executor_end(QueryDesc *queryDesc);
extern void tmac_flow_utility_end(PlannedStmt *pstmt, QueryCompletion *qc);

#endif							/* TMAC_INFORMATION_FLOW_H */
