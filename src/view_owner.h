/*
 * view_owner.h — views without security_invoker decide as their owner.
 */
#ifndef TMAC_VIEW_OWNER_H
#define TMAC_VIEW_OWNER_H

#include "postgres.h"

#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"

/* Called by tmac's planner hook before planning (tmac.c). */
extern void tmac_view_owner_retarget(Query *parse);

/*
 * The same for one base relation the planner is about to build (tmac's
 * get_relation_info hook): reaches the views of inlined SQL functions.
 */
extern void tmac_view_owner_retarget_rte(RangeTblEntry *rte);

/* The roles a plan decides for: the current user and each checkAsUser. */
extern List *tmac_plan_roles(PlannedStmt *stmt);

#endif							/* TMAC_VIEW_OWNER_H */
