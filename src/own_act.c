/*
 * own_act.c — an act of a person is that person's own top-level act.
 *
 * tmac's acts (requests, approvals, rejections, revocations, extensions, HR
 * events, review decisions, declassification, ...) name their actor after
 * the role the session acts as (GetOuterUserId(), what tmac.invoker()
 * returns), while PostgreSQL checks privileges against the current user.  A
 * SECURITY DEFINER function or a trigger written by one role and run by
 * another could therefore make an act "by" the other role: otto's definer
 * function, called by april, would give april's approval.  This file refuses
 * such acts.  tmac.acting_role(act, trigger_allowance) — and
 * tmac_own_act_role() for C callers — returns the acting role, or raises
 * 42501 when the act would be made
 *   - inside a SECURITY DEFINER function that is not a member of the tmac
 *     extension, however deep (counted by the fmgr hook below);
 *   - from a trigger: pg_trigger_depth() above the caller's allowance (0 for
 *     a function called directly; 1 where the act is the triggering statement
 *     itself, such as an INSERT into tmac.hr_event, whose own trigger runs at
 *     depth 1);
 *   - inside a security-restricted operation (index expressions, materialized
 *     views, VACUUM/ANALYZE and other maintenance run as the table owner);
 *   - while the current user is neither the session's role nor, inside a tmac
 *     SECURITY DEFINER function, that function's owner.
 *
 * The fmgr hook.  fmgr_security_definer() calls fmgr_hook with FHET_START
 * (after switching to the owner), FHET_END and, when the function fails,
 * FHET_ABORT, for every SECURITY DEFINER function and every function with SET
 * clauses; it does so whatever needs_fmgr_hook answers, so tmac installs no
 * needs_fmgr_hook.  Whether a function is SECURITY DEFINER, and whether it
 * belongs to tmac (pg_depend deptype 'e'), is looked up once per function
 * cache and kept in the hook's private datum together with the previous
 * hook's own private datum, so chained hooks keep theirs.  Calls are strictly
 * nested, so the definers in progress form a stack: pushed at FHET_START,
 * popped at FHET_END or FHET_ABORT (only for a start that pushed, so the
 * depth never goes negative), and emptied at top-level abort as a safety net.
 *
 * The stack is only complete when the hook was installed before any function
 * ran in the session, which preloading guarantees: tmac runs only from
 * shared_preload_libraries (tmac.c refuses to load any other way), so every
 * backend inherits the hook from the postmaster.
 *
 * What this does not see: code of another role that runs with the caller's
 * own identity — a SECURITY INVOKER function, a view's expressions, a rule, a
 * column default or a policy written by someone else.  That is PostgreSQL's
 * model of invoker rights: whoever runs such code runs it as themselves.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "extension.h"
#include "own_act.h"

/* What a function is, for this file. */
typedef enum OwnActKind
{
	OWN_ACT_UNCLASSIFIED = 0,
	OWN_ACT_OTHER,				/* not SECURITY DEFINER (SET clauses only) */
	OWN_ACT_FOREIGN,			/* SECURITY DEFINER, not a member of tmac */
	OWN_ACT_TMAC				/* SECURITY DEFINER, a member of tmac */
} OwnActKind;

/* Kept in the fmgr hook's private datum, in the function cache's context. */
typedef struct OwnActCache
{
	Datum		next_private;	/* the previous hook's private datum */
	OwnActKind	kind;
	int			pushed;			/* starts of this cache that pushed a frame */
} OwnActCache;

/* One SECURITY DEFINER function in progress. */
typedef struct OwnActFrame
{
	Oid			fn_oid;
	Oid			userid;			/* the current user inside it (its owner) */
	bool		foreign;
} OwnActFrame;

static OwnActFrame *frames = NULL;	/* in TopMemoryContext */
static int	nframes = 0;
static int	maxframes = 0;
static int	nforeign = 0;		/* frames with foreign set */

