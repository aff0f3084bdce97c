/*
 * information_flow.c — no write-down, and every copy in the handling ledger.
 *
 * The mark.  Each transaction keeps the least upper bound of the labels of
 * the protected rows it has read: the highest level, the union of the
 * compartments, and — because a row naming groups may be read by a member of
 * any of them, so no single group set bounds two of them — every distinct
 * group set read (a new row must reach one group of each).  A label
 * dominates the mark exactly when it dominates every label read.  The row
 * policies raise it (policy.c calls tmac_flow_row_read / _write after an
 * allowed decision): row_readable for every row let through, and
 * row_writable where it judges an existing row (the USING of UPDATE and
 * DELETE, MERGE's and ON CONFLICT's checks of the matched row: a statement
 * reads its own target rows) — except in a scan that also calls
 * row_readable on the same label, which then counts the rows: the leakproof
 * conditions PostgreSQL tests before it (a key) keep the others uncounted,
 * and every other expression of the statement sees only rows it let on.
 * Which call is which is found once per policy expression in the running
 * plan (its WithCheckOption kind, or the scan's qual), and cached.
 * Labels already merged are remembered in a small hash table (16 slots): the
 * per-row cost is a hash of the label's few words and a compare.  The mark is reset when the
 * transaction ends; a rolled-back subtransaction's reads still happened, so
 * they stay in it.  Parallel workers' reads do not reach the leader: a plan
 * that ran in parallel and names a protected table or calls a function that
 * is not built in raises the mark to everything its roles may read (their
 * clearance, read compartments and own group), a conservative bound that
 * never lets a write-down through.
 *
 * The rule.  Where row_writable judges a new row (the WITH CHECK of INSERT,
 * UPDATE and MERGE), its label must dominate the mark.  Otherwise the write
 * is refused (42501, naming both labels) unless the writer has the
 * privileges of tmac_declassifier, and then it is audited as a
 * declassification (action write_down) with both labels, once per statement
 * and target table — not again when the declassification guard (declassify.c)
 * has just audited the same row's change from a label that covers the mark.
 * tmac.configure('write_down', …): refuse (the default), audit (record
 * instead of refusing) or allow; anything but refuse is a finding.
 *
 * The ledger.  A transaction that has read protected rows and then writes to
 * a table without tmac's protection records one handling entry (複製) per
 * target and level reached, with the mark's level and label, whatever the
 * statement shape (temporary tables excepted: they end with the session, and
 * a statement that copies protected rows into one is still recorded by
 * handling_events.c): a target whose entry recorded a lower level than the
 * mark has since reached is recorded again.  At the end of every executor
 * run (nested ones too: PL/pgSQL loops) the targets of its ModifyTable nodes
 * — MERGE, data-modifying CTEs under any statement — are collected; after
 * every utility statement, the relation it wrote rows into (COPY … FROM,
 * CREATE TABLE AS / SELECT INTO / materialized views, also under EXPLAIN
 * ANALYZE, REFRESH, ALTER TABLE filling or retyping a column; its defaults'
 * reads raise the mark first);
 * handling_events.c's own per-statement entries count as recorded at their
 * level.  Writes into large objects (lo_from_bytea, lowrite, lo_put,
 * lo_import …) are seen as rows written to pg_largeobject by the backend
 * since the transaction's last look (its statistics counters, including
 * what a rolled-back subtransaction wrote, which are never sent inside a
 * transaction, so they never fall; with track_counts off they cannot be
 * seen).  The functions that write them cannot be hooked instead: built-in
 * functions never reach fmgr_hook.
 * Disposals: a MERGE … DELETE and a DELETE in a data-modifying CTE of
 * protected rows are recorded as DELETE is (the CTE's row count is unknown).
 * Entries written in a subtransaction that rolls back are forgotten, so a
 * later write records again.  tmac's own tables are never targets.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_largeobject.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "parser/parse_type.h"
#include "parser/parsetree.h"
#include "pgstat.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "extension.h"
#include "handling_events.h"
#include "information_flow.h"
#include "own_act.h"
#include "owner_query.h"
#include "profile_cache.h"
#include "tree_walk.h"
#include "view_owner.h"

#define TMAC_FLOW_LABEL_MAX 256	/* bytes kept of a label for the write and guard caches */

TmacFlowSlot tmac_flow_seen[TMAC_FLOW_SLOTS];
int32		tmac_flow_plain_rank = PG_INT32_MIN;

/*
 * The mark, in its own memory context (emptied when the transaction ends,
 * which is when the mark ends); empty until the transaction reads.
 */
static MemoryContext flow_cxt = NULL;
static bool mark_any = false;
static int16 mark_rank = 0;
static int	mark_ncomps = 0;
static int32 *mark_comps = NULL;
static List *mark_groups = NIL;	/* TmacLabel: one group set each, lowest rank */
static bool mark_parallel = false;	/* raised for a parallel plan */
static uint64 mark_generation = 0;

/* The last new row found to dominate the mark (bytes, at a generation). */
static char last_ok[TMAC_FLOW_LABEL_MAX];
static Size last_ok_len = 0;
static uint64 last_ok_generation = 0;

