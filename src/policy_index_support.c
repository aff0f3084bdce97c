/*
 * policy_index_support.c — a protected scan reads only the levels its reader is cleared for.
 *
 * Without this file every protected query reads what it would read
 * unprotected and lets tmac.row_readable() drop the rows it may not see: a
 * person cleared 社外秘 on a table that is 95 % 極秘 reads every page.  Here
 * the policy functions get a planner support function (prosupport,
 * SupportRequestIndexCondition), so that when the label column has a btree
 * index of tmac's own operator family (tmac.label_btree_ops) the planner may
 * scan that index for the policy's call:
 *
 *     tmac.row_readable(label)  ->  Index Cond: label <= tmac.readable_upper_bound()
 *
 * Why a support function rather than a new operator class or policy shape.
 * The policy expression stays what tmac.protect() creates and what
 * protection_in_place() and pg_dump know; any table whose owner indexes the
 * label column (the btree index sql/label_index.sql tests) benefits, and no
 * second copy of the decision exists: the policy call stays in the plan as a
 * filter and rechecks every row the index returns (the condition is lossy).
 * The index condition only ever lets through a superset of what the decision
 * allows, so a wrong bound could cost time, never a row.
 *
 * Why the bound is a function and not a constant.  A plan is made once and
 * run by whoever executes it: a prepared statement or a PL/pgSQL query is
 * reused after SET ROLE, inside a SECURITY DEFINER function, and after a
 * clearance is revoked.  So the comparison value is never computed while
 * planning: tmac.readable_upper_bound() is STABLE and is evaluated by the
 * executor when the index scan starts (a btree "runtime key"), from the
 * acting profile as row_readable itself reads it (profile_cache.c; in a
 * parallel worker the leader's, handed over by parallel_handoff.c).  Read
 * through a view without security_invoker, the policy call carries the
 * view owner's OID as a second argument (view_owner.c) and the bound gets the
 * same argument: it is the owner's clearance that bounds the scan.  The bound
 * function has no SQL signature with an argument, so no one can ask it about
 * another role.
 *
 * What the bound is.  The btree order of labels is level rank first, then the
 * compartment ids, then the group ids (label_compare.c).  Rows whose level is
 * at most the clearance are therefore exactly one range: every label up to the
 * greatest label of that rank, (rank, {INT32_MAX}, {INT32_MAX}) — ids are
 * sorted and unique, so no valid label of that rank sorts after it.  A person
 * who fails a prerequisite (inactive, pledge, training) reads nothing; the
 * bound is then the least label, (-32768, {}, {}).  Out-of-range clearances
 * are clamped to the int16 ranks a label can carry, which only widens.
 *
 * Only levels narrow the scan, not compartments or groups.  Within one level
 * the labels a person may read are those whose compartments are a subset of
 * their grants (and whose groups they reach): a down-set under inclusion,
 * which is scattered across the lexicographic btree order, not a range; an
 * inverted index (GIN) answers "contains" but not "is contained by" without
 * reading every posting list.  The level is the axis on which one
 * classification dominates a table (the 95 % 極秘 case) and is exact.
 *
 * When the index is offered.  Under hide_statistics (statistics_hiding.c) the
 * planner estimates every condition on the label column of a reader who
 * cannot read every label with PostgreSQL's defaults — a third of the rows
 * for a range — so it would cost the index the same for a person who sees 1 %
 * and one who sees 99 %, and pick it for both.  So the support function
 * decides itself, from the column's pg_statistic row (most common values and
 * histogram) read directly: it offers the condition only when at most a third
 * of the rows are estimated READABLE by the planning role — each sampled label
 * put through the role's own decision — i.e. when the default the planner will
 * cost it with is no lower than the truth; a column never analysed gets the
 * condition, as any indexable qual would.  The rule is the readable fraction,
 * not the fraction at or below the bound, on purpose: the readable fraction is
 * what the reader can count for themselves (count(*) against the table's size,
 * which plain EXPLAIN shows), so the plan's shape tells them nothing new.  The
 * fraction at or below their level would tell them whether the rows hidden from
 * them lie above their level or at it behind a compartment
 * (test/pgtap/attack23_index_plan_oracle.sql); the price is a slower plan for a
 * reader who sees few rows of many at their own level.  The bound is computed
 * while planning only to choose a plan; the plan itself carries the call, and
 * a plan made for one role and run by another (or after a grant) is at worst
 * slower, never wrong.  No estimate the planner prints comes from the hidden
 * statistics.
 *
 * Safety.  Only tmac's own functions (by OID, extension.c) are answered, on a
 * plain column (not an expression index) of a btree index of tmac's operator
 * family, whose operators are tmac's LEAKPROOF C comparisons; nothing the
 * table's owner wrote runs.  EXPLAIN shows the function call, never a value.
 * The bound is a sort key, not a label to print: its ids name no vocabulary
 * entry, so tmac.readable_upper_bound()::text fails like any label with an
 * undefined id (tmac.label_rank() of it is the reader's own level).
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"

#include "extension.h"
#include "decision.h"
#include "label.h"
#include "profile_cache.h"

/*
 * The index condition is offered when at most this fraction of the rows is
 * estimated readable: the planner then costs it with its default estimate for
 * a range (DEFAULT_INEQ_SEL, a third).
 */
