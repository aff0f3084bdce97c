/*
 * tmac.c — module entry point: every hook, installed and chained here.
 *
 * _PG_init refuses to run unless the postmaster is preloading tmac
 * (shared_preload_libraries; require_preloaded below), defines tmac's
 * internal settings, then installs, in this order:
 * the transaction callback that closes the audit chain at commit
 * (audit_chain.c; registered first, PostgreSQL calls it after the others);
 * the security label provider (seclabel.c); the restore window and the
 * vocabulary copy's label provider (restore.c, vocabulary_copy.c); the caches' invalidation
 * callbacks (extension.c, vocabulary.c, profile_cache.c); the transaction
 * callbacks that end a terminated person's sessions after commit
 * (session_end.c) and clear the HR feed's flag (hr_feed_flag.c); the planner
 * hook that makes views decide as their owner (view_owner.c) and marks the
 * policy sites of protected tables for the access statistics (access_stats.c);
 * the get_relation_info hook that does both for views the planner expands
 * itself (inlined SQL functions) and, with the relation and index statistics
 * hooks, gives default estimates to those who may not read every row of a
 * protected table (statistics_hiding.c); and the
 * executor-start hook that hands the leader's access profiles to parallel
 * workers (parallel_handoff.c); the executor-start, executor-end and
 * process-utility hooks that record handling events — COPY … TO, copies into
 * unprotected tables, deletions of protected rows — in the handling ledger
 * (handling_events.c); the same hooks keep the transaction's high-water mark
 * of what it read and record every copy and large-object write after it
 * (information_flow.c: start forgets stale policy sites, run and finish name
 * the running plan, end and the utility hook record); and the access
 * statistics (access_stats.c): their shared memory (shmem_request /
 * shmem_startup hooks), their transaction callbacks (a snapshot's marks at
 * commit) and their executor
 * hooks — start gives each executor its counters, run and finish make them
 * current, end adds them to shared memory; and the login gate (login_gate.c):
 * its shared memory, the ClientAuthentication_hook that refuses terminated
 * persons, and an object_access_hook that forgets a database's gate when tmac
 * or the database is dropped; the utility hook also serves a restore (restore.c:
 * it notes a restore's COPY into tmac's tables, so that a data-only pass ends
 * the restore window, and skips a restore's DISABLE TRIGGER on them) and counts DDL as a
 * governance change, and the shared-memory hooks also serve the profiles
 * shared between backends (shared_profiles.c); the executor-start hook also
 * keeps a cursor's profiles as they were when it was opened, and the
 * executor hooks pin them while the cursor's own executor runs and unpin
 * them for any other (cursor_access.c).  Each hook calls the one installed
 * before it.
 * Every hook first asks extension.c whether tmac is installed in the current
 * database and does nothing where it is not.
 *
 * tmac.cache_invalidate() is the statement trigger of every governance
 * table: it queues one relcache invalidation of the sentinel relation, which
 * every backend's caches listen for (profile_cache.c explains why that is
 * enough), and notes who changed governance data in this transaction (for
 * rule 6 of profile_cache.c, and so that shared_profiles.c bumps its
 * generation when the transaction commits).
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "catalog/objectaccess.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "storage/ipc.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "storage/ipc.h"
#include "utils/inval.h"

#include "access_stats.h"
#include "audit_chain.h"
#include "cursor_access.h"
#include "extension.h"
#include "handling_events.h"
#include "information_flow.h"
#include "login_gate.h"
#include "own_act.h"
#include "parallel_handoff.h"
#include "profile_cache.h"
#include "restore.h"
#include "session_end.h"
#include "shared_profiles.h"
#include "statistics_hiding.h"
#include "view_owner.h"
#include "vocabulary.h"
#include "vocabulary_copy.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
extern void tmac_seclabel_init(void);
extern void tmac_vocabulary_needed_init(void);
extern void tmac_hr_feed_flag_init(void);

/*
 * Settings tmac's SQL uses internally.  They are superuser-only (PGC_SUSET):
 * the audit log keeps its transaction's base and running end in
 * tmac.audit_state (audit_chain.c) and marks its own
 * writes with tmac.audit_writing, and tmac.restore turns on restore mode; a
 * user able to set any of them could fork the audit chain or replay rows.
 */
static char *tmac_audit_state = NULL;
static char *tmac_audit_writing = NULL;
static char *tmac_restore = NULL;