/* The plan running now (executor run and finish), for classifying policy calls. */
static PlannedStmt *flow_stmt = NULL;

/*
 * Policy expressions classified, keyed by the expression and its plan.  An
 * entry is dropped when a plan starts at that plan's address (a freed plan's
 * memory may hold a new one; a plan always starts before its expressions
 * run), and all are dropped at (sub)transaction abort, where a plan can be
 * freed without ending; so a key never names another expression.
 */
typedef struct FlowSite
{
	Node	   *expr;
	PlannedStmt *stmt;
	int			found;			/* as Classify.found */
} FlowSite;

#define FLOW_SITES 16
static FlowSite sites[FLOW_SITES];
static int	nsites = 0;

/* What this transaction recorded or audited (TopTransactionContext). */
typedef struct FlowRecord
{
	char	   *target;			/* a relation name, or "large objects" */
	PlannedStmt *stmt;			/* audits: the statement, else NULL */
	int			rank;			/* copies: the level the entry recorded (-1 unknown) */
	SubTransactionId subid;
} FlowRecord;
static List *records = NIL;

/* The declassification guard's last audited row change (its old label). */
static int32 guard_from[TMAC_FLOW_LABEL_MAX / sizeof(int32)];
static Size guard_from_len = 0;
static PlannedStmt *guard_stmt = NULL;	/* the UPDATE it fired in */

/* The write_down setting, per statement. */
typedef enum FlowMode
{
	FLOW_REFUSE,
	FLOW_AUDIT,
	FLOW_ALLOW
} FlowMode;
static FlowMode mode_value = FLOW_REFUSE;
static LocalTransactionId mode_lxid = InvalidLocalTransactionId;
static TimestampTz mode_stmt = 0;

/* pg_largeobject rows written (lo_rows_written) when last looked at since the transaction first read */
static int64 lo_last = 0;

static bool busy = false;		/* while this file's own queries run */

/* ---------- the mark ---------- */

static void
mark_reset(void)
{
	mark_any = false;
	mark_rank = 0;
	mark_ncomps = 0;
	mark_comps = NULL;
	mark_groups = NIL;
	if (flow_cxt != NULL)
		MemoryContextReset(flow_cxt);
	mark_parallel = false;
	mark_generation++;
	memset(tmac_flow_seen, 0, sizeof(tmac_flow_seen));
	tmac_flow_plain_rank = PG_INT32_MIN;
	last_ok_len = 0;
	guard_from_len = 0;
}

/*
 * Rows of pg_largeobject this backend inserted or updated since its counters
 * were last sent (its pending statistics entry, found by OID whether or not
 * a relcache entry links it; 0 when there is none).  Only compared within a
 * transaction, where the sum never falls: a subtransaction that rolls back
 * moves its counts into the entry's own (t_counts), and pending counters are
 * sent only between transactions.
 */
static int64
lo_rows_written(void)
{
	PgStat_TableStatus *s = find_tabstat_entry(LargeObjectRelationId);
	PgStat_TableXactStatus *t;
	int64		n;

	if (s == NULL)
		return 0;
	n = s->t_counts.t_tuples_inserted + s->t_counts.t_tuples_updated;
	for (t = s->trans; t != NULL; t = t->upper)
		n += t->tuples_inserted + t->tuples_updated;
	return n;
}

static bool
groups_equal(const TmacLabel *a, const TmacLabel *b)
{
	return a->ngroups == b->ngroups &&
		memcmp(TMAC_LABEL_GROUPS(a), TMAC_LABEL_GROUPS(b), sizeof(int32) * a->ngroups) == 0;
}

