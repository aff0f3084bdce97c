/*
 * cursor_access.c — a fetch after a revocation is refused.
 *
 * tmac decides rows when the executor produces them.  A cursor (DECLARE,
 * a protocol portal fetched a few rows at a time, a PL/pgSQL cursor) keeps
 * one executor — with its snapshot, under which its access profile is read
 * too — across many fetches, and a WITH HOLD cursor is computed once at
 * commit and then read from a store; so without this file a cursor opened
 * before a revocation keeps returning rows the person may no longer read,
 * under READ COMMITTED, and under REPEATABLE READ rows vanish midway, and
 * rows a sort or hash had already taken in come out anyway.
 *
 * The rule (README, "Fresh decisions"): a cursor is decided with the access
 * its roles had when it was opened (its first fetch); every later fetch —
 * FETCH or MOVE, a held cursor's too, a protocol Execute, a PL/pgSQL FETCH —
 * first makes sure no revocation, expiry or termination has narrowed that
 * access since, and otherwise fails with insufficient_privilege naming the
 * cursor and the role.  Rows already fetched stay fetched; closing and
 * opening the cursor again decides afresh.  A change that only widens access
 * lets the cursor go on.
 *
 * What is kept: for each portal over a protected table that may be resumed
 * (a row count was asked for, or WITH HOLD), the profiles of the roles its plan decides for (the
 * current user and each checkAsUser, as parallel_handoff.c) and the
 * generation they were valid for.  A later fetch processes pending
 * invalidations; only when the generation moved (or a profile's valid_until
 * passed) does it read each role's profile from the latest committed state
 * (profile_cache.c) and compare.  Queries that run to completion in one go
 * keep nothing.  Entries live in TopMemoryContext, keyed by the portal and its
 * creation time, and are dropped when their portal is gone.
 */
#include "postgres.h"

#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/pquery.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/timestamp.h"

#include "cursor_access.h"
#include "extension.h"
#include "profile_cache.h"

typedef struct CursorAccess
{
	Portal		portal;
	TimestampTz created;
	char	   *name;
	QueryDesc  *query;			/* NULL once a held cursor is persisted */
	uint64		generation;
	TimestampTz valid_until;
	int			nroles;
	Oid		   *roles;
	TmacProfile *profiles;
	MemoryContext cxt;
} CursorAccess;

static List *Cursors = NIL;		/* of CursorAccess *, in TopMemoryContext */

static bool
portal_alive(const CursorAccess *c)
{
	Portal		p = GetPortalByName(c->name);

	return p == c->portal && p->creation_time == c->created;
}

/* Drop the entries of portals that are gone; return the entry of `portal`, if any. */
static CursorAccess *
find_cursor(Portal portal)
{
	CursorAccess *found = NULL;
	ListCell   *lc;

	foreach(lc, Cursors)
	{
		CursorAccess *c = (CursorAccess *) lfirst(lc);

		if (!portal_alive(c))
		{
			Cursors = foreach_delete_current(Cursors, lc);
			MemoryContextDelete(c->cxt);
		}
		else if (c->portal == portal)
			found = c;
	}
	return found;
}

/* The roles a plan decides for: the current user and each checkAsUser. */
static List *
plan_roles(PlannedStmt *stmt)
{
	List	   *roles = list_make1_oid(GetUserId());
	ListCell   *lc;

	foreach(lc, stmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && OidIsValid(rte->checkAsUser))
			roles = list_append_unique_oid(roles, rte->checkAsUser);
	}
	return roles;
}

static void
remember(Portal portal, QueryDesc *queryDesc)
{
	/* made under the current context, so an error frees it; kept once complete */
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "tmac cursor access",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CursorAccess *c = palloc0(sizeof(CursorAccess));
	List	   *roles = plan_roles(queryDesc->plannedstmt);
	ListCell   *lc;
	int			i = 0;

	c->cxt = cxt;
	c->portal = portal;
	c->created = portal->creation_time;
	c->name = pstrdup(portal->name);
	c->query = queryDesc;
	c->nroles = list_length(roles);
	c->roles = palloc(sizeof(Oid) * c->nroles);
	c->profiles = palloc0(sizeof(TmacProfile) * c->nroles);
	c->valid_until = DT_NOEND;
	MemoryContextSwitchTo(old);
	foreach(lc, roles)
	{
		TmacProfile *p = tmac_profile_for(lfirst_oid(lc));

		c->roles[i] = lfirst_oid(lc);
		tmac_profile_copy(&c->profiles[i], p, cxt);
		c->valid_until = Min(c->valid_until, p->valid_until);
		i++;
	}
	c->generation = tmac_access_generation;
	MemoryContextSetParent(cxt, TopMemoryContext);
	old = MemoryContextSwitchTo(TopMemoryContext);
	Cursors = lappend(Cursors, c);
	MemoryContextSwitchTo(old);
}

/* A later fetch: refuse if the access of a role of the cursor narrowed since it was opened. */
static void
recheck(CursorAccess *c)
{
	TimestampTz until = DT_NOEND;
	int			i;

	AcceptInvalidationMessages();
	if (c->generation == tmac_access_generation &&
		GetCurrentStatementStartTimestamp() < c->valid_until)
		return;
	for (i = 0; i < c->nroles; i++)
	{
		TimestampTz role_until;

		if (tmac_profile_narrowed(&c->profiles[i], c->roles[i], &role_until))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("access changed since cursor \"%s\" was opened", c->name),
					 errdetail("A revocation, expiry or termination committed since then narrowed what role \"%s\" may read.",
							   GetUserNameFromId(c->roles[i], false)),
					 errhint("Close the cursor and open it again: it is then decided with the access in force.")));
		until = Min(until, role_until);
	}
	/* no narrower: look again at the next change, or when the latest profiles change by time */
	c->generation = tmac_access_generation;
	c->valid_until = until;
}

void
tmac_cursor_run(QueryDesc *queryDesc, uint64 count)
{
	Portal		portal = ActivePortal;
	CursorAccess *c;
	ListCell   *lc;

	/* only the main query of a portal that can be fetched from more than once */
	if (portal == NULL || portal->queryDesc != queryDesc || portal->strategy != PORTAL_ONE_SELECT)
		return;
	c = find_cursor(portal);
	if (c != NULL && c->query == queryDesc)
	{
		recheck(c);
		return;
	}
	if ((count == 0 && !(portal->cursorOptions & CURSOR_OPT_HOLD)) || !tmac_extension()->installed)
		return;
	foreach(lc, queryDesc->plannedstmt->relationOids)
		if (tmac_relation_protected(lfirst_oid(lc)))
		{
			remember(portal, queryDesc);
			return;
		}
}

void
tmac_cursor_fetch(FetchStmt *stmt)
{
	Portal		portal;
	CursorAccess *c;

	if (Cursors == NIL || stmt->portalname == NULL)
		return;
	portal = GetPortalByName(stmt->portalname);
	if (!PortalIsValid(portal) || portal->holdStore == NULL || portal->queryDesc != NULL)
		return;					/* not a persisted held cursor: the executor hook checks */
	c = find_cursor(portal);
	if (c != NULL)
		recheck(c);
}
