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
 * What the planner knows.  Whether the index pays is estimated from the
 * selectivity of the derived condition (scalarlesel): while estimating, the
 * planner may evaluate the STABLE bound for the planning role, which stays in
 * the planner.  Under hide_statistics (statistics_hiding.c) the estimate is
 * PostgreSQL's default for a range, so EXPLAIN shows nothing of the hidden
 * rows' labels; the plan shape then does not depend on them either.
 *
 * Safety.  Only tmac's own functions (by OID, extension.c) are answered, on a
 * plain column (not an expression index) of a btree index of tmac's operator
 * family, whose operators are tmac's LEAKPROOF C comparisons; nothing the
 * table's owner wrote runs.  EXPLAIN shows the function call, never a value.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "extension.h"
#include "label.h"
#include "profile_cache.h"

/*
 * The greatest label the acting role's profile may read on the level axis.
 * With an argument (added by the support function for a view's owner), for
 * that role.
 */
PG_FUNCTION_INFO_V1(tmac_readable_upper_bound);
Datum
tmac_readable_upper_bound(PG_FUNCTION_ARGS)
{
	TmacProfile *p = tmac_profile_for(PG_NARGS() < 1 ? GetUserId() : PG_GETARG_OID(0));
	static const int32 top = PG_INT32_MAX;
	TmacLabel  *bound;

	if (!p->active || !p->pledge_ok || !p->training_ok)
		PG_RETURN_TMAC_LABEL(tmac_label_make(PG_INT16_MIN, NULL, 0, NULL, 0));
	bound = tmac_label_make((int16) Max(Min(p->clearance_rank, PG_INT16_MAX), PG_INT16_MIN),
							&top, 1, &top, 1);
	PG_RETURN_TMAC_LABEL(bound);
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

		if (!IsA(owner, Const) || exprType(owner) != OIDOID)
			return NIL;
		boundargs = list_make1(copyObject(owner));
	}
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