#define TMAC_INDEX_MAX_FRACTION DEFAULT_INEQ_SEL

/*
 * The greatest label a role's profile may read on the level axis: (rank,
 * {INT32_MAX}, {INT32_MAX}), or the least label when a prerequisite fails.
 */
static TmacLabel *
upper_bound_for(Oid roleid)
{
	TmacProfile *p = tmac_profile_for(roleid);
	static const int32 top = PG_INT32_MAX;

	if (!p->active || !p->pledge_ok || !p->training_ok)
		return tmac_label_make(PG_INT16_MIN, NULL, 0, NULL, 0);
	return tmac_label_make((int16) Max(Min(p->clearance_rank, PG_INT16_MAX), PG_INT16_MIN),
						   &top, 1, &top, 1);
}

/*
 * readable_upper_bound() for the acting role; with an argument (added by the
 * support function for a view's owner), for that role.
 */
PG_FUNCTION_INFO_V1(tmac_readable_upper_bound);
Datum
tmac_readable_upper_bound(PG_FUNCTION_ARGS)
{
	PG_RETURN_TMAC_LABEL(upper_bound_for(PG_NARGS() < 1 ? GetUserId() : PG_GETARG_OID(0)));
}

/* A statistics slot of the kind, holding labels (freed when it does not). */
static bool
label_slot(AttStatsSlot *sslot, HeapTuple tup, int kind, int flags, Oid label_type)
{
	if (!get_attstatsslot(sslot, tup, kind, InvalidOid, flags))
		return false;
	if (sslot->valuetype == label_type)
		return true;
	free_attstatsslot(sslot);
	return false;
}

/*
 * The estimated fraction of the column's rows that profile p may read (or
 * write, with mode), from its pg_statistic row (most common values and
 * histogram), read here directly: the answer only decides whether the index
 * condition is offered, and it estimates what the reader can count anyway
 * (see the header).  -1 when the column has no statistics.
 */
static double
fraction_readable(PlannerInfo *root, IndexOptInfo *index, AttrNumber attnum, const TmacProfile *p,
				  TmacMode mode, Oid label_type)
{
	RangeTblEntry *rte = planner_rt_fetch(index->rel->relid, root);
	HeapTuple	tup;
	AttStatsSlot sslot;
	double		nullfrac,
				mcvfrac = 0,
				readable = 0,
				rest;
	int			i,
				readable_bounds = 0;

	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(rte->relid), Int16GetDatum(attnum),
						  BoolGetDatum(false));
	if (!HeapTupleIsValid(tup))
		return -1;
	nullfrac = ((Form_pg_statistic) GETSTRUCT(tup))->stanullfrac;
	if (label_slot(&sslot, tup, STATISTIC_KIND_MCV, ATTSTATSSLOT_VALUES | ATTSTATSSLOT_NUMBERS,
				   label_type))
	{
		for (i = 0; i < sslot.nvalues && i < sslot.nnumbers; i++)
		{
			mcvfrac += sslot.numbers[i];
			if (tmac_decide(p, DatumGetTmacLabel(sslot.values[i]), mode, NULL, NULL, NULL))
				readable += sslot.numbers[i];
		}
		free_attstatsslot(&sslot);
	}
	rest = Max(0.0, 1.0 - nullfrac - mcvfrac);
	if (label_slot(&sslot, tup, STATISTIC_KIND_HISTOGRAM, ATTSTATSSLOT_VALUES, label_type))
	{
		for (i = 0; i < sslot.nvalues; i++)
			if (tmac_decide(p, DatumGetTmacLabel(sslot.values[i]), mode, NULL, NULL, NULL))
				readable_bounds++;
		if (sslot.nvalues > 0)
			rest *= (double) readable_bounds / sslot.nvalues;
		free_attstatsslot(&sslot);
	}
	ReleaseSysCache(tup);
	return readable + rest;
}