/* Merges a label into the mark. */
static void
mark_merge(const TmacLabel *l)
{
	MemoryContext old;
	const int32 *c = TMAC_LABEL_COMPARTMENTS(l);
	bool		changed = !mark_any;
	ListCell   *lc;

	if (flow_cxt == NULL)
		flow_cxt = AllocSetContextCreate(TopMemoryContext, "tmac information flow",
										 ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(flow_cxt);
	if (!mark_any && !IsParallelWorker())
		lo_last = lo_rows_written();
	if (!mark_any || l->rank > mark_rank)
	{
		mark_rank = l->rank;
		changed = true;
	}
	mark_any = true;
	tmac_flow_plain_rank = mark_rank;
	if (l->ncompartments > 0 &&
		!tmac_sorted_subset(c, l->ncompartments, mark_comps, mark_ncomps))
	{
		int32	   *merged = palloc(sizeof(int32) * (mark_ncomps + l->ncompartments));
		int			n = 0,
					i = 0,
					j = 0;

		while (i < mark_ncomps || j < l->ncompartments)
		{
			if (j >= l->ncompartments || (i < mark_ncomps && mark_comps[i] < c[j]))
				merged[n++] = mark_comps[i++];
			else if (i >= mark_ncomps || c[j] < mark_comps[i])
				merged[n++] = c[j++];
			else
				merged[n++] = mark_comps[i++], j++;
		}
		mark_comps = merged;	/* the old array stays until the context is reset */
		mark_ncomps = n;
		changed = true;
	}
	if (l->ngroups > 0)
	{
		bool		found = false;

		foreach(lc, mark_groups)
			if (groups_equal((TmacLabel *) lfirst(lc), l))
			{
				found = true;
				break;
			}
		if (!found)
		{
			Size		len = TMAC_LABEL_HDRSZ + sizeof(int32) * l->ngroups;
			TmacLabel  *g = palloc0(len);

			SET_VARSIZE(g, len);
			g->rank = PG_INT16_MIN;
			g->ngroups = l->ngroups;
			memcpy(g->ids, TMAC_LABEL_GROUPS(l), sizeof(int32) * l->ngroups);
			mark_groups = lappend(mark_groups, g);
			changed = true;
		}
	}
	if (changed)
		mark_generation++;
	MemoryContextSwitchTo(old);
}

void
tmac_flow_note_read_slow(const TmacLabel *l)
{
	Size		len = VARSIZE(l);

	mark_merge(l);
	if (len <= sizeof(TmacFlowSlot))
		memcpy(&tmac_flow_seen[tmac_flow_slot_of(l)], l, len);
}

/* Does `l` dominate every label read? */
static bool
dominates_mark(const TmacLabel *l)
{
	ListCell   *lc;

	if (!mark_any)
		return true;
	if (l->rank < mark_rank ||
		!tmac_sorted_subset(mark_comps, mark_ncomps, TMAC_LABEL_COMPARTMENTS(l), l->ncompartments))
		return false;
	foreach(lc, mark_groups)
		if (!tmac_label_dominates(l, (TmacLabel *) lfirst(lc)))
			return false;
	return true;
}

/* The mark as one label (the groups of every set), for messages and the ledger. */
static char *
mark_text(void)
{
	int32	   *groups;
	int			ng = 0;
	ListCell   *lc;
	TmacLabel  *l;

	foreach(lc, mark_groups)
		ng += ((TmacLabel *) lfirst(lc))->ngroups;
	groups = palloc(sizeof(int32) * (ng + 1));
	ng = 0;
	foreach(lc, mark_groups)
	{
		TmacLabel  *g = (TmacLabel *) lfirst(lc);
		int			i;

		for (i = 0; i < g->ngroups; i++)
		{
			int			k,
						j;

			for (k = 0; k < ng && groups[k] < g->ids[i]; k++)
				;
			if (k < ng && groups[k] == g->ids[i])
				continue;
			for (j = ng; j > k; j--)
				groups[j] = groups[j - 1];
			groups[k] = g->ids[i];
			ng++;
		}
	}
	l = tmac_label_make(mark_rank, mark_comps, mark_ncomps, groups, ng);
	return tmac_label_to_text(l);
}

/*
 * A parallel plan ran: its workers' reads did not reach this mark, so it
 * rises to everything the plan's roles may read.
 */
static void
mark_raise_parallel(PlannedStmt *stmt)
{
	List	   *roles = tmac_plan_roles(stmt);
	ListCell   *lc;

	foreach(lc, roles)
	{
		TmacProfile *p = tmac_profile_for(lfirst_oid(lc));
		int32		group = p->org_group_id;
		int32		none = 0;
		TmacLabel  *l;

		if (!p->active)
			continue;
		l = tmac_label_make((int16) p->clearance_rank, p->read.n > 0 ? p->read.ids : &none, p->read.n,
							&group, group != 0 ? 1 : 0);
		mark_merge(l);
		mark_parallel = true;
	}
	list_free(roles);
}

/*
 * Could a parallel plan's workers have read protected rows?  When it names a
 * protected table, or calls a function that is not built in (the planner
 * records those among the plan's invalidation items): such a function may
 * read one inside a worker.  tmac's own queries (as its owner) never do.
 */
static bool
parallel_may_read_protected(PlannedStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->invalItems)
		if (((PlanInvalItem *) lfirst(lc))->cacheId == PROCOID)
			return true;
	foreach(lc, stmt->relationOids)
		if (tmac_relation_protected(lfirst_oid(lc)))
			return true;
	return false;
}

/* ---------- which policy call judges a new row ---------- */

typedef struct Classify
{
	Node	   *expr;
	int			found;			/* 0 not found, 1 old row, 2 new row, 3 old row gated by the read policy */
} Classify;

/*
 * Does this scan's qual (a list of conjuncts, evaluated in order, every one
 * for a row that passes) also call row_readable on the label row_writable
 * `call` judges?  Then every row any expression of the statement but the
 * leakproof ones sees has passed row_readable — the user's own conditions
 * come after the policies — and row_readable counts it as read.
 */
