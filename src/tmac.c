/*
 * tmac.c — module entry point: the spine.  Every hook and every callback of
 * tmac is installed here, and nowhere else (test/scripts/spine_one_place.sh
 * checks it); the modules export steps and keep their logic.
 *
 * _PG_init refuses to run unless the postmaster is preloading tmac
 * (shared_preload_libraries; require_preloaded below), defines tmac's
 * internal settings and the modules' settings and label providers, then
 * installs:
 *
 * One transaction callback and one subtransaction callback (tmac_xact,
 * tmac_subxact), which call the modules' steps in the order written there,
 * with the reason for each place.  In short: the login gate first (its
 * pre-commit step gates roles before the commit record and reads governance
 * data; at commit it confirms the gate before terminated sessions are
 * signalled); then the steps that only forget backend-local state; then the
 * governance-change step (ends terminated sessions after commit); then the
 * shared profiles' step (its pre-commit step must see every governance change
 * of the transaction); then the backend profile cache's; and the audit
 * chain's last (its pre-commit step chains what every earlier step recorded).
 *
 * One relcache callback (tmac_relcache), dispatching to the restore window,
 * the extension's and registry's answers, the vocabulary and the access
 * profiles: PostgreSQL has 10 relcache callback slots per backend shared by
 * every extension (Citus alone takes 5), so tmac takes one.  Three syscache
 * registrations of one function (tmac_syscache), one per catalog cache
 * watched — PROCOID and NAMESPACEOID for extension.c, AUTHOID for the
 * profiles — since a syscache callback is registered per cache.
 *
 * The hooks, each chained to the one installed before it: shmem_request and
 * shmem_startup (the shared profiles, the access statistics, the login gate);
 * fmgr_hook (own_act.c: counts the SECURITY DEFINER functions in progress;
 * citus.c: refuses a protected table distributed by the Citus function that
 * just returned, which needs_fmgr_hook routes through fmgr_hook);
 * the planner hook that makes views decide as their owner (view_owner.c) and
 * marks the policy sites of protected tables for the access statistics
 * (access_stats.c); the get_relation_info hook that does both for views the
 * planner expands itself (inlined SQL functions) and, with the relation and
 * index statistics hooks, gives default estimates to those who may not read
 * every row of a protected table (statistics_hiding.c); the executor hooks —
 * start hands the leader's access profiles to parallel workers
 * (parallel_handoff.c), records handling events (handling_events.c), forgets
 * stale policy sites (information_flow.c), gives each executor its access
 * counters and keeps a cursor's profiles (cursor_access.c); run and finish
 * make the counters and the flow's plan current and pin a cursor's profiles;
 * run and finish also tally the rows the policies hid, and finish withholds
 * the counts of an instrumented plan that would reveal them
 * (explain_withhold.c); end adds the counters to shared memory and records handling events and
 * flows; the process-utility hook records handling events (COPY … TO, copies
 * into unprotected tables), flows, a restore's COPY into tmac's tables and
 * skips a restore's DISABLE TRIGGER on them (restore.c), and counts DDL as a
 * governance change (governance_change.c) and, where Citus is installed,
 * refuses a protected table the statement made Citus-managed (citus.c); the
 * planner hook also refuses, where Citus is installed, a relation carrying
 * tmac's restrictive policies as permissive ones (a Citus shard); the
 * ClientAuthentication_hook that
 * refuses terminated persons (login_gate.c); and the object_access_hook that,
 * when tmac is dropped, drops the vocabulary copy's label
 * (vocabulary_copy.c) and forgets the database's gate (login_gate.c).
 * Every hook first asks extension.c whether tmac is installed in the current
 * database and does nothing where it is not.
 *
 * "Governance data changed" is governance_change.c's: tmac.cache_invalidate(),
 * the statement trigger of every governance table, lives there.
 */
#include "postgres.h"
#include "message_catalog.h"

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
#include "utils/inval.h"
#include "utils/syscache.h"

#include "access_stats.h"
#include "audit_chain.h"
#include "citus.h"
#include "cursor_access.h"
#include "explain_withhold.h"
#include "extension.h"
#include "governance_change.h"
#include "handling_events.h"
#include "hr_feed_flag.h"
#include "information_flow.h"
#include "login_gate.h"
#include "own_act.h"
#include "parallel_handoff.h"
#include "profile_cache.h"
#include "restore.h"
#include "shared_profiles.h"
#include "statistics_hiding.h"
#include "view_owner.h"
#include "vocabulary.h"
#include "vocabulary_copy.h"
#include "vocabulary_text.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
extern void tmac_seclabel_init(void);
extern void tmac_vocabulary_needed_init(void);

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
static fmgr_hook_type prev_fmgr_hook = NULL;
static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;

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
	tmac_vocabulary_copy_object_access(access, classId, objectId);
	tmac_login_gate_object_access(access, classId, objectId);
}

