/*
 * explain_withhold.c — EXPLAIN ANALYZE does not count the rows the policy hid.
 *
 * An instrumented plan (EXPLAIN ANALYZE, auto_explain: instrument_options)
 * counts, on a scan of a protected table, the rows its filter removed ("Rows
 * Removed by Filter", "Rows Removed by Index Recheck"), the heap fetches of an
 * Index Only Scan, and, in the Bitmap Index Scans below a Bitmap Heap Scan,
 * every index match.  The policy's filter is part of the scan, so these
 * counts include the rows it hid: with a leakproof condition of one's own on
 * an indexed label column (WHERE label = 'SECRET:PRJ-B') they were the exact
 * number of hidden rows with a label one is not cleared for.
 *
 * The policies count every row they refuse (tmac_note_hidden_row, one
 * increment).  The executor hooks (tmac.c) add the increments made while an
 * instrumented executor runs or finishes to that executor's tally — a
 * cursor's fetches each add theirs; a nested query's denials count for the
 * executor around it too, which only withholds more.  At ExecutorFinish,
 * which EXPLAIN ANALYZE runs before it prints and auto_explain before its
 * ExecutorEnd prints, an executor whose policies hid a row has those counts
 * reset to 0 on every scan whose filter calls row_readable or row_writable
 * (a protected table's policy, read for oneself or for a view's owner: a row
 * hidden from the owner is hidden from the reader too).  A plan that hid no
 * row keeps exact numbers — all but one: the rows an index recheck removes
 * (lossy bitmap pages, lossy index conditions) are removed before the
 * policy's filter runs, so a plan that hid none still counted hidden rows
 * there (WHERE label = 'PUBLIC' under a small work_mem counted the
 * SECRET:PRJ-B rows on lossy pages): "Rows Removed by Index Recheck" of a
 * protected scan is always withheld.
 *
 * Parallel workers refuse rows in their own processes.  Each process decides
 * for its own share: a worker runs ExecutorFinish (and these hooks) before it
 * reports its instrumentation to the leader, so a worker that hid a row
 * reports its counts already reset; the leader resets the sums (and the
 * per-worker copies) when it hid a row itself.  A process that hid no row
 * filtered only rows it would have been allowed to see, so its exact counts
 * reveal nothing.  The exception is a Parallel Bitmap Heap Scan: one process
 * builds the bitmap for all, and its Bitmap Index Scan counts index matches
 * the other processes then hide; those counts are always withheld there.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "executor/instrument.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "utils/memutils.h"

#include "executor_state.h"
#include "explain_withhold.h"
#include "extension.h"

uint64		tmac_hidden_rows = 0;

/* One instrumented executor's tally, in its query memory. */
typedef struct Tally
{
	TmacExecutorState state;	/* first: on the list of instrumented executors */
	uint64		hidden;
} Tally;

static TmacExecutorState *tallies = NULL;

static Tally *
tally_of(QueryDesc *queryDesc)
{
	return (Tally *) tmac_executor_state_of(tallies, queryDesc);
}

/* After the executor started: an instrumented one gets a tally. */
void
tmac_explain_executor_start(QueryDesc *queryDesc)
{
	Tally	   *t;

	if (queryDesc->instrument_options == 0 || queryDesc->estate == NULL ||
		!tmac_extension()->installed)
		return;
	t = MemoryContextAllocZero(queryDesc->estate->es_query_cxt, sizeof(Tally));
	tmac_executor_state_add(&tallies, &t->state, queryDesc, queryDesc->estate->es_query_cxt, NULL);
}

uint64
tmac_explain_enter(void)
{
	return tmac_hidden_rows;
}

/* The rows hidden since tmac_explain_enter count for this executor. */
void
tmac_explain_leave(QueryDesc *queryDesc, uint64 entered)
{
	Tally	   *t;

	if (likely(tallies == NULL) || tmac_hidden_rows == entered)
		return;
	t = tally_of(queryDesc);
	if (t != NULL)
		t->hidden += tmac_hidden_rows - entered;
}

typedef struct WithholdContext
{
	Oid			readable;
	Oid			writable;
	bool		hid;			/* this process's policies hid a row */
} WithholdContext;

static bool
calls_policy(Node *node, WithholdContext *cxt)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) &&
		(((FuncExpr *) node)->funcid == cxt->readable ||
		 ((FuncExpr *) node)->funcid == cxt->writable))
		return true;
	return expression_tree_walker(node, calls_policy, (void *) cxt);
}

/* Reset the counts of one instrumentation that include the rows the policy refused. */
static void
reset_filtered(Instrumentation *instr)
{
	instr->nfiltered1 = 0;
	instr->ntuples2 = 0;		/* an Index Only Scan's heap fetches */
}

/* The rows an index recheck removed: the policy never saw them. */
static void
reset_recheck(Instrumentation *instr)
{
	instr->nfiltered2 = 0;
}

static void
reset_rows(Instrumentation *instr)
{
	instr->tuplecount = 0;
	instr->ntuples = 0;
}

static void
reset_node(PlanState *ps, void (*reset) (Instrumentation *))
{
	if (ps->instrument)
		reset(ps->instrument);
	if (ps->worker_instrument)
	{
		int			i;

		for (i = 0; i < ps->worker_instrument->num_workers; i++)
			reset(&ps->worker_instrument->instrument[i]);
	}
}

/* Every node of a Bitmap Heap Scan's bitmap: its rows are index matches. */
static bool
withhold_bitmap(PlanState *ps, void *arg)
{
	if (ps == NULL)
		return false;
	reset_node(ps, reset_rows);
	return planstate_tree_walker(ps, withhold_bitmap, arg);
}

static bool
withhold_walker(PlanState *ps, WithholdContext *cxt)
{
	if (ps == NULL)
		return false;
	if (calls_policy((Node *) ps->plan->qual, cxt))
	{
		bool		shared_bitmap = IsA(ps, BitmapHeapScanState) && ps->plan->parallel_aware;

		reset_node(ps, reset_recheck);
		if (cxt->hid)
			reset_node(ps, reset_filtered);
		if (IsA(ps, BitmapHeapScanState) && (cxt->hid || shared_bitmap))
			withhold_bitmap(outerPlanState(ps), NULL);
	}
	return planstate_tree_walker(ps, withhold_walker, (void *) cxt);
}

/*
 * After the executor finished (tmac.c), before EXPLAIN or auto_explain
 * prints: withhold what would count hidden rows.
 */
void
tmac_explain_executor_finish(QueryDesc *queryDesc)
{
	Tally	   *t;
	WithholdContext cxt;

	if (likely(tallies == NULL) || queryDesc->planstate == NULL)
		return;
	t = tally_of(queryDesc);
	if (t == NULL)
		return;
	cxt.readable = tmac_extension()->row_readable;
	cxt.writable = tmac_extension()->row_writable;
	cxt.hid = t->hidden > 0;
	withhold_walker(queryDesc->planstate, &cxt);
}