static void
define_internal_settings(void)
{
	DefineCustomStringVariable("tmac.audit_state",
							   "Running end of the audit chain in this transaction (internal).",
							   NULL, &tmac_audit_state, "", PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_NO_RESET_ALL |
							   GUC_DISALLOW_IN_FILE, NULL, NULL, NULL);
	DefineCustomStringVariable("tmac.audit_writing",
							   "Set while tmac itself appends to the audit log (internal).",
							   NULL, &tmac_audit_writing, "", PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_NO_RESET_ALL |
							   GUC_DISALLOW_IN_FILE, NULL, NULL, NULL);
	DefineCustomStringVariable("tmac.restore",
							   "Restore mode: tmac's triggers load restored rows as history (superusers only).",
							   NULL, &tmac_restore, "", PGC_SUSET,
							   GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
}

static planner_hook_type prev_planner_hook = NULL;
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;
static get_relation_stats_hook_type prev_get_relation_stats_hook = NULL;
static get_index_stats_hook_type prev_get_index_stats_hook = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static ClientAuthentication_hook_type prev_ClientAuthentication = NULL;
static object_access_hook_type prev_object_access_hook = NULL;

/* Shared memory: each module asks for its part and attaches to it. */
static void
tmac_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	tmac_shared_profiles_shmem_request();
	tmac_access_stats_shmem_request();
	tmac_login_gate_shmem_request();
}

static void
tmac_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	tmac_shared_profiles_shmem_startup();
	tmac_access_stats_shmem_startup();
	tmac_login_gate_shmem_startup();
}

static void
tmac_client_authentication(Port *port, int status)
{
	if (prev_ClientAuthentication)
		prev_ClientAuthentication(port, status);
	tmac_login_gate_client_auth(port, status);
}

static void
tmac_object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);
	tmac_login_gate_object_access(access, classId, objectId);
}

static PlannedStmt *
tmac_planner(Query *parse, const char *query_string, int cursorOptions, ParamListInfo boundParams)
{
	tmac_view_owner_retarget(parse);
	tmac_access_stats_mark_sites(parse);
	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/*
 * Every base relation the planner builds: the view-owner decision for
 * relations of views expanded while planning (inlined SQL functions), the
 * access statistics' marks of their policy sites, and no
 * extended statistics where statistics are hidden.
 */
static void
tmac_get_relation_info(PlannerInfo *root, Oid relationObjectId, bool inhparent, RelOptInfo *rel)
{
	RangeTblEntry *rte = root->simple_rte_array[rel->relid];

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relationObjectId, inhparent, rel);
	tmac_view_owner_retarget_rte(rte);
	tmac_access_stats_mark_relation(root, rel);	/* after: it marks the retargeted calls */
	if (rel->statlist != NIL && tmac_statistics_hidden(relationObjectId, rte->checkAsUser))
		rel->statlist = NIL;
}

static bool
tmac_get_relation_stats(PlannerInfo *root, RangeTblEntry *rte, AttrNumber attnum,
						VariableStatData *vardata)
{
	if (rte->rtekind == RTE_RELATION && tmac_statistics_hidden(rte->relid, rte->checkAsUser))
		return tmac_statistics_withhold(vardata);
	if (prev_get_relation_stats_hook)
		return prev_get_relation_stats_hook(root, rte, attnum, vardata);
	return false;
}

static bool
tmac_get_index_stats(PlannerInfo *root, Oid indexOid, AttrNumber indexattnum,
					 VariableStatData *vardata)
{
	if (tmac_statistics_hidden_index(root, indexOid))
		return tmac_statistics_withhold(vardata);
	if (prev_get_index_stats_hook)
		return prev_get_index_stats_hook(root, indexOid, indexattnum, vardata);
	return false;
}

static void
tmac_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	CursorAccess *pinned = tmac_cursor_enter(queryDesc, false, false);

	/*
	 * Rule 1 of profile_cache.c: a statement takes in the invalidations
	 * committed before it, also when its transaction already holds every
	 * lock it needs (an open cursor on the same table, say), which spares it
	 * the lock manager's own catch-up.
	 */
	AcceptInvalidationMessages();
	PG_TRY();
	{
		tmac_parallel_handoff(queryDesc->plannedstmt, eflags);
		if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY))
			tmac_handling_executor_start(queryDesc);
		tmac_flow_executor_start(queryDesc);
		if (prev_ExecutorStart)
			prev_ExecutorStart(queryDesc, eflags);
		else
			standard_ExecutorStart(queryDesc, eflags);
		tmac_access_stats_begin(queryDesc, eflags);
		if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY))
			tmac_cursor_start(queryDesc);
	}
	PG_FINALLY();
	{
		tmac_cursor_leave(pinned);
	}
	PG_END_TRY();
}