/* tmac's btree operator family for labels, or InvalidOid. */
static Oid
label_btree_family(Oid namespace_oid)
{
	return GetSysCacheOid3(OPFAMILYAMNAMENSP, Anum_pg_opfamily_oid,
						   ObjectIdGetDatum(BTREE_AM_OID),
						   CStringGetDatum("label_btree_ops"),
						   ObjectIdGetDatum(namespace_oid));
}

/* tmac.readable_upper_bound(), or InvalidOid. */
static Oid
bound_function(Oid namespace_oid)
{
	oidvector  *noargs = buildoidvector(NULL, 0);

	return GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
						   CStringGetDatum("readable_upper_bound"),
						   PointerGetDatum(noargs),
						   ObjectIdGetDatum(namespace_oid));
}

/*
 * The index condition for tmac.row_readable(label [, owner]) or
 * tmac.row_writable(...) on a btree index of tmac's label family: label <=
 * readable_upper_bound([owner]), lossy.  NIL when it does not apply.
 */
static List *
policy_index_condition(SupportRequestIndexCondition *req)
{
	const TmacExtension *ext = tmac_extension();
	FuncExpr   *call;
	Oid			le,
				boundfn;
	List	   *boundargs = NIL;
	Oid			role = GetUserId();
	Expr	   *bound;
	OpExpr	   *cond;

	if (!ext->installed || !OidIsValid(ext->label_type) || !IsA(req->node, FuncExpr))
		return NIL;
	call = (FuncExpr *) req->node;
	if (call->funcid != ext->row_readable && call->funcid != ext->row_writable)
		return NIL;
	if (req->indexarg != 0 || list_length(call->args) < 1 || list_length(call->args) > 2)
		return NIL;
	if (req->index->relam != BTREE_AM_OID || req->index->indexkeys[req->indexcol] == 0 ||
		req->opfamily != label_btree_family(ext->namespace_oid) ||
		exprType(linitial(call->args)) != ext->label_type)
		return NIL;
	le = get_opfamily_member(req->opfamily, ext->label_type, ext->label_type,
							 BTLessEqualStrategyNumber);
	boundfn = bound_function(ext->namespace_oid);
	if (!OidIsValid(le) || !OidIsValid(boundfn))
		return NIL;
	/* a view owner's OID, added by view_owner.c: a Const, never a user's expression */
	if (list_length(call->args) == 2)
	{
		Node	   *owner = lsecond(call->args);

		if (!IsA(owner, Const) || exprType(owner) != OIDOID || ((Const *) owner)->constisnull)
			return NIL;
		boundargs = list_make1(copyObject(owner));
		role = DatumGetObjectId(((Const *) owner)->constvalue);
	}
	/* offered only where it pays, for the role planning (see the header) */
	if (fraction_readable(req->root, req->index, req->index->indexkeys[req->indexcol],
						  tmac_profile_for(role),
						  call->funcid == ext->row_readable ? TMAC_READ : TMAC_WRITE,
						  ext->label_type) > TMAC_INDEX_MAX_FRACTION)
		return NIL;
	bound = (Expr *) makeFuncExpr(boundfn, ext->label_type, boundargs,
								  InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	cond = (OpExpr *) make_opclause(le, BOOLOID, false,
									(Expr *) copyObject(linitial(call->args)), bound,
									InvalidOid, InvalidOid);
	cond->opfuncid = get_opcode(le);
	req->lossy = true;
	return list_make1(cond);
}

PG_FUNCTION_INFO_V1(tmac_policy_index_support);
Datum
tmac_policy_index_support(PG_FUNCTION_ARGS)
{
	Node	   *req = (Node *) PG_GETARG_POINTER(0);
	List	   *conds = NIL;

	if (IsA(req, SupportRequestIndexCondition))
		conds = policy_index_condition((SupportRequestIndexCondition *) req);
	PG_RETURN_POINTER(conds);
}
