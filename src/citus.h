/*
 * citus.h — tmac on a Citus cluster: no protected row on a shard (citus.c).
 */
#ifndef TMAC_CITUS_H
#define TMAC_CITUS_H

#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"

/* needs_fmgr_hook: Citus's functions that make a table Citus-managed */
extern bool tmac_citus_needs_fmgr_hook(Oid fn_oid);

/* fmgr_hook step: after such a function, no protected table may be Citus-managed */
extern void tmac_citus_fmgr_hook(FmgrHookEventType event, FmgrInfo *flinfo);

/* around a utility statement: the same comparison, where Citus is installed */
extern List **tmac_citus_utility_begin(Node *stmt);
extern void tmac_citus_utility_end(List **before);

/* transaction end: forgets the distributing calls in progress */
extern void tmac_citus_xact_callback(XactEvent event, void *arg);

/* planner: refuses a relation carrying tmac's restrictive policies as permissive ones */
extern void tmac_citus_check_query(Query *parse);

#endif							/* TMAC_CITUS_H */