/*
 * Which functions pass through fmgr_hook besides SECURITY DEFINER ones and
 * those with SET clauses (which always do): Citus's functions that distribute
 * tables (citus.c).
 */
static bool
tmac_needs_fmgr(Oid fn_oid)
{
	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	return tmac_citus_needs_fmgr_hook(fn_oid);
}

/* own_act.c counts the definers in progress; citus.c checks after a distribution. */
static void
tmac_fmgr(FmgrHookEventType event, FmgrInfo *flinfo, Datum *private)
{
	tmac_own_act_fmgr_hook(event, flinfo, private, prev_fmgr_hook);
	tmac_citus_fmgr_hook(event, flinfo);
}

/*
 * The transaction's end, in this order (PostgreSQL calls each event's steps
 * in the order of this list; an error in a pre-commit step skips the later
 * ones and the transaction aborts, when every step sees the abort):
 *
 *  1. The login gate.  At PRE_COMMIT it recomputes the noted roles
 *     (tmac.login_gate_wanted, run as the owner) and gates them in shared
 *     memory and its file before the commit record; at COMMIT it confirms
 *     them.  It runs first so that its query and its errors come before any
 *     step that has marked shared state as "in flight" or locked the audit
 *     head (an error here leaves nothing to undo in the later steps), and so
 *     that at COMMIT the gate is confirmed before step 7 signals the
 *     terminated persons' sessions: a signalled session cannot log in again.
 *  2.–6. Steps that only forget or apply backend-local state and touch no
 *     governance data: the access statistics (at COMMIT, a snapshot's marks
 *     in shared memory), the information flow, the handling events, the own
 *     act's frames (at abort), Citus's distributing calls in progress, the HR
 *     feed's per-statement intake state.
 *     Their relative order does not matter; it is today's.
 *  7. Governance change: clears the HR feed's suppression flag, and at
 *     COMMIT ends the sessions of the persons terminated (after step 1).
 *     Refuses PREPARE while sessions are queued.
 *  8. Shared profiles.  At PRE_COMMIT, if the transaction changed governance
 *     data, the shared generation moves and the change is "in flight" until
 *     COMMIT/ABORT: it must run after every pre-commit step that can still
 *     change governance data (step 1 only reads it) and before step 10 takes
 *     the audit head's lock, which it does not need.
 *  9. The backend's profile cache: at the end it moves the backend's access
 *     generation past this transaction's own governance changes (rule 6).
 * 10. The audit chain, last: its PRE_COMMIT step locks tmac.audit_head and
 *     chains every audit entry the transaction appended, including any an
 *     earlier pre-commit step appended; the lock is held only for the commit.
 */
static void
tmac_xact(XactEvent event, void *arg)
{
	tmac_login_gate_xact_callback(event, arg);
	tmac_access_stats_xact_callback(event, arg);
	tmac_flow_xact_callback(event, arg);
	tmac_handling_xact_callback(event, arg);
	tmac_own_act_xact_callback(event, arg);
	tmac_citus_xact_callback(event, arg);
	tmac_hr_feed_xact_callback(event, arg);
	tmac_governance_xact_callback(event, arg);
	tmac_shared_profiles_xact_callback(event, arg);
	tmac_profile_xact_callback(event, arg);
	tmac_audit_chain_xact_callback(event, arg);
}

/*
 * A subtransaction's end: each step forgets (abort) or hands to the parent
 * (commit) what the subtransaction noted.  The steps share no state, so the
 * order is free; it follows tmac_xact's.
 */
static void
tmac_subxact(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid,
			 void *arg)
{
	tmac_login_gate_subxact_callback(event, mySubid, parentSubid, arg);
	tmac_access_stats_subxact_callback(event, mySubid, parentSubid, arg);
	tmac_flow_subxact_callback(event, mySubid, parentSubid, arg);
	tmac_hr_feed_subxact_callback(event, mySubid, parentSubid, arg);
	tmac_own_act_subxact_callback(event, mySubid, parentSubid, arg);
	tmac_governance_subxact_callback(event, mySubid, parentSubid, arg);
	tmac_audit_chain_subxact_callback(event, mySubid, parentSubid, arg);
}

