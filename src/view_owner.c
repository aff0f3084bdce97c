/*
 * view_owner.c — a view without security_invoker decides as its owner.
 *
 * PostgreSQL reads the tables under such a view with the privileges of the
 * view's owner, but the row-security quals the rewriter adds run with the
 * invoker as GetUserId().  Before planning (the planner hook in tmac.c), every
 * call of tmac's own row_readable/row_writable in the security quals (and
 * row-security WITH CHECK options) of a range table entry with a checkAsUser
 * gets a second argument: that user's OID, which policy.c then decides for.
 * Only the rewriter's own quals are touched, so the extra argument cannot be
 * supplied from SQL (there is no two-argument signature to call).
 *
 * A set-returning SQL function in FROM is inlined by the planner itself
 * (inline_set_returning_function): its body is parsed and rewritten there,
 * after the planner hook ran, so the views inside it are expanded — with
 * their owners as checkAsUser and the policies' quals — too late for the
 * walk above.  The get_relation_info hook (tmac.c), which the planner calls
 * for every base relation before it turns security quals into restrictions,
 * retargets each relation's own quals once more (appending the OID only to a
 * call that has none yet), so an inlined function decides as the same
 * function run on its own: the view's owner (test/pgtap/planner_view_function.sql).
 *
 * The functions are tmac's by OID (extension.c): nothing happens in a
 * database without tmac, and a user's own function of the same name in some
 * schema called tmac is never rewritten or even looked up.
 *
 * tmac_plan_roles() names the roles a planned statement decides for (the
 * current user and every view owner), for whoever must know them after
 * planning: the access a cursor keeps, what a parallel plan may have read.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"

#include "extension.h"
#include "tree_walk.h"
#include "view_owner.h"

typedef struct RetargetContext
{
	TmacPolicyCalls calls;
	Oid			user;			/* the checkAsUser to decide for */
} RetargetContext;

/* Append the user's OID to a one-argument row_readable/row_writable call. */
static void
retarget_call(FuncExpr *f, void *arg)
{
	RetargetContext *cxt = (RetargetContext *) arg;

	if (list_length(f->args) == 1)
		f->args = lappend(list_copy(f->args),
						  makeConst(OIDOID, -1, InvalidOid, sizeof(Oid),
									ObjectIdGetDatum(cxt->user), false, true));
}

static void
retarget(Node *quals, Oid user, RetargetContext *cxt)
{
	if (quals == NULL || !OidIsValid(user))
		return;
	cxt->user = user;
	tmac_walk_policy_calls(quals, &cxt->calls, true, retarget_call, cxt);
}

/* A policy's quals judging a relation read or written with a checkAsUser (tmac_walk_policy_quals). */
static void
retarget_quals(Node *quals, RangeTblEntry *rte, void *arg)
{
	retarget(quals, rte->checkAsUser, (RetargetContext *) arg);
}

void
tmac_view_owner_retarget(Query *parse)
{
	RetargetContext cxt;

	if (tmac_policy_functions(&cxt.calls))
		tmac_walk_policy_quals(parse, true, retarget_quals, &cxt);
}

void
tmac_view_owner_retarget_rte(RangeTblEntry *rte)
{
	RetargetContext cxt;

	if (rte->rtekind == RTE_RELATION && rte->securityQuals != NIL &&
		OidIsValid(rte->checkAsUser) && tmac_policy_functions(&cxt.calls))
		retarget((Node *) rte->securityQuals, rte->checkAsUser, &cxt);
}

/*
 * The roles a plan decides for: the current user, and each view owner its
 * relations are read as (checkAsUser).  For cursor_access.c (whose access a
 * cursor keeps) and information_flow.c (what a parallel plan may have read).
 */
List *
tmac_plan_roles(PlannedStmt *stmt)
{
	List	   *roles = list_make1_oid(GetUserId());
	ListCell   *lc;

	foreach(lc, stmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && OidIsValid(rte->checkAsUser))
			roles = list_append_unique_oid(roles, rte->checkAsUser);
	}
	return roles;
}