static bool
read_policy_beside(List *qual, Node *call)
{
	Oid			readable = tmac_extension()->row_readable;
	List	   *args;
	ListCell   *lc;

	if (!IsA(call, FuncExpr) || ((FuncExpr *) call)->funcid != tmac_extension()->row_writable)
		return false;
	args = ((FuncExpr *) call)->args;
	if (list_length(args) != 1 || !IsA(linitial(args), Var))
		return false;
	foreach(lc, qual)
	{
		Node	   *q = (Node *) lfirst(lc);

		if (IsA(q, BoolExpr) && ((BoolExpr *) q)->boolop == AND_EXPR)
		{
			if (read_policy_beside(((BoolExpr *) q)->args, call))
				return true;
			continue;
		}
		if (IsA(q, FuncExpr) && ((FuncExpr *) q)->funcid == readable &&
			list_length(((FuncExpr *) q)->args) == 1 && equal(linitial(((FuncExpr *) q)->args), linitial(args)))
			return true;
	}
	return false;
}

typedef bool (*PlanVisitor) (Plan *plan, void *arg);

static bool
walk_plan(Plan *plan, PlanVisitor visit, void *arg)
{
	ListCell   *lc;
	List	   *children = NIL;

	if (plan == NULL)
		return false;
	if (visit(plan, arg))
		return true;
	if (walk_plan(plan->lefttree, visit, arg) || walk_plan(plan->righttree, visit, arg))
		return true;
	switch (nodeTag(plan))
	{
		case T_Append:
			children = ((Append *) plan)->appendplans;
			break;
		case T_MergeAppend:
			children = ((MergeAppend *) plan)->mergeplans;
			break;
		case T_BitmapAnd:
			children = ((BitmapAnd *) plan)->bitmapplans;
			break;
		case T_BitmapOr:
			children = ((BitmapOr *) plan)->bitmapplans;
			break;
		case T_CustomScan:
			children = ((CustomScan *) plan)->custom_plans;
			break;
		case T_SubqueryScan:
			return walk_plan(((SubqueryScan *) plan)->subplan, visit, arg);
		default:
			break;
	}
	foreach(lc, children)
		if (walk_plan((Plan *) lfirst(lc), visit, arg))
			return true;
	return false;
}

static bool
walk_stmt(PlannedStmt *stmt, PlanVisitor visit, void *arg)
{
	ListCell   *lc;

	if (walk_plan(stmt->planTree, visit, arg))
		return true;
	foreach(lc, stmt->subplans)
		if (walk_plan((Plan *) lfirst(lc), visit, arg))
			return true;
	return false;
}

static bool
classify_visit(Plan *plan, void *arg)
{
	Classify   *c = (Classify *) arg;
	WithCheckOption *wco = tmac_plan_check_option_with(plan, c->expr);

	if (wco != NULL)
	{
		c->found = (wco->kind == WCO_RLS_INSERT_CHECK ||
					wco->kind == WCO_RLS_UPDATE_CHECK) ? 2 : 1;
		return true;
	}
	if (tmac_node_contains((Node *) plan->qual, c->expr))
	{
		c->found = read_policy_beside(plan->qual, c->expr) ? 3 : 1;
		return true;
	}
	return false;
}

/*
 * Where the running plan has this policy call: 1 in a scan's quals or a
 * WithCheckOption that judges an existing row (the USING of UPDATE and
 * DELETE, MERGE's and ON CONFLICT's checks), 3 in a scan's quals beside
 * row_readable of the same label (read_policy_beside), 2 in a WITH CHECK of
 * a new row (INSERT, UPDATE, MERGE's actions), 0 nowhere: a partition's check
 * built while routing a row, or an expression evaluated outside any plan.
 */
static int
call_site(FunctionCallInfo fcinfo)
{
	Node	   *expr = fcinfo->flinfo->fn_expr;
	Classify	c;
	int			i;

	if (expr == NULL || flow_stmt == NULL)
		return 0;
	for (i = nsites - 1; i >= 0; i--)
		if (sites[i].expr == expr && sites[i].stmt == flow_stmt)
			return sites[i].found;
	c.expr = expr;
	c.found = 0;
	(void) walk_stmt(flow_stmt, classify_visit, &c);
	if (nsites == FLOW_SITES)
	{
		memmove(&sites[0], &sites[1], sizeof(FlowSite) * (FLOW_SITES - 1));
		nsites--;
	}
	sites[nsites].expr = expr;
	sites[nsites].stmt = flow_stmt;
	sites[nsites].found = c.found;
	nsites++;
	return c.found;
}

/* ---------- the policies' calls ---------- */

void
tmac_flow_row_read_slow(FunctionCallInfo fcinfo, const TmacLabel *l)
{
	if (fcinfo->flinfo->fn_oid != tmac_extension()->row_readable)
		return;					/* can_read: a question, not a read */
	/* a SELECT policy checked as a WITH CHECK judges the row being written */
	if (flow_stmt != NULL && flow_stmt->commandType != CMD_SELECT && call_site(fcinfo) == 2)
		return;
	tmac_flow_note_read_slow(l);
}

