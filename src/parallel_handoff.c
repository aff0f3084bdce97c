/*
 * parallel_handoff.c — parallel workers decide exactly as their leader.
 *
 * A parallel worker may not take a new snapshot, so it cannot fetch an access
 * profile the way the leader does (the latest committed state), and a fetch
 * with the statement's snapshot could be older than the leader's.  Before a
 * plan that may run in parallel starts, the leader fetches the profile of
 * every role the plan decides for — the current user and each checkAsUser
 * (view owners, see view_owner.c) — and hands them over (profile_cache.c,
 * rule 5) in tmac.parallel_profiles, a superuser-only setting that parallel
 * workers inherit, in the text form of profile.c, prefixed with the
 * statement's start time and the leader's rule-6 answer.  A worker trusts it
 * only inside a parallel worker and only for the statement it names, and
 * puts the profiles in its cache as its executor starts, before anything in
 * it can ask for one.  Plans that are not parallel pay nothing.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/parallel.h"
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "extension.h"
#include "parallel_handoff.h"
#include "profile_cache.h"

static bool in_handoff = false;

/* Profiles handed to parallel workers. */
static char *ParallelProfiles = NULL;
static bool ParallelProfilesLoaded = false;

void
tmac_parallel_handoff_init(void)
{
	DefineCustomStringVariable("tmac.parallel_profiles",
							   "Access profiles a leader hands to its parallel workers (internal).",
							   NULL, &ParallelProfiles, "", PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_NO_RESET_ALL |
							   GUC_DISALLOW_IN_FILE,
							   NULL, NULL, NULL);
}

/* The leader: this statement's profiles into tmac.parallel_profiles. */
static void
profiles_for_workers(List *roles)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, INT64_FORMAT " %d", (int64) GetCurrentStatementStartTimestamp(),
					 tmac_committed_state_only() ? 1 : 0);
	foreach(lc, roles)
		tmac_profile_out(&buf, tmac_profile_lookup(lfirst_oid(lc)));
	(void) set_config_option("tmac.parallel_profiles", buf.data, PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	pfree(buf.data);
}

static void
parse_failed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("tmac: a parallel worker received malformed access profiles")));
}

/* A parallel worker: fill the cache from the leader's profiles, once. */
static void
load_leader_profiles(void)
{
	char	   *s = ParallelProfiles;
	char	   *end;
	int64		stmt;
	MemoryContext cxt,
				old;

	ParallelProfilesLoaded = true;
	if (s == NULL || *s == '\0')
		return;
	stmt = strtoll(s, &end, 10);
	if (end == s || stmt != (int64) GetCurrentStatementStartTimestamp())
		return;					/* not this statement's */
	s = end;
	if (s[0] != ' ' || (s[1] != '0' && s[1] != '1'))
		parse_failed();
	tmac_profile_cache_leader_committed(s[1] == '1');
	s += 2;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "tmac parallel profiles", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	while (*s == ';')
	{
		TmacProfile tmp;

		memset(&tmp, 0, sizeof(tmp));
		if (!tmac_profile_in(&s, &tmp, cxt))
			parse_failed();
		tmac_profile_cache_adopt(&tmp);
	}
	if (*s != '\0')
		parse_failed();
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

void
tmac_parallel_handoff(PlannedStmt *stmt, int eflags)
{
	List	   *volatile roles;
	ListCell   *lc;

	if (IsParallelWorker())
	{
		if (!ParallelProfilesLoaded)
			load_leader_profiles();
		return;
	}
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
		profiles_for_workers((List *) roles);
	}
	PG_FINALLY();
	{
		in_handoff = false;
	}
	PG_END_TRY();
	list_free((List *) roles);
}