/*
 * Trigger levels that tmac's own C triggers vouch for: while the plain-column
 * HR import (hr_feed_flag.c) runs the one INSERT into tmac.hr_event that its
 * statement stands for, that statement counts as the feeder's own, at the
 * import statement's level.  Only tmac's code runs inside (its own triggers on
 * tmac's tables, built-in functions), so nothing else is credited.
 */
static int	depth_credit = 0;

/*
 * The subtransaction the credit was given in.  If it aborts (a cancel or a
 * timeout the PL/pgSQL handler of tmac.hr_import_end cannot catch, then
 * ROLLBACK TO a savepoint around the import), the credit ends with it: it
 * must never outlive the INSERT it was given for (attack20_import_credit_leak.sh).
 */
static SubTransactionId credit_subid = InvalidSubTransactionId;

static OwnActKind
classify_function(Oid fn_oid)
{
	HeapTuple	tuple;
	bool		secdef;
	Oid			ext;
	const TmacExtension *tmac;

	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", fn_oid);
	secdef = ((Form_pg_proc) GETSTRUCT(tuple))->prosecdef;
	ReleaseSysCache(tuple);
	if (!secdef)
		return OWN_ACT_OTHER;
	tmac = tmac_extension();
	ext = getExtensionOfObject(ProcedureRelationId, fn_oid);
	if (tmac->installed && OidIsValid(ext) && ext == tmac->ext_oid)
		return OWN_ACT_TMAC;
	return OWN_ACT_FOREIGN;
}

static void
pop_frame(OwnActCache *cache)
{
	if (cache->pushed <= 0)
		return;
	cache->pushed--;
	if (nframes <= 0)
		return;					/* emptied by an abort meanwhile */
	nframes--;
	if (frames[nframes].foreign && nforeign > 0)
		nforeign--;
}

/* tmac.c's fmgr_hook; next_fmgr_hook is the hook installed before tmac's */
void
tmac_own_act_fmgr_hook(FmgrHookEventType event, FmgrInfo *flinfo, Datum *private,
					   fmgr_hook_type next_fmgr_hook)
{
	OwnActCache *cache = (OwnActCache *) DatumGetPointer(*private);

	if (cache == NULL)
	{
		cache = (OwnActCache *) MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(OwnActCache));
		*private = PointerGetDatum(cache);
	}

	switch (event)
	{
		case FHET_START:
			/* everything that can fail first: no FHET_ABORT follows an error here */
			if (cache->kind == OWN_ACT_UNCLASSIFIED)
				cache->kind = classify_function(flinfo->fn_oid);
			if (cache->kind != OWN_ACT_OTHER && nframes >= maxframes)
			{
				int			newmax = maxframes > 0 ? maxframes * 2 : 16;

				if (frames == NULL)
					frames = MemoryContextAlloc(TopMemoryContext, newmax * sizeof(OwnActFrame));
				else
					frames = repalloc(frames, newmax * sizeof(OwnActFrame));
				maxframes = newmax;
			}
			if (next_fmgr_hook)
				(*next_fmgr_hook) (event, flinfo, &cache->next_private);
			if (cache->kind != OWN_ACT_OTHER)
			{
				frames[nframes].fn_oid = flinfo->fn_oid;
				frames[nframes].userid = GetUserId();
				frames[nframes].foreign = (cache->kind == OWN_ACT_FOREIGN);
				if (frames[nframes].foreign)
					nforeign++;
				nframes++;
				cache->pushed++;
			}
			return;
		case FHET_END:
		case FHET_ABORT:
			pop_frame(cache);
			break;
	}
	if (next_fmgr_hook)
		(*next_fmgr_hook) (event, flinfo, &cache->next_private);
}

/* Safety net: at top-level abort no function is in progress. */
void
tmac_own_act_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
	{
		nframes = 0;
		nforeign = 0;
		depth_credit = 0;
		credit_subid = InvalidSubTransactionId;
	}
}

static int
trigger_depth(void)
{
	LOCAL_FCINFO(fcinfo, 0);

	InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
	return DatumGetInt32(pg_trigger_depth(fcinfo));
}

#define OWN_ACT_HINT gettext_noop("Make the call yourself, directly in your own session: tmac refuses acts made from another role's SECURITY DEFINER function, from a trigger or from a maintenance command.")