/* The write_down setting, looked up once per statement. */
static FlowMode
write_down_mode(void)
{
	Oid			types[1] = {TEXTOID};
	TmacOneValue setting;
	char	   *mode;

	if (mode_lxid == MyProc->lxid && mode_stmt == GetCurrentStatementStartTimestamp())
		return mode_value;
	tmac_owner_query("SELECT tmac.setting_lookup('write_down')", 0, NULL, NULL,
					 1, types, true, TMAC_SNAPSHOT_CURRENT, tmac_read_one_value, &setting);
	mode = setting.found ? TextDatumGetCString(setting.value) : NULL;
	if (mode == NULL || strcmp(mode, "refuse") == 0)
		mode_value = FLOW_REFUSE;
	else if (strcmp(mode, "audit") == 0)
		mode_value = FLOW_AUDIT;
	else
		mode_value = FLOW_ALLOW;
	mode_lxid = MyProc->lxid;
	mode_stmt = GetCurrentStatementStartTimestamp();
	return mode_value;
}

/*
 * Has this transaction recorded `target`?  Audits: by the statement `stmt`.
 * Copies (stmt NULL): at the level `rank` or above — a copy made after the
 * mark rose records again, at the new level.
 */
static bool
recorded(const char *target, PlannedStmt *stmt, int rank)
{
	ListCell   *lc;

	foreach(lc, records)
	{
		FlowRecord *r = (FlowRecord *) lfirst(lc);

		if (r->stmt == stmt && strcmp(r->target, target) == 0 &&
			(stmt != NULL || r->rank >= rank))
			return true;
	}
	return false;
}

static void
remember(const char *target, PlannedStmt *stmt, int rank)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	FlowRecord *r = palloc(sizeof(FlowRecord));

	r->target = pstrdup(target);
	r->stmt = stmt;
	r->rank = rank;
	r->subid = GetCurrentSubTransactionId();
	records = lappend(records, r);
	MemoryContextSwitchTo(old);
}

void
tmac_flow_note_recorded(const char *target, int rank)
{
	if (!recorded(target, NULL, rank))
		remember(target, NULL, rank);
}

void
tmac_flow_note_declassified(const TmacLabel *from)
{
	Size		len = VARSIZE(from);

	if (len <= TMAC_FLOW_LABEL_MAX)
	{
		memcpy(guard_from, from, len);
		guard_from_len = len;
		guard_stmt = flow_stmt;
	}
}

/* call_target's text when the row's table is unknown (stored as is; translated in messages) */
#define UNKNOWN_TARGET gettext_noop("(a protected table)")

/* The table a policy call's row belongs to, from its label Var. */
static char *
call_target(FunctionCallInfo fcinfo)
{
	Node	   *expr = fcinfo->flinfo->fn_expr;

	if (flow_stmt != NULL && expr != NULL && IsA(expr, FuncExpr))
	{
		Node	   *arg = linitial(((FuncExpr *) expr)->args);

		if (IsA(arg, Var) && ((Var *) arg)->varno >= 1 &&
			((Var *) arg)->varno <= list_length(flow_stmt->rtable))
		{
			RangeTblEntry *rte = rt_fetch(((Var *) arg)->varno, flow_stmt->rtable);

			if (rte->rtekind == RTE_RELATION)
				return tmac_relation_name(rte->relid);
		}
	}
	return pstrdup(UNKNOWN_TARGET);
}

static void
write_down(FunctionCallInfo fcinfo, const TmacLabel *l)
{
	Oid			declassifier = get_role_oid("tmac_declassifier", true);
	bool		may = OidIsValid(declassifier) && has_privs_of_role(GetUserId(), declassifier);
	FlowMode	mode = write_down_mode();
	char	   *target;
	char	   *from;
	StringInfoData detail;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	if (!may && mode == FLOW_ALLOW)
		return;
	target = call_target(fcinfo);
	from = mark_text();
	if (!may && mode == FLOW_REFUSE)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to write a row labelled %s into %s after reading %s",
						tmac_label_to_text(l),
						strcmp(target, UNKNOWN_TARGET) == 0 ? tmac_translate(UNKNOWN_TARGET) : target,
						from),
				 mark_parallel ?
				 errdetail("This transaction has read protected rows up to %s (a parallel query counts as reading everything its roles may read); a row whose label does not dominate that would copy what was read down to %s.",
						   from, tmac_label_to_text(l)) :
				 errdetail("This transaction has read protected rows up to %s; a row whose label does not dominate that would copy what was read down to %s.",
						   from, tmac_label_to_text(l)),
				 errhint("Write the row with a label that dominates %s, or read and write in separate transactions; writing down needs membership of tmac_declassifier, and is audited.",
						 from)));
	/*
	 * Allowed only by the writer's membership of tmac_declassifier: that is the declassifier's
	 * own act, as a declassification is (declassify.c) — refused inside another role's
	 * SECURITY DEFINER function, from a trigger or a restricted operation, so nobody writes
	 * down with a declassifier's rights by calling code a declassifier wrote.
	 */
	if (may && mode == FLOW_REFUSE)
		(void) tmac_own_act_role(gettext_noop("write a row below what the transaction read"), 0);
	/* the guard has audited this row's own declassification, from a label covering the mark */
	if (guard_from_len > 0 && guard_stmt == flow_stmt && dominates_mark((TmacLabel *) guard_from))
	{
		guard_from_len = 0;
		return;
	}
	if (recorded(target, flow_stmt != NULL ? flow_stmt : (PlannedStmt *) 1, 0))
		return;
	remember(target, flow_stmt != NULL ? flow_stmt : (PlannedStmt *) 1, 0);

	initStringInfo(&detail);
	appendStringInfoString(&detail, "{\"table\": ");
	escape_json(&detail, target);
	appendStringInfoString(&detail, ", \"from\": ");
	escape_json(&detail, from);
	appendStringInfoString(&detail, ", \"to\": ");
	escape_json(&detail, tmac_label_to_text(l));
	appendStringInfoString(&detail, ", \"by\": ");
	escape_json(&detail, GetUserNameFromId(GetUserId(), false));
	appendStringInfo(&detail, ", \"declassifier\": %s, \"write_down\": \"%s\"}",
					 may ? "true" : "false",
					 mode == FLOW_REFUSE ? "refuse" : mode == FLOW_AUDIT ? "audit" : "allow");
	values[0] = CStringGetTextDatum(target);
	values[1] = CStringGetTextDatum(detail.data);
	busy = true;
	PG_TRY();
	{
		tmac_owner_query("SELECT tmac.audit_record('declassification', 'write_down', $1, $2::pg_catalog.jsonb)",
						 2, argtypes, values, -1, NULL, false, TMAC_SNAPSHOT_CURRENT, NULL, NULL);
	}
	PG_FINALLY();
	{
		busy = false;
	}
	PG_END_TRY();
}

