/*
 * tree_walk.c — walks of query and plan trees that several hooks share.
 *
 * The planner hooks that rewrite or inspect tmac's policy calls before
 * planning (view_owner.c retargets them to a view's owner, access_stats.c
 * marks the sites it counts) and citus.c's guard over the relations a query
 * reads all visit every Query of a tree and, some of them, every range table
 * entry: tmac_walk_queries is that one walk over PostgreSQL's
 * query_tree_walker and expression_tree_walker.  The executor-side callers
 * (access_stats.c, information_flow.c) ask whether a WITH CHECK option of the
 * running plan evaluates a given policy call: tmac_node_contains and
 * tmac_plan_check_option_with.  tmac_policy_functions names the two policy
 * functions by OID (extension.c) for the walks that look for their calls.
 *
 * Nothing here allocates, takes a lock or reads the catalogs; the visitors
 * decide what is done.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"

#include "extension.h"
#include "tree_walk.h"

typedef struct QueryWalk
{
	TmacQueryVisitor query;
	TmacRteVisitor rte;
	void	   *arg;
} QueryWalk;

static bool
query_walker(Node *node, QueryWalk *w)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
		return w->rte((RangeTblEntry *) node, w->arg);
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;

		if (w->query != NULL && w->query(q, w->arg))
			return true;
		return query_tree_walker(q, query_walker, (void *) w,
								 w->rte != NULL ? QTW_EXAMINE_RTES_BEFORE : 0);
	}
	return expression_tree_walker(node, query_walker, (void *) w);
}

bool
tmac_walk_queries(Node *node, TmacQueryVisitor query, TmacRteVisitor rte, void *arg)
{
	QueryWalk	w;

	w.query = query;
	w.rte = rte;
	w.arg = arg;
	return query_walker(node, &w);
}

typedef struct QualsWalk
{
	TmacQualsVisitor visit;
	void	   *arg;
} QualsWalk;

static bool
write_checks(Query *q, void *arg)
{
	QualsWalk  *w = (QualsWalk *) arg;
	RangeTblEntry *rte;
	ListCell   *lc;

	if (q->resultRelation <= 0 || q->withCheckOptions == NIL)
		return false;
	rte = rt_fetch(q->resultRelation, q->rtable);
	foreach(lc, q->withCheckOptions)
	{
		WithCheckOption *wco = lfirst_node(WithCheckOption, lc);

		if (wco->kind != WCO_VIEW_CHECK)
			w->visit(wco->qual, rte, w->arg);
	}
	return false;
}

static bool
security_quals(RangeTblEntry *rte, void *arg)
{
	QualsWalk  *w = (QualsWalk *) arg;

	if (rte->rtekind == RTE_RELATION && rte->securityQuals != NIL)
		w->visit((Node *) rte->securityQuals, rte, w->arg);
	return false;
}

void
tmac_walk_policy_quals(Query *parse, bool with_security_quals, TmacQualsVisitor visit, void *arg)
{
	QualsWalk	w;

	w.visit = visit;
	w.arg = arg;
	(void) tmac_walk_queries((Node *) parse, write_checks,
							 with_security_quals ? security_quals : NULL, &w);
}

static bool
contains_walker(Node *node, void *target)
{
	if (node == NULL)
		return false;
	if (node == (Node *) target)
		return true;
	return expression_tree_walker(node, contains_walker, target);
}

bool
tmac_node_contains(Node *node, Node *target)
{
	return contains_walker(node, (void *) target);
}

WithCheckOption *
tmac_plan_check_option_with(Plan *plan, Node *expr)
{
	ListCell   *l1;
	ListCell   *l2;

	if (plan == NULL || !IsA(plan, ModifyTable))
		return NULL;
	foreach(l1, ((ModifyTable *) plan)->withCheckOptionLists)
		foreach(l2, (List *) lfirst(l1))
		{
			WithCheckOption *wco = lfirst_node(WithCheckOption, l2);

			if (tmac_node_contains(wco->qual, expr))
				return wco;
		}
	return NULL;
}

bool
tmac_policy_functions(TmacPolicyCalls *calls)
{
	const TmacExtension *ext = tmac_extension();

	if (!ext->installed || (!OidIsValid(ext->row_readable) && !OidIsValid(ext->row_writable)))
		return false;
	calls->readable = ext->row_readable;
	calls->writable = ext->row_writable;
	return true;
}

typedef struct CallsWalk
{
	const TmacPolicyCalls *calls;
	bool		into_sublinks;
	TmacCallVisitor visit;
	void	   *arg;
} CallsWalk;

static bool
calls_walker(Node *node, CallsWalk *w)
{
	if (node == NULL || IsA(node, Query) || (IsA(node, SubLink) && !w->into_sublinks))
		return false;
	if (IsA(node, FuncExpr))
	{
		FuncExpr   *f = (FuncExpr *) node;

		if (f->funcid == w->calls->readable || f->funcid == w->calls->writable)
			w->visit(f, w->arg);
	}
	return expression_tree_walker(node, calls_walker, (void *) w);
}

void
tmac_walk_policy_calls(Node *quals, const TmacPolicyCalls *calls, bool into_sublinks,
					   TmacCallVisitor visit, void *arg)
{
	CallsWalk	w;

	w.calls = calls;
	w.into_sublinks = into_sublinks;
	w.visit = visit;
	w.arg = arg;
	(void) calls_walker(quals, &w);
}