/*
 * The role acting, when the act is its own top-level act; an error otherwise.
 * trigger_allowance is the trigger depth at which the caller itself runs
 * (0 for a function called directly, 1 for the trigger of the statement that
 * is the act).  act is English, marked for the catalog by the caller
 * (gettext_noop in C, tmac.msgid in SQL): a refusal names it in the session's
 * language.
 */
Oid
tmac_own_act_role(const char *act, int trigger_allowance)
{
	Oid			outer = GetOuterUserId();
	Oid			current = GetUserId();
	int			depth;


	if (nforeign > 0)
	{
		int			i;
		Oid			fn = InvalidOid;
		Oid			owner = InvalidOid;
		char	   *owner_name;

		for (i = nframes - 1; i >= 0; i--)
		{
			if (frames[i].foreign)
			{
				fn = frames[i].fn_oid;
				owner = frames[i].userid;
				break;
			}
		}
		owner_name = GetUserNameFromId(owner, true);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot %s inside a SECURITY DEFINER function", tmac_translate(act)),
				 errdetail("The call comes from %s, which runs as role \"%s\"; an act of role \"%s\" must be that role's own.",
						   OidIsValid(fn) ? format_procedure(fn) : tmac_translate(gettext_noop("a function")),
						   owner_name ? owner_name : "?", GetUserNameFromId(outer, false)),
				 errhint(OWN_ACT_HINT)));
	}

	depth = trigger_depth() - depth_credit;
	if (depth > Max(trigger_allowance, 0))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot %s from a trigger", tmac_translate(act)),
				 errdetail("The call is made at trigger depth %d; an act of role \"%s\" must be that role's own, not a side effect of another statement.",
						   depth, GetUserNameFromId(outer, false)),
				 errhint(OWN_ACT_HINT)));

	if (InSecurityRestrictedOperation())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot %s inside a security-restricted operation", tmac_translate(act)),
				 errdetail("Index expressions, materialized views and maintenance commands run as the table owner."),
				 errhint(OWN_ACT_HINT)));

	/* inside tmac's own definers the current user is their owner; elsewhere the session's role */
	if (nframes > 0 ? current != frames[nframes - 1].userid
		: (current != outer || InLocalUserIdChange()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot %s while running as role \"%s\" for role \"%s\"", tmac_translate(act),
						GetUserNameFromId(current, false), GetUserNameFromId(outer, false)),
				 errdetail("The current user was changed by code other than tmac's own functions."),
				 errhint(OWN_ACT_HINT)));

	return outer;
}

/*
 * Sets the trigger levels tmac's own code vouches for (see depth_credit) and
 * returns the previous value, which the caller restores (also on error).
 */
int
tmac_own_act_set_depth_credit(int credit)
{
	int			previous = depth_credit;

	depth_credit = Max(credit, 0);
	credit_subid = depth_credit > 0 ? GetCurrentSubTransactionId() : InvalidSubTransactionId;
	return previous;
}

/*
 * The credit ends when the subtransaction it was given in aborts; when that
 * one commits into its parent, the parent holds it.
 */
void
tmac_own_act_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							  SubTransactionId parentSubid, void *arg)
{
	if (depth_credit == 0 || mySubid != credit_subid)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		depth_credit = 0;
		credit_subid = InvalidSubTransactionId;
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		credit_subid = parentSubid;
}

/*
 * tmac.acting_role(act text, trigger_allowance integer DEFAULT 0) RETURNS name
 * Not strict: a NULL act or allowance must never skip the checks.
 */
PG_FUNCTION_INFO_V1(tmac_acting_role);
Datum
tmac_acting_role(PG_FUNCTION_ARGS)
{
	char	   *act = PG_ARGISNULL(0) ? pstrdup("act") : text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			allowance = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1);
	Oid			role = tmac_own_act_role(act, allowance);
	Name		result = (Name) palloc0(NAMEDATALEN);

	namestrcpy(result, GetUserNameFromId(role, false));
	PG_RETURN_NAME(result);
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