void
tmac_flow_row_write(FunctionCallInfo fcinfo, const TmacLabel *l)
{
	Size		len;
	int			site;

	if (busy || fcinfo->flinfo->fn_oid != tmac_extension()->row_writable)
		return;					/* can_write: a question, not a write */
	/* a call found nowhere is taken as a new row's: the rule applies, never skipped */
	site = call_site(fcinfo);
	if (site == 3)
		return;					/* row_readable beside it counts the rows it lets on */
	if (site == 1)
	{
		tmac_flow_note_read(l); /* the statement reads its own target row */
		return;
	}
	if (!mark_any)
		return;
	len = VARSIZE(l);
	if (last_ok_generation == mark_generation && len == last_ok_len &&
		memcmp(l, last_ok, len) == 0)
		return;
	if (dominates_mark(l))
	{
		if (len <= TMAC_FLOW_LABEL_MAX)
		{
			memcpy(last_ok, l, len);
			last_ok_len = len;
			last_ok_generation = mark_generation;
		}
		return;
	}
	write_down(fcinfo, l);
}

/* ---------- the ledger ---------- */

typedef struct Targets
{
	QueryDesc  *qd;
	List	   *copies;			/* char *: unprotected targets written */
	List	   *copy_rows;		/* int64 as pointers' worth: rows, -1 unknown */
	List	   *disposals;		/* Oid: protected tables a CTE or MERGE deleted from */
	List	   *disposal_rows;
} Targets;

static Oid
target_relid(ModifyTable *mt, List *rtable)
{
	Index		rti = mt->rootRelation ? mt->rootRelation : linitial_int(mt->resultRelations);
	Oid			relid = rt_fetch(rti, rtable)->relid;

	if (get_rel_relispartition(relid))
	{
		List	   *anc = get_partition_ancestors(relid);

		if (anc != NIL)
			relid = llast_oid(anc);
	}
	return relid;
}

static bool
merge_deletes(ModifyTable *mt)
{
	ListCell   *l1,
			   *l2;

	foreach(l1, mt->mergeActionLists)
		foreach(l2, (List *) lfirst(l1))
			if (((MergeAction *) lfirst(l2))->commandType == CMD_DELETE)
				return true;
	return false;
}

static bool
targets_visit(Plan *plan, void *arg)
{
	Targets    *t = (Targets *) arg;
	ModifyTable *mt;
	Oid			relid;
	int64		rows = -1;
	ModifyTableState *mts = NULL;

	if (!IsA(plan, ModifyTable))
		return false;
	mt = (ModifyTable *) plan;
	if (mt->resultRelations == NIL)
		return false;
	relid = target_relid(mt, t->qd->plannedstmt->rtable);
	if (get_rel_namespace(relid) == tmac_extension()->namespace_oid)
		return false;
	if (t->qd->planstate != NULL && IsA(t->qd->planstate, ModifyTableState) &&
		t->qd->planstate->plan == plan)
		mts = (ModifyTableState *) t->qd->planstate;
	if (mt->canSetTag && t->qd->estate != NULL)
		rows = (int64) t->qd->estate->es_processed;

	if (tmac_relation_protected(relid))
	{
		/* a top-level DELETE is handling_events.c's */
		if (mt->operation == CMD_DELETE && !mt->canSetTag)
		{
			t->disposals = lappend_oid(t->disposals, relid);
			t->disposal_rows = lappend(t->disposal_rows, (void *) (intptr_t) -1);
		}
		else if (mt->operation == CMD_MERGE && merge_deletes(mt) &&
				 (mts == NULL || mts->mt_merge_deleted > 0))
		{
			t->disposals = lappend_oid(t->disposals, relid);
			t->disposal_rows = lappend(t->disposal_rows,
									   (void *) (intptr_t) (mts ? (int64) mts->mt_merge_deleted : -1));
		}
		return false;
	}
	/* a temporary table goes with the session; statements that copy into one are handling_events.c's */
	if (mt->operation == CMD_DELETE || get_rel_persistence(relid) == RELPERSISTENCE_TEMP)
		return false;
	if (mt->operation == CMD_MERGE && mts != NULL)
		rows = (int64) (mts->mt_merge_inserted + mts->mt_merge_updated);
	if (rows == 0)
		return false;
	t->copies = lappend(t->copies, tmac_relation_name(relid));
	t->copy_rows = lappend(t->copy_rows, (void *) (intptr_t) rows);
	return false;
}

