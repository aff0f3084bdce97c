/*
 * parallel_handoff.c — parallel workers decide exactly as their leader.
 *
 * A parallel worker may not take a new snapshot, so it cannot fetch an access
 * profile the way the leader does (the latest committed state), and a fetch
 * with the statement's snapshot could be older than the leader's.  Before a
 * plan that may run in parallel starts, the leader fetches the profile of
 * every role the plan decides for — the current user and each checkAsUser
 * (view owners, see view_owner.c) — and hands them over (profile_cache.c,
 * rule 5).  Plans that are not parallel pay nothing.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"

#include "extension.h"
#include "parallel_handoff.h"
#include "profile_cache.h"

static bool in_handoff = false;

void
tmac_parallel_handoff(PlannedStmt *stmt, int eflags)
{
	List	   *volatile roles;
	ListCell   *lc;

	if (!stmt->parallelModeNeeded || (eflags & EXEC_FLAG_EXPLAIN_ONLY) ||
		in_handoff || IsInParallelMode() || !tmac_extension()->installed)
		return;
	roles = list_make1_oid(GetUserId());
	foreach(lc, stmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && OidIsValid(rte->checkAsUser))
			roles = list_append_unique_oid((List *) roles, rte->checkAsUser);
	}
	in_handoff = true;
	PG_TRY();
	{
		tmac_profiles_for_workers((List *) roles);
	}
	PG_FINALLY();
	{
		in_handoff = false;
	}
	PG_END_TRY();
	list_free((List *) roles);
}