static void
tmac_ExecutorRun(QueryDesc *queryDesc, ScanDirection direction, uint64 count, bool execute_once)
{
	CursorAccess *pinned = tmac_cursor_enter(queryDesc, true, count != 0);
	TmacStatsAcc *saved = tmac_access_stats_enter(queryDesc);
	void	   *flow = tmac_flow_enter(queryDesc);

	PG_TRY();
	{
		if (prev_ExecutorRun)
			prev_ExecutorRun(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		tmac_access_stats_leave(saved);
		tmac_flow_leave(flow);
		tmac_cursor_leave(pinned);
	}
	PG_END_TRY();
}

static void
tmac_ExecutorFinish(QueryDesc *queryDesc)
{
	CursorAccess *pinned = tmac_cursor_enter(queryDesc, false, false);
	TmacStatsAcc *saved = tmac_access_stats_enter(queryDesc);
	void	   *flow = tmac_flow_enter(queryDesc);

	PG_TRY();
	{
		if (prev_ExecutorFinish)
			prev_ExecutorFinish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
	}
	PG_FINALLY();
	{
		tmac_access_stats_leave(saved);
		tmac_flow_leave(flow);
		tmac_cursor_leave(pinned);
	}
	PG_END_TRY();
}

static void
tmac_ExecutorEnd(QueryDesc *queryDesc)
{
	CursorAccess *pinned = tmac_cursor_enter(queryDesc, false, false);

	PG_TRY();
	{
		tmac_access_stats_end(queryDesc);
		tmac_handling_executor_end(queryDesc);
		tmac_flow_executor_end(queryDesc);
		if (prev_ExecutorEnd)
			prev_ExecutorEnd(queryDesc);
		else
			standard_ExecutorEnd(queryDesc);
	}
	PG_FINALLY();
	{
		tmac_cursor_leave(pinned);
	}
	PG_END_TRY();
}

static void
tmac_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					ProcessUtilityContext context, ParamListInfo params,
					QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	void	   *handling;
	bool		ddl;

	if (tmac_restore_utility_skip(pstmt, context))
		return;
	handling = tmac_handling_utility_begin(pstmt);
	ddl = tmac_shared_profiles_utility_begin(pstmt->utilityStmt);

	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
									queryEnv, dest, qc);
	}
	PG_CATCH();
	{
		if (ddl)
			tmac_shared_profiles_utility_end();
		tmac_handling_utility_abort(handling);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (ddl)
		tmac_shared_profiles_utility_end();
	tmac_handling_utility_end(pstmt, handling, qc);
	tmac_flow_utility_end(pstmt, qc);
	tmac_restore_utility_end(pstmt, context);
}

/*
 * tmac runs only preloaded, as pgaudit and sepgsql do: its shared memory (the
 * login gate, shared profiles, access statistics) exists only when the
 * postmaster loads it, and its fmgr hook must see every SECURITY DEFINER
 * function of a session from the start.  Loaded any other way (LOAD, a C
 * function's first call, session_preload_libraries) it refuses before it
 * changes anything, so no code path exists for a half-loaded tmac and every
 * later use in the session raises the same error.
 */
static void
require_preloaded(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tmac must be loaded via shared_preload_libraries"),
				 errdetail("tmac keeps its login gate and access statistics in shared memory and must watch every function call of a session from its start."),
				 errhint("Add the line shared_preload_libraries = 'tmac' to postgresql.conf (keeping any libraries already listed there) and restart the server.")));
}

void
_PG_init(void)
{
	require_preloaded();
	define_internal_settings();
	tmac_audit_chain_init();	/* first: its pre-commit step runs after every other one */
	tmac_seclabel_init();
	tmac_vocabulary_needed_init();
	tmac_restore_init();
	tmac_vocabulary_copy_init();
	tmac_extension_init();
	tmac_vocabulary_init();
	tmac_profile_cache_init();
	tmac_parallel_handoff_init();
	tmac_shared_profiles_init();
	tmac_session_end_init();
	tmac_hr_feed_flag_init();
	tmac_own_act_init();
	tmac_handling_events_init();
	tmac_flow_init();
	tmac_access_stats_init();
	tmac_login_gate_init();
	MarkGUCPrefixReserved("tmac");

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = tmac_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = tmac_shmem_startup;

	prev_planner_hook = planner_hook;
	planner_hook = tmac_planner;
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = tmac_get_relation_info;
	prev_get_relation_stats_hook = get_relation_stats_hook;
	get_relation_stats_hook = tmac_get_relation_stats;
	prev_get_index_stats_hook = get_index_stats_hook;
	get_index_stats_hook = tmac_get_index_stats;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = tmac_ExecutorStart;
	prev_ExecutorRun = ExecutorRun_hook;
	ExecutorRun_hook = tmac_ExecutorRun;
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = tmac_ExecutorFinish;
	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = tmac_ExecutorEnd;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = tmac_ProcessUtility;
	prev_ClientAuthentication = ClientAuthentication_hook;
	ClientAuthentication_hook = tmac_client_authentication;
	prev_object_access_hook = object_access_hook;
	object_access_hook = tmac_object_access;
}

PG_FUNCTION_INFO_V1(tmac_cache_invalidate);
Datum
tmac_cache_invalidate(PG_FUNCTION_ARGS)
{
	const TmacExtension *ext;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.cache_invalidate() must be called as a trigger")));
	ext = tmac_extension_required();
	tmac_note_governance_change();
	tmac_shared_profiles_note_change();
	if (OidIsValid(ext->sentinel))
		CacheInvalidateRelcacheByRelid(ext->sentinel);
	else
		CacheInvalidateRelcacheAll();	/* only while the sentinel is being installed */
	return PointerGetDatum(NULL);
}