/* A SELECT's portal ends its executor, and a utility statement ends, with no active snapshot. */
static void
record_flow(const char *kind, const char *source, const char *target, int64 rows, int rank)
{
	volatile bool pushed = false;

	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	busy = true;
	PG_TRY();
	{
		tmac_handling_record_named(kind, source, target, rows, rank);
	}
	PG_FINALLY();
	{
		busy = false;
	}
	PG_END_TRY();
	if (pushed)
		PopActiveSnapshot();
}

/*
 * A copy into `target` (also known as `alt`, or NULL) after the transaction
 * read protected rows: one entry per target and level reached — again when
 * the mark has risen above the level the target's entry recorded.
 */
static void
record_copy(const char *target, const char *alt, int64 rows)
{
	char	   *source;

	if (!mark_any || recorded(target, NULL, mark_rank) ||
		(alt != NULL && recorded(alt, NULL, mark_rank)))
		return;
	source = psprintf("(protected rows read in this transaction, up to %s)", mark_text());
	remember(target, NULL, mark_rank);
	record_flow("copy", source, target, rows, mark_rank);
}

/* Large objects written since the last look, after the transaction first read protected rows. */
static void
check_large_objects(void)
{
	int64		n;

	if (!mark_any)
		return;
	n = lo_rows_written();
	if (n <= lo_last)
		return;
	lo_last = n;
	record_copy("large objects", NULL, -1);
}

/* Could adding this column write a value into every row (a default, a generation, a domain's default)? */
static bool
column_fills(ColumnDef *def)
{
	ListCell   *lc;
	Oid			type;

	if (def->raw_default != NULL || def->cooked_default != NULL || def->generated != '\0')
		return true;
	foreach(lc, def->constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		if (IsA(c, Constraint) && (c->contype == CONSTR_DEFAULT || c->contype == CONSTR_GENERATED))
			return true;
	}
	type = def->typeName != NULL ? LookupTypeNameOid(NULL, def->typeName, true) : InvalidOid;
	return !OidIsValid(type) || get_typtype(type) == TYPTYPE_DOMAIN;
}

/*
 * The relation a utility statement wrote rows into (InvalidOid: none), its
 * rows (-1 unknown) and, for CREATE TABLE AS, the name handling_events.c
 * records it under: COPY … FROM; CREATE TABLE AS, SELECT INTO and CREATE
 * MATERIALIZED VIEW with data; REFRESH MATERIALIZED VIEW; ALTER TABLE adding
 * a column that fills every row, or changing a column's type (every row is
 * rewritten, by a USING expression or a cast).
 */
static Oid
utility_written(Node *node, QueryCompletion *qc, int64 *rows, char **alt)
{
	RangeVar   *rv = NULL;
	ListCell   *lc;

	*rows = -1;
	*alt = NULL;
	/* EXPLAIN ANALYZE CREATE TABLE AS creates and fills the table without a utility statement of its own */
	if (IsA(node, ExplainStmt))
	{
		ExplainStmt *e = (ExplainStmt *) node;
		Query	   *q = (Query *) e->query;
		bool		analyze = false;

		foreach(lc, e->options)
			if (strcmp(((DefElem *) lfirst(lc))->defname, "analyze") == 0)
				analyze = defGetBoolean((DefElem *) lfirst(lc));
		if (!analyze || !IsA(q, Query) || q->commandType != CMD_UTILITY || q->utilityStmt == NULL ||
			!IsA(q->utilityStmt, CreateTableAsStmt))
			return InvalidOid;
		return utility_written(q->utilityStmt, NULL, rows, alt);
	}
	if (IsA(node, CopyStmt) && ((CopyStmt *) node)->is_from)
	{
		rv = ((CopyStmt *) node)->relation;
		if (qc != NULL && qc->commandTag == CMDTAG_COPY)
			*rows = (int64) qc->nprocessed;
	}
	else if (IsA(node, CreateTableAsStmt) && ((CreateTableAsStmt *) node)->into != NULL)
	{
		IntoClause *into = ((CreateTableAsStmt *) node)->into;

		if (into->skipData)
			return InvalidOid;
		rv = into->rel;
		*alt = quote_qualified_identifier(rv->schemaname, rv->relname);
		if (qc != NULL && qc->commandTag == CMDTAG_SELECT)
			*rows = (int64) qc->nprocessed;
	}
	else if (IsA(node, RefreshMatViewStmt) && !((RefreshMatViewStmt *) node)->skipData)
		rv = ((RefreshMatViewStmt *) node)->relation;
	else if (IsA(node, AlterTableStmt))
	{
		foreach(lc, ((AlterTableStmt *) node)->cmds)
		{
			AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

			if (!IsA(cmd, AlterTableCmd))
				continue;
			if (cmd->subtype == AT_AlterColumnType ||
				(cmd->subtype == AT_AddColumn && cmd->def != NULL && IsA(cmd->def, ColumnDef) &&
				 column_fills((ColumnDef *) cmd->def)))
				rv = ((AlterTableStmt *) node)->relation;
		}
	}
	if (rv == NULL || *rows == 0)
		return InvalidOid;
	return RangeVarGetRelid(rv, NoLock, true);
}

