/*
 * cursor_access.c — a cursor is decided with the access of its opening.
 *
 * tmac decides rows when the executor produces them, with the acting role's
 * profile for the current statement (profile_cache.c).  A cursor (DECLARE, a
 * protocol portal fetched a few rows at a time, a PL/pgSQL cursor or FOR
 * loop) keeps one executor and one snapshot — the snapshot of its opening —
 * across many statements, and a WITH HOLD cursor (or a procedure's loop
 * across a COMMIT) is run to its end at commit into a store.  Left alone,
 * the profile a later fetch decides with depended on the shape: under READ
 * COMMITTED it was read with the cursor's old snapshot (the access of the
 * opening), under REPEATABLE READ it was narrowed by the latest committed
 * state (rows vanished midway), a sort or a hold store had taken rows in
 * earlier, and a refusal tried on top of that could be passed in several
 * shapes (README, "Cursors").
 *
 * The rule, one for every shape: a cursor's own plan decides every row with
 * the access its roles had when it was opened — when its executor started,
 * under the snapshot its rows are read with — as PostgreSQL checks a
 * cursor's table privileges once, at its opening.  Whatever the cursor
 * returns is what fetching all of it at the opening would have returned: the
 * same rows (its snapshot) decided with the same access.  A revocation takes
 * effect at the next statement and at the next cursor opened; a cursor
 * opened before it keeps its access until it is closed (a termination ends
 * the person's sessions, and so their cursors).  Queries the cursor's plan
 * runs itself — a function reading a protected table with a snapshot of its
 * own — are not the cursor's rows: they are decided as any statement's.
 *
 * How: when the executor of a portal's query over a protected table starts
 * (ExecutorStart, the portal's snapshot active), the profiles of the roles
 * its plan decides for (the current user and each checkAsUser, as
 * parallel_handoff.c) are copied into the portal's memory.  While that
 * executor runs (every fetch, the persisting of a held cursor) those copies
 * are the profiles for those roles ("pinned", rule 7 of profile_cache.c),
 * also for a query it runs under the same snapshot (a stable function:
 * the rows it reads are as old as the cursor's); an executor with a snapshot
 * of its own (a volatile function under READ COMMITTED) unpins them for its
 * duration, and since a fetch is a new statement, invalidations are taken in
 * first so that such a query sees a revocation committed since.  The copies
 * go when the portal's memory does (a reset callback).  The unnamed portal
 * (every simple query's, and the protocol's unnamed one) is copied only at
 * its first run, and only if that run has a row limit (without one it runs
 * to its end, and the protocol cannot move the unnamed portal back): a query
 * run once in the statement that started it decides with that statement's
 * profiles anyway, and copying them for every SELECT cost prepared point
 * lookups about a fifth of their speed.  A protocol Execute with a row limit
 * in a later statement than its Bind thus takes the access of that first
 * Execute, read with the portal's snapshot (README, "Cursors").  Cost: a
 * resumable portal over a protected table copies its roles' profiles once;
 * a run scans the list of such open portals.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "executor/executor.h"
#include "miscadmin.h"
#include "tcop/pquery.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapshot.h"

#include "cursor_access.h"
#include "extension.h"
#include "profile_cache.h"
#include "view_owner.h"

struct CursorAccess
{
	QueryDesc  *query;
	Snapshot	snapshot;		/* the cursor's, registered by its QueryDesc */
	TmacPinnedSet pinned;		/* copies of its roles' profiles, in the portal's memory */
	MemoryContextCallback forget;
};

static List *Cursors = NIL;		/* of CursorAccess *, the list in TopMemoryContext */
static CursorAccess *Current = NULL;	/* whose profiles are pinned */

static void
pin(CursorAccess *c)
{
	Current = c;
	tmac_profiles_pin(c != NULL ? &c->pinned : NULL);
}

/* The portal's memory is going: so is its entry. */
static void
forget_cursor(void *arg)
{
	CursorAccess *c = (CursorAccess *) arg;

	Cursors = list_delete_ptr(Cursors, c);
	if (Current == c)
		pin(NULL);
}

