/*
 * governance_change.c — "governance data changed": the one place that says so.
 *
 * tmac's caches (profile_cache.c, shared_profiles.c, vocabulary.c, restore.c,
 * extension.c) are fresh because every change to the data they are computed
 * from goes through this file:
 *   - tmac.cache_invalidate(), the statement trigger of every governance
 *     table (installed from one list, tmac.install_invalidation_triggers() in
 *     sql/install/10_vocabulary.sql), notes the writer (rule 6 of
 *     profile_cache.c), marks the transaction as a governance change for
 *     shared_profiles.c (its generation moves when the transaction commits)
 *     and queues one relcache invalidation of the sentinel relation, which
 *     every backend's caches listen for (tmac.c dispatches it);
 *   - DDL counts as a governance change (tmac_governance_utility_begin/end,
 *     called by tmac.c's utility hook);
 *   - the login gate learns its changes from its own row triggers
 *     (tmac.login_gate_note, login_gate.c), which carry the rows' roles and
 *     persons; nothing else notifies it.
 * This file is the only caller of tmac_note_governance_change() and
 * tmac_shared_profiles_note_change()/utility_begin()/utility_end().
 *
 * The HR feed's suppression.  While tmac.hr_event_receive applies an event,
 * the changes it makes to tmac.person and tmac.access_grant need not each
 * invalidate every backend's caches: the statement trigger on tmac.hr_event
 * does that once, at the end of the same statement (the triggers of person
 * and access_grant have WHEN (... OR NOT tmac.hr_feed_applying())).  The flag
 * that says so must not be settable by users (a custom GUC would be), or
 * anyone could suppress invalidations; it lives here, set only through
 * tmac.hr_feed_set_applying(), which is executable by the extension owner
 * alone, and is cleared at every transaction event and every subtransaction
 * abort, so an error can never leave it set.
 *
 * Ending a terminated person's sessions, after commit only.  The termination
 * of a person (an HR "terminate" event) runs inside the HR feed's
 * transaction.  Ending the person's other sessions must wait until that
 * transaction has committed: if it rolls back, nothing happened and nobody is
 * disconnected.  tmac.queue_session_end(role) records the role's OID in a
 * backend-local list (with the subtransaction level that queued it); the
 * transaction step signals SIGTERM to every backend logged in as a queued
 * role at XACT_EVENT_COMMIT, and forgets the list on abort.  A subtransaction
 * that aborts (lenient HR mode rejects one event) drops what it queued.  The
 * commit step does no catalog access: the OIDs are resolved when queued.
 * PREPARE TRANSACTION is refused while sessions are queued, because the step
 * would not run at COMMIT PREPARED.  (tmac.c runs this step after the login
 * gate's: the gate is closed before the sessions are ended.)
 */
#include "postgres.h"
#include "message_catalog.h"

#include <signal.h>

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "commands/trigger.h"
#include "utils/inval.h"

#include "extension.h"
#include "governance_change.h"
#include "profile_cache.h"
#include "shared_profiles.h"

typedef struct QueuedRole
{
	Oid			roleid;
	int			nestlevel;
} QueuedRole;

static List *queued_roles = NIL;	/* of QueuedRole *, in TopMemoryContext */

static void
forget_all(void)
{
	list_free_deep(queued_roles);
	queued_roles = NIL;
}

/*
 * Signal every backend whose session role is one of the queued roles — this
 * one too, when the person's own session committed their termination (a due
 * termination applied by their own tmac.run_maintenance(), say): the signal
 * is handled once the commit is done, so the session ends right after it,
 * and with it every cursor it holds.
 */
static void
terminate_queued(void)
{
	int			i;
	bool		self = false;

	LWLockAcquire(ProcArrayLock, LW_SHARED);
	for (i = 0; i < (int) ProcGlobal->allProcCount; i++)
	{
		PGPROC	   *proc = &ProcGlobal->allProcs[i];
		ListCell   *lc;

		if (proc->pid == 0 || !OidIsValid(proc->roleId))
			continue;
		foreach(lc, queued_roles)
		{
			QueuedRole *q = (QueuedRole *) lfirst(lc);

			if (q->roleid == proc->roleId)
			{
				if (proc->pid == MyProcPid)
					self = true;
				else if (kill(proc->pid, SIGTERM) != 0)
					ereport(WARNING,
							(errmsg("could not send SIGTERM to process %d: %m", proc->pid)));
				break;
			}
		}
	}
	LWLockRelease(ProcArrayLock);
	if (self && kill(MyProcPid, SIGTERM) != 0)
		ereport(WARNING,
				(errmsg("could not send SIGTERM to process %d: %m", MyProcPid)));
}

static bool hr_feed_applying = false;

void
tmac_governance_xact_callback(XactEvent event, void *arg)
{
	hr_feed_applying = false;
	if (queued_roles == NIL)
		return;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			terminate_queued();
			forget_all();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			forget_all();
			break;
		case XACT_EVENT_PRE_PREPARE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot prepare a transaction that terminated a person"),
					 errdetail("tmac ends the person's sessions when the transaction commits, which a prepared transaction cannot do."),
					 errhint("Apply the termination in an ordinary transaction.")));
			break;
		default:
			break;
	}
}

void
tmac_governance_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		hr_feed_applying = false;
	if (event == SUBXACT_EVENT_ABORT_SUB && queued_roles != NIL)
	{
		int			level = GetCurrentTransactionNestLevel();
		ListCell   *lc;

		foreach(lc, queued_roles)
		{
			QueuedRole *q = (QueuedRole *) lfirst(lc);

			if (q->nestlevel >= level)
			{
				queued_roles = foreach_delete_current(queued_roles, lc);
				pfree(q);
			}
		}
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB && queued_roles != NIL)
	{
		/* entries of the committed subtransaction now belong to its parent */
		int			level = GetCurrentTransactionNestLevel();
		ListCell   *lc;

		foreach(lc, queued_roles)
		{
			QueuedRole *q = (QueuedRole *) lfirst(lc);

			if (q->nestlevel >= level)
				q->nestlevel = level - 1;
		}
	}
}

PG_FUNCTION_INFO_V1(tmac_queue_session_end);
Datum
tmac_queue_session_end(PG_FUNCTION_ARGS)
{
	Name		rolname = PG_GETARG_NAME(0);
	Oid			roleid = get_role_oid(NameStr(*rolname), false);
	MemoryContext old;
	QueuedRole *q;
	ListCell   *lc;

	foreach(lc, queued_roles)
	{
		if (((QueuedRole *) lfirst(lc))->roleid == roleid)
			PG_RETURN_VOID();
	}
	old = MemoryContextSwitchTo(TopMemoryContext);
	q = (QueuedRole *) palloc(sizeof(QueuedRole));
	q->roleid = roleid;
	q->nestlevel = GetCurrentTransactionNestLevel();
	queued_roles = lappend(queued_roles, q);
	MemoryContextSwitchTo(old);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_applying);
Datum
tmac_hr_feed_applying(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(hr_feed_applying);
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_set_applying);
Datum
tmac_hr_feed_set_applying(PG_FUNCTION_ARGS)
{
	bool		previous = hr_feed_applying;

	hr_feed_applying = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
	PG_RETURN_BOOL(previous);
}

/* The statement trigger of every governance table (see the header). */
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

/* DDL: see tmac_shared_profiles_utility_begin(). */
bool
tmac_governance_utility_begin(Node *stmt)
{
	return tmac_shared_profiles_utility_begin(stmt);
}

void
tmac_governance_utility_end(void)
{
	tmac_shared_profiles_utility_end();
}
