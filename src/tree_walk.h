/*
 * tree_walk.h — walks of query and plan trees that several hooks share
 * (tree_walk.c): every Query of a tree with its range table entries, an
 * expression containing a node, the WITH CHECK option of a plan that
 * evaluates an expression, and tmac's two policy functions.
 */
#ifndef TMAC_TREE_WALK_H
#define TMAC_TREE_WALK_H

#include "postgres.h"

#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"

/* Called for a Query or a range table entry; true stops the walk. */
typedef bool (*TmacQueryVisitor) (Query *query, void *arg);
typedef bool (*TmacRteVisitor) (RangeTblEntry *rte, void *arg);

/*
 * Visits every Query of `node` (the top one, sub-selects, CTEs, subqueries
 * in FROM), each before its contents, and, when `rte` is given, every range
 * table entry before its contents.  Either visitor may be NULL.
 */
extern bool tmac_walk_queries(Node *node, TmacQueryVisitor query, TmacRteVisitor rte, void *arg);

/*
 * Calls `visit` with the quals row security added to a query tree, and the
 * range table entry they judge: the WITH CHECK options of every query's
 * result relation (its write policies; not a view's CHECK OPTION) and, when
 * `with_security_quals`, every relation's security quals (its read policies).
 */
typedef void (*TmacQualsVisitor) (Node *quals, RangeTblEntry *rte, void *arg);
extern void tmac_walk_policy_quals(Query *parse, bool with_security_quals, TmacQualsVisitor visit, void *arg);

/* Is `target` (compared by address) in the expression tree `node`? */
extern bool tmac_node_contains(Node *node, Node *target);

/*
 * The WITH CHECK option of a ModifyTable `plan` whose qual evaluates `expr`
 * (by address); NULL for another plan node or when none does.
 */
extern WithCheckOption *tmac_plan_check_option_with(Plan *plan, Node *expr);

/* tmac's row_readable and row_writable in this database (extension.c). */
typedef struct TmacPolicyCalls
{
	Oid			readable;
	Oid			writable;
} TmacPolicyCalls;

/* Fills `calls`; false where tmac is not installed or has neither function yet. */
extern bool tmac_policy_functions(TmacPolicyCalls *calls);

/*
 * Calls `visit` with every call of row_readable or row_writable in the
 * expression `quals`; a sub-select's own quals are never entered, nor, unless
 * `into_sublinks`, the expression a sub-select is compared with.
 */
typedef void (*TmacCallVisitor) (FuncExpr *call, void *arg);
extern void tmac_walk_policy_calls(Node *quals, const TmacPolicyCalls *calls, bool into_sublinks,
								   TmacCallVisitor visit, void *arg);

#endif							/* TMAC_TREE_WALK_H */