void
tmac_flow_executor_start(QueryDesc *queryDesc)
{
	int			i,
				j = 0;
	ListCell   *lc;

	/* a new plan may sit where a freed one was: forget that one's sites and audits */
	for (i = 0; i < nsites; i++)
		if (sites[i].stmt != queryDesc->plannedstmt)
			sites[j++] = sites[i];
	nsites = j;
	foreach(lc, records)
		if (((FlowRecord *) lfirst(lc))->stmt == queryDesc->plannedstmt)
			records = foreach_delete_current(records, lc);
	if (queryDesc->plannedstmt == guard_stmt)
		guard_from_len = 0;
}

void *
tmac_flow_enter(QueryDesc *queryDesc)
{
	PlannedStmt *saved = flow_stmt;

	flow_stmt = queryDesc->plannedstmt;
	return saved;
}

void
tmac_flow_leave(void *saved)
{
	flow_stmt = (PlannedStmt *) saved;
}

void
tmac_flow_executor_end(QueryDesc *queryDesc)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;
	Targets		t;
	ListCell   *l1,
			   *l2;

	/* tmac's own queries (owner_query.c) run as a security-restricted operation */
	if (busy || IsParallelWorker() || !tmac_extension()->installed || creating_extension ||
		InSecurityRestrictedOperation())
		return;
	if (stmt->parallelModeNeeded && parallel_may_read_protected(stmt))
		mark_raise_parallel(stmt);
	memset(&t, 0, sizeof(t));
	t.qd = queryDesc;
	if (stmt->commandType != CMD_UTILITY && queryDesc->estate != NULL &&
		(stmt->resultRelations != NIL || stmt->hasModifyingCTE))
		(void) walk_stmt(stmt, targets_visit, &t);

	forboth(l1, t.disposals, l2, t.disposal_rows)
		record_flow("delete", tmac_relation_name(lfirst_oid(l1)), NULL,
					(int64) (intptr_t) lfirst(l2), -1);
	forboth(l1, t.copies, l2, t.copy_rows)
		record_copy((char *) lfirst(l1), NULL, (int64) (intptr_t) lfirst(l2));
	check_large_objects();
}

/*
 * After a utility statement: the rows it wrote into a relation (a default or
 * expression it evaluated may have read protected rows too, raising the
 * mark) are a copy, recorded as the executor's are; temporary tables and
 * tmac's own excepted.  A protected target is recorded as well: no policy
 * judged the rows a utility statement wrote.
 */
void
tmac_flow_utility_end(PlannedStmt *pstmt, QueryCompletion *qc)
{
	Oid			relid;
	int64		rows;
	char	   *alt;

	if (busy || IsParallelWorker() || !tmac_extension()->installed ||
		InSecurityRestrictedOperation())
		return;
	if (mark_any && pstmt->utilityStmt != NULL)
	{
		relid = utility_written(pstmt->utilityStmt, qc, &rows, &alt);
		if (OidIsValid(relid) && get_rel_namespace(relid) != tmac_extension()->namespace_oid &&
			get_rel_persistence(relid) != RELPERSISTENCE_TEMP)
			record_copy(tmac_relation_name(relid), alt, rows);
	}
	check_large_objects();
}

/* ---------- transactions ---------- */

void
tmac_flow_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		mark_reset();
		records = NIL;			/* its memory goes with TopTransactionContext */
		nsites = 0;
		flow_stmt = NULL;
		busy = false;
		mode_lxid = InvalidLocalTransactionId;
	}
}

void
tmac_flow_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		/* what it recorded is gone; what it read was read (the mark stays) */
		foreach(lc, records)
			if (((FlowRecord *) lfirst(lc))->subid == mySubid)
				records = foreach_delete_current(records, lc);
		nsites = 0;
		busy = false;
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		foreach(lc, records)
			if (((FlowRecord *) lfirst(lc))->subid == mySubid)
				((FlowRecord *) lfirst(lc))->subid = parentSubid;
	}
}
