/*
 * session_end.c — ends a terminated person's open sessions, after commit only.
 *
 * The termination of a person (an HR "terminate" event) runs inside the HR
 * feed's transaction.  Ending the person's other sessions must wait until that
 * transaction has committed: if it rolls back, nothing happened and nobody is
 * disconnected.  tmac.queue_session_end(role) records the role's OID in a
 * backend-local list (with the subtransaction level that queued it); a
 * transaction callback signals SIGTERM to every backend logged in as a queued
 * role at XACT_EVENT_COMMIT, and forgets the list on abort.  A subtransaction
 * that aborts (lenient HR mode rejects one event) drops what it queued.  The
 * commit callback does no catalog access: the OIDs are resolved when queued.
 * PREPARE TRANSACTION is refused while sessions are queued, because the
 * callback would not run at COMMIT PREPARED.
 */
#include "postgres.h"

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

#include "session_end.h"

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

/* Signal every backend whose session role is one of the queued roles. */
static void
terminate_queued(void)
{
	int			i;

	LWLockAcquire(ProcArrayLock, LW_SHARED);
	for (i = 0; i < (int) ProcGlobal->allProcCount; i++)
	{
		PGPROC	   *proc = &ProcGlobal->allProcs[i];
		ListCell   *lc;

		if (proc->pid == 0 || proc->pid == MyProcPid || !OidIsValid(proc->roleId))
			continue;
		foreach(lc, queued_roles)
		{
			QueuedRole *q = (QueuedRole *) lfirst(lc);

			if (q->roleid == proc->roleId)
			{
				if (kill(proc->pid, SIGTERM) != 0)
					elog(WARNING, "could not send SIGTERM to process %d: %m", proc->pid);
				break;
			}
		}
	}
	LWLockRelease(ProcArrayLock);
}

static void
session_end_xact_callback(XactEvent event, void *arg)
{
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

static void
session_end_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg)
{
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

void
tmac_session_end_init(void)
{
	RegisterXactCallback(session_end_xact_callback, NULL);
	RegisterSubXactCallback(session_end_subxact_callback, NULL);
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

/*
 * The role acting outside any SECURITY DEFINER function: current_user as the
 * caller sees it (after SET ROLE).  tmac's SECURITY DEFINER functions use it
 * to find the requester or approver, since current_user inside them is the
 * extension owner.
 */
PG_FUNCTION_INFO_V1(tmac_invoker);
Datum
tmac_invoker(PG_FUNCTION_ARGS)
{
	Name		result = (Name) palloc0(NAMEDATALEN);
	char	   *n = GetUserNameFromId(GetOuterUserId(), false);

	namestrcpy(result, n);
	PG_RETURN_NAME(result);
}