/* Do two snapshots see the same transactions (and commands) as committed? */
static bool
same_snapshot(Snapshot a, Snapshot b)
{
	return a == b ||
		(a != NULL && b != NULL && a->snapshot_type == b->snapshot_type &&
		 a->xmin == b->xmin && a->xmax == b->xmax && a->curcid == b->curcid &&
		 a->xcnt == b->xcnt && a->subxcnt == b->subxcnt && !a->suboverflowed &&
		 !b->suboverflowed && a->takenDuringRecovery == b->takenDuringRecovery &&
		 memcmp(a->xip, b->xip, sizeof(TransactionId) * a->xcnt) == 0 &&
		 memcmp(a->subxip, b->subxip, sizeof(TransactionId) * a->subxcnt) == 0);
}

/* Copy the profiles of the roles the query decides for into its portal's memory. */
static CursorAccess *
remember(QueryDesc *queryDesc)
{
	MemoryContext cxt = GetMemoryChunkContext(queryDesc);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	List	   *roles = tmac_plan_roles(queryDesc->plannedstmt);
	CursorAccess *c = palloc0(sizeof(CursorAccess));
	int			i;

	c->query = queryDesc;
	c->snapshot = queryDesc->snapshot;
	c->pinned.cxt = cxt;
	c->pinned.cap = list_length(roles);
	c->pinned.profiles = palloc(sizeof(TmacProfile *) * c->pinned.cap);
	for (i = 0; i < c->pinned.cap; i++)
		c->pinned.profiles[i] = palloc(sizeof(TmacProfile));
	MemoryContextSwitchTo(old);
	for (i = 0; i < c->pinned.cap; i++)
		tmac_profile_copy(c->pinned.profiles[i], tmac_profile_for(list_nth_oid(roles, i)), cxt);
	c->pinned.n = c->pinned.cap;
	c->forget.func = forget_cursor;
	c->forget.arg = c;
	old = MemoryContextSwitchTo(TopMemoryContext);
	Cursors = lappend(Cursors, c);
	MemoryContextSwitchTo(old);
	MemoryContextRegisterResetCallback(cxt, &c->forget);
	return c;
}

/*
 * The unnamed portal's query, started in this statement: a simple query's
 * (run to its end at once) or the protocol's unnamed portal (which a row
 * limit may resume).  It is remembered only if its first run has a row limit
 * and it reads a protected table: no copy, and no catalog probe, for a query
 * run to its end.  (ExecutorRun's execute_once was seen false for both here.)
 */
static QueryDesc *Deferred = NULL;

/* Does the plan read a protected table (a catalog probe each: not for every statement)? */
static bool
reads_protected(QueryDesc *queryDesc)
{
	ListCell   *lc;

	foreach(lc, queryDesc->plannedstmt->relationOids)
		if (tmac_relation_protected(lfirst_oid(lc)))
			return true;
	return false;
}

void
tmac_cursor_start(QueryDesc *queryDesc)
{
	Portal		portal = ActivePortal;

	/* only the query of a portal being started (PortalStart sets queryDesc afterwards) */
	if (portal == NULL || portal->strategy != PORTAL_ONE_SELECT || portal->queryDesc != NULL ||
		portal->stmts == NIL || linitial(portal->stmts) != (void *) queryDesc->plannedstmt ||
		!tmac_extension()->installed)
		return;
	if (portal->name[0] == '\0')
		Deferred = queryDesc;
	else if (reads_protected(queryDesc))
		(void) remember(queryDesc);
}

CursorAccess *
tmac_cursor_enter(QueryDesc *queryDesc, bool run, bool row_limit)
{
	CursorAccess *before = Current;
	ListCell   *lc;

	if (run)
	{
		foreach(lc, Cursors)
		{
			CursorAccess *c = (CursorAccess *) lfirst(lc);

			if (c->query == queryDesc)
			{
				/* a fetch starts a statement: what it runs with a newer snapshot sees the latest changes */
				AcceptInvalidationMessages();
				pin(c);
				return before;
			}
		}
		if (Deferred == queryDesc)
		{
			Deferred = NULL;
			if (row_limit && ActivePortal != NULL && ActivePortal->queryDesc == queryDesc &&
				reads_protected(queryDesc))
			{
				pin(remember(queryDesc));
				return before;
			}
		}
	}
	if (Current != NULL && !same_snapshot(queryDesc->snapshot, Current->snapshot))
		pin(NULL);
	return before;
}

void
tmac_cursor_leave(CursorAccess *saved)
{
	if (Current != saved)
		pin(saved);
}