/*
 * tmac's one relcache callback.  relid is InvalidOid for "every relation";
 * the sentinel relation's invalidation (tmac.cache_invalidate) means
 * "governance data changed".  Each step only marks its cache stale, so the
 * order does not matter.
 */
static void
tmac_relcache(Datum arg, Oid relid)
{
	tmac_restore_relcache_callback(arg, relid);
	tmac_extension_relcache_callback(arg, relid);
	tmac_vocabulary_relcache_callback(arg, relid);
	tmac_profile_relcache_callback(arg, relid);
	tmac_message_relcache_callback(arg, relid);
}

/* Registered for PROCOID, NAMESPACEOID and AUTHOID. */
static void
tmac_syscache(Datum arg, int cacheid, uint32 hashvalue)
{
	if (cacheid == AUTHOID)
		tmac_profile_authid_callback(arg, cacheid, hashvalue);
	else
		tmac_extension_syscache_callback(arg, cacheid, hashvalue);
}

static PlannedStmt *
tmac_planner(Query *parse, const char *query_string, int cursorOptions, ParamListInfo boundParams)
{
	tmac_citus_check_query(parse);
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
	int			hr_work_mem;

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
		hr_work_mem = tmac_hr_feed_work_mem_insert(queryDesc);
		if (prev_ExecutorStart)
			prev_ExecutorStart(queryDesc, eflags);
		else
			standard_ExecutorStart(queryDesc, eflags);
		tmac_hr_feed_work_mem_end(hr_work_mem);
		tmac_access_stats_begin(queryDesc, eflags);
		tmac_explain_executor_start(queryDesc);
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
	uint64		hidden = tmac_explain_enter();

	PG_TRY();
	{
		if (prev_ExecutorRun)
			prev_ExecutorRun(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		tmac_explain_leave(queryDesc, hidden);
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
	uint64		hidden = tmac_explain_enter();

	PG_TRY();
	{
		if (prev_ExecutorFinish)
			prev_ExecutorFinish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
		tmac_explain_leave(queryDesc, hidden);
		tmac_explain_executor_finish(queryDesc);
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
	List	  **citus_before;
	int			hr_work_mem;

	if (tmac_restore_utility_skip(pstmt, context))
		return;
	handling = tmac_handling_utility_begin(pstmt);
	ddl = tmac_governance_utility_begin(pstmt->utilityStmt);
	citus_before = tmac_citus_utility_begin(pstmt->utilityStmt);
	hr_work_mem = tmac_hr_feed_work_mem_copy(pstmt->utilityStmt);

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
			tmac_governance_utility_end();
		tmac_handling_utility_abort(handling);
		PG_RE_THROW();
	}
	PG_END_TRY();
	tmac_hr_feed_work_mem_end(hr_work_mem);
	if (ddl)
		tmac_governance_utility_end();
	tmac_handling_utility_end(pstmt, handling, qc);
	tmac_flow_utility_end(pstmt, qc);
	tmac_restore_utility_end(pstmt, context);
	tmac_citus_utility_end(citus_before);
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
	/* tmac's message catalog (message_catalog.c), first: every message below may need it */
	pg_bindtextdomain(TEXTDOMAIN);
	tmac_vocab_text_translate = tmac_translate;
	require_preloaded();
	define_internal_settings();
	/* the modules' settings and label providers (no hooks, no callbacks) */
	tmac_seclabel_init();
	tmac_vocabulary_needed_init();
	tmac_vocabulary_copy_init();
	tmac_parallel_handoff_init();
	tmac_shared_profiles_init();
	tmac_access_stats_init();
	/* the handling ledger tells the information-flow check what it recorded (one-way calls) */
	tmac_handling_on_copy_recorded = tmac_flow_note_recorded;
	tmac_login_gate_init();
	MarkGUCPrefixReserved("tmac");

	RegisterXactCallback(tmac_xact, NULL);
	RegisterSubXactCallback(tmac_subxact, NULL);
	CacheRegisterRelcacheCallback(tmac_relcache, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, tmac_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, tmac_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, tmac_syscache, (Datum) 0);

	prev_fmgr_hook = fmgr_hook;
	fmgr_hook = tmac_fmgr;
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = tmac_needs_fmgr;

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
