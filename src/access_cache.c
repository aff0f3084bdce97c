/*
 * access_cache.c — the per-backend cache of access profiles, and its freshness.
 *
 * The row-level policies of protected tables ask, for every row, whether the
 * acting role may read or write it.  The answer depends on the person the role
 * maps to; tmac.access_profile(login_role, at) computes that from the people
 * and grant tables.  Calling it per row would cost a query per row, so each
 * backend caches the answer per role OID (GetUserId(): SET ROLE and SECURITY
 * DEFINER functions act as their own role and get their own entry).
 *
 * The function is not executable by PUBLIC: it is called through SPI while
 * the backend is switched to the function's owner with
 * SECURITY_LOCAL_USERID_CHANGE, as ri_triggers.c does for foreign keys.
 *
 * What invalidates a cached profile, and why that is enough:
 *
 *  1. Data changes.  Every table a profile is computed from lives in schema
 *     tmac and has an AFTER ... FOR EACH STATEMENT trigger calling
 *     tmac.cache_invalidate(), which queues a relcache invalidation for that
 *     table.  The relcache callback below bumps a generation counter when the
 *     relid is any table of schema tmac (their OIDs are collected at each
 *     fetch) or InvalidOid (sinval queue overflow: "everything").  A cached
 *     entry from an older generation is fetched again.  PostgreSQL delivers
 *     the invalidation to every other backend once the change commits, no
 *     later than when that backend next locks a relation — which every
 *     statement that reads a protected table does before its first row — and
 *     to this backend at the next command counter increment; a rollback
 *     replays it locally, so an entry that saw uncommitted rows is dropped
 *     too.  This covers revocation, approval, termination, role change,
 *     pledges, training and vocabulary changes (all are rows in tmac tables).
 *
 *  2. The race between snapshot and invalidation.  A statement takes its
 *     snapshot before it locks its tables, so an invalidation can arrive in a
 *     statement whose snapshot does not yet see the commit that sent it.  A
 *     profile fetched in the same statement (same transaction, under
 *     REPEATABLE READ or SERIALIZABLE) as the last invalidation is therefore
 *     used for that statement only ("not durable") and fetched again by the
 *     next one, whose snapshot is newer than the commit.
 *
 *  3. Time.  access_profile() returns valid_until, the first instant after
 *     `at` at which the answer changes by time alone (an expiry, an HR event
 *     coming due).  Each statement compares its start time with it and
 *     fetches again from that instant, so an expiry needs no job.  Profiles
 *     are computed `at` the statement's start, so all rows of one statement
 *     (and its parallel workers, which share that timestamp) get one answer.
 *
 *  4. Roles.  ALTER ROLE ... RENAME changes the name a profile was fetched
 *     by: a pg_authid syscache callback also bumps the generation.
 *
 * Views.  A view without security_invoker reads its tables as its owner
 * (SPEC §6, as PostgreSQL's own privileges), but the policy quals that the
 * rewriter adds to such a table run with the invoker as GetUserId().  The
 * planner hook below therefore gives every tmac.row_readable/row_writable
 * call in the security quals (and row-security WITH CHECK options) of a
 * range table entry with a checkAsUser a second argument: that user's OID,
 * which the C functions then decide for.  Only the rewriter's own quals are
 * touched, so the extra argument cannot be supplied from SQL (there is no
 * two-argument signature to call).
 *
 * Changes the HR feed makes to persons and grants from inside its row
 * trigger do not invalidate one by one (src/hr_feed_flag.c): the statement
 * trigger on tmac.hr_event invalidates once, at the end of that statement.
 *
 * The callbacks only bump a counter; memory is replaced at the next lookup,
 * never while a caller holds a pointer.  Parallel workers run with the
 * leader's user, snapshot and statement timestamp and fill their own cache.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "parser/parse_func.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "access_cache.h"

uint64		tmac_access_generation = 1;
TmacProfile *tmac_last_profile = NULL;
TimestampTz tmac_last_stmt = 0;

static HTAB *ProfileHash = NULL;
static MemoryContext AccessContext = NULL;

/* OIDs of the tables of schema tmac, as of the last fetch. */
static Oid *TmacRelids = NULL;
static int	NTmacRelids = 0;

/* When the last invalidation arrived. */
static LocalTransactionId InvalLxid = InvalidLocalTransactionId;
static TimestampTz InvalStmt = 0;

static void
note_invalidation(void)
{
	tmac_access_generation++;
	tmac_last_profile = NULL;
	InvalLxid = MyProc != NULL ? MyProc->lxid : InvalidLocalTransactionId;
	InvalStmt = GetCurrentStatementStartTimestamp();
}

static void
access_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	if (relid == InvalidOid)
	{
		note_invalidation();
		return;
	}
	for (i = 0; i < NTmacRelids; i++)
		if (TmacRelids[i] == relid)
		{
			note_invalidation();
			return;
		}
}

static void
access_authid_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	note_invalidation();
}

/*
 * Views: decide as the view owner.  See the header comment ("Views").
 */
static planner_hook_type prev_planner_hook = NULL;

typedef struct RetargetContext
{
	Oid			readable;		/* tmac.row_readable(tmac.label), or InvalidOid */
	Oid			writable;		/* tmac.row_writable(tmac.label) */
	bool		looked_up;
	Oid			user;			/* the checkAsUser to decide for */
} RetargetContext;

static Oid
policy_function_oid(const char *fname)
{
	return LookupFuncName(list_make2(makeString("tmac"), makeString(pstrdup(fname))), -1, NULL, true);
}

/* Append the user's OID to every one-argument row_readable/row_writable call. */
static bool
retarget_walker(Node *node, RetargetContext *cxt)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr))
	{
		FuncExpr   *f = (FuncExpr *) node;

		if ((f->funcid == cxt->readable || f->funcid == cxt->writable) &&
			list_length(f->args) == 1)
			f->args = lappend(list_copy(f->args),
							  makeConst(OIDOID, -1, InvalidOid, sizeof(Oid),
										ObjectIdGetDatum(cxt->user), false, true));
	}
	return expression_tree_walker(node, retarget_walker, (void *) cxt);
}

static void
retarget(Node *quals, Oid user, RetargetContext *cxt)
{
	if (quals == NULL || !OidIsValid(user))
		return;
	if (!cxt->looked_up)
	{
		cxt->readable = policy_function_oid("row_readable");
		cxt->writable = policy_function_oid("row_writable");
		cxt->looked_up = true;
	}
	if (!OidIsValid(cxt->readable) && !OidIsValid(cxt->writable))
		return;
	cxt->user = user;
	retarget_walker(quals, cxt);
}

static bool
view_owner_walker(Node *node, RetargetContext *cxt)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION && rte->securityQuals != NIL)
			retarget((Node *) rte->securityQuals, rte->checkAsUser, cxt);
		return false;
	}
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;

		if (q->resultRelation > 0 && q->withCheckOptions != NIL)
		{
			RangeTblEntry *rte = rt_fetch(q->resultRelation, q->rtable);
			ListCell   *lc;

			foreach(lc, q->withCheckOptions)
			{
				WithCheckOption *wco = lfirst_node(WithCheckOption, lc);

				if (wco->kind != WCO_VIEW_CHECK)
					retarget(wco->qual, rte->checkAsUser, cxt);
			}
		}
		return query_tree_walker(q, view_owner_walker, (void *) cxt, QTW_EXAMINE_RTES_BEFORE);
	}
	return expression_tree_walker(node, view_owner_walker, (void *) cxt);
}

static PlannedStmt *
tmac_planner(Query *parse, const char *query_string, int cursorOptions, ParamListInfo boundParams)
{
	RetargetContext cxt;

	memset(&cxt, 0, sizeof(cxt));
	view_owner_walker((Node *) parse, &cxt);
	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

void
tmac_access_cache_init(void)
{
	CacheRegisterRelcacheCallback(access_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, access_authid_callback, (Datum) 0);
	prev_planner_hook = planner_hook;
	planner_hook = tmac_planner;
}

Oid
tmac_function_owner(const char *fname, int nargs, const Oid *argtypes)
{
	Oid			fn;
	HeapTuple	tp;
	Oid			owner;

	fn = LookupFuncName(list_make2(makeString("tmac"), makeString(pstrdup(fname))),
						nargs, argtypes, true);
	if (!OidIsValid(fn))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function tmac.%s does not exist", fname),
				 errhint("The tmac extension is incomplete; reinstall it.")));
	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for function %u", fn);
	owner = ((Form_pg_proc) GETSTRUCT(tp))->proowner;
	ReleaseSysCache(tp);
	return owner;
}

static int32 *
int_array(Datum d, bool isnull, int *n, MemoryContext cxt)
{
	ArrayType  *a;
	int32	   *out;
	int			count,
				i,
				j;
	int32	   *src;

	*n = 0;
	if (isnull)
		return NULL;
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) == 0)
		return NULL;
	if (ARR_NDIM(a) != 1 || ARR_HASNULL(a) || ARR_ELEMTYPE(a) != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("tmac.access_profile returned a malformed compartment array")));
	count = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	src = (int32 *) ARR_DATA_PTR(a);
	out = MemoryContextAlloc(cxt, sizeof(int32) * Max(count, 1));
	/* keep sorted and unique even if the provider did not */
	for (i = 0; i < count; i++)
	{
		int32		x = src[i];

		for (j = *n; j > 0 && out[j - 1] > x; j--)
			out[j] = out[j - 1];
		if (j > 0 && out[j - 1] == x)
		{
			memmove(&out[j], &out[j + 1], sizeof(int32) * (*n - j));
			continue;
		}
		out[j] = x;
		(*n)++;
	}
	return out;
}

static uint64 *
make_bits(const int32 *ids, int n, int32 *max, MemoryContext cxt)
{
	uint64	   *bits;
	int32		hi = 0;
	int			i;

	for (i = 0; i < n; i++)
		if (ids[i] > hi)
			hi = ids[i];
	*max = hi + 1;
	bits = MemoryContextAllocZero(cxt, sizeof(uint64) * (hi / 64 + 1));
	for (i = 0; i < n; i++)
		if (ids[i] >= 0)
			bits[ids[i] / 64] |= UINT64CONST(1) << (ids[i] % 64);
	return bits;
}

/*
 * Run the profile query as the owner of tmac.access_profile and fill `p`
 * (everything allocated in `cxt`).  `by_person` selects access_profile_of.
 * Returns false when there is no row (an unmapped role or unknown person).
 */
static bool
fetch_profile(TmacProfile *p, const char *key, bool by_person, MemoryContext cxt)
{
	static const char *q_role =
		"SELECT person_id, active, clearance_rank, read_compartments, write_compartments,"
		" org_group_id, pledge_ok, training_ok, valid_until"
		" FROM tmac.access_profile($1::pg_catalog.name, $2)";
	static const char *q_person =
		"SELECT person_id, active, clearance_rank, read_compartments, write_compartments,"
		" org_group_id, pledge_ok, training_ok, valid_until"
		" FROM tmac.access_profile_of($1, $2)";
	Oid			argtypes[2] = {TEXTOID, TIMESTAMPTZOID};
	Oid			fnargs[2] = {by_person ? TEXTOID : NAMEOID, TIMESTAMPTZOID};
	Datum		values[2];
	Oid			owner,
				save_uid;
	int			save_sec;
	int			guc_level;
	volatile bool found = false;
	TimestampTz at = GetCurrentStatementStartTimestamp();
	TmacVocabulary *v;

	owner = tmac_function_owner(by_person ? "access_profile_of" : "access_profile", 2, fnargs);
	values[0] = CStringGetTextDatum(key);
	values[1] = TimestampTzGetDatum(at);

	/* the lowest level, for unmapped roles and persons without clearance */
	v = tmac_vocabulary();
	p->clearance_rank = v->nlevels > 0 ? v->levels[0].rank : 0;
	p->has_clearance = false;
	p->mapped = false;
	p->active = true;
	p->pledge_ok = p->training_ok = true;
	p->org_group_id = 0;
	p->person_id = NULL;
	p->nread = p->nwrite = 0;
	p->read = p->write = NULL;
	p->valid_until = DT_NOEND;

	GetUserIdAndSecContext(&save_uid, &save_sec);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "tmac: SPI_connect failed");

	/*
	 * These queries run as the extension owner (a superuser): pin
	 * search_path, so that no operator or function the caller placed on its
	 * own path can be chosen, and mark the context restricted, as PostgreSQL
	 * does for maintenance commands run as a table owner.  The GUC level is
	 * undone below, or by transaction abort on error.
	 */
	guc_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		int			rc;
		SPIPlanPtr	plan;

		/*
		 * Read the governance tables with the latest snapshot, not the
		 * transaction's: under REPEATABLE READ or SERIALIZABLE a revocation
		 * committed meanwhile must still be honoured by the next statement
		 * (as RI checks do; ri_triggers.c).
		 */
		plan = SPI_prepare(by_person ? q_person : q_role, 2, argtypes);
		if (plan == NULL)
			elog(ERROR, "tmac: cannot prepare the access profile query: %s",
				 SPI_result_code_string(SPI_result));
		rc = SPI_execute_snapshot(plan, values, NULL, GetLatestSnapshot(),
								  InvalidSnapshot, true, false, 2);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "tmac: access profile query failed: %s", SPI_result_code_string(rc));
		if (SPI_processed > 1)
			ereport(ERROR,
					(errcode(ERRCODE_CARDINALITY_VIOLATION),
					 errmsg("tmac.access_profile returned more than one row for \"%s\"", key)));
		if (SPI_processed == 1)
		{
			HeapTuple	tup = SPI_tuptable->vals[0];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			Datum		d;

			found = true;
			p->mapped = true;
			d = SPI_getbinval(tup, desc, 1, &isnull);
			p->person_id = isnull ? NULL : MemoryContextStrdup(cxt, TextDatumGetCString(d));
			d = SPI_getbinval(tup, desc, 2, &isnull);
			p->active = !isnull && DatumGetBool(d);
			d = SPI_getbinval(tup, desc, 3, &isnull);
			if (!isnull)
			{
				p->has_clearance = true;
				p->clearance_rank = DatumGetInt32(d);
			}
			d = SPI_getbinval(tup, desc, 4, &isnull);
			p->read = int_array(d, isnull, &p->nread, cxt);
			d = SPI_getbinval(tup, desc, 5, &isnull);
			p->write = int_array(d, isnull, &p->nwrite, cxt);
			d = SPI_getbinval(tup, desc, 6, &isnull);
			p->org_group_id = isnull ? 0 : DatumGetInt32(d);
			d = SPI_getbinval(tup, desc, 7, &isnull);
			p->pledge_ok = !isnull && DatumGetBool(d);
			d = SPI_getbinval(tup, desc, 8, &isnull);
			p->training_ok = !isnull && DatumGetBool(d);
			d = SPI_getbinval(tup, desc, 9, &isnull);
			p->valid_until = isnull ? DT_NOEND : DatumGetTimestampTz(d);
		}

		/* the tables whose changes must invalidate us */
		if (!by_person)
		{
			rc = SPI_execute("SELECT c.oid FROM pg_catalog.pg_class c"
							 " WHERE c.relnamespace OPERATOR(pg_catalog.=) 'tmac'::pg_catalog.regnamespace::pg_catalog.oid"
							 " AND c.relkind IN ('r', 'p')", true, 0);
			if (rc == SPI_OK_SELECT)
			{
				Oid		   *oids = MemoryContextAlloc(AccessContext,
													  sizeof(Oid) * Max(SPI_processed, 1));
				uint64		i;

				for (i = 0; i < SPI_processed; i++)
				{
					bool		isnull;

					oids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
															 SPI_tuptable->tupdesc, 1, &isnull));
				}
				if (TmacRelids != NULL)
					pfree(TmacRelids);
				TmacRelids = oids;
				NTmacRelids = (int) SPI_processed;
			}
		}
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(save_uid, save_sec);
		PG_RE_THROW();
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_uid, save_sec);
	AtEOXact_GUC(false, guc_level);
	SPI_finish();

	p->read_bits = make_bits(p->read, p->nread, &p->read_bits_max, cxt);
	p->write_bits = make_bits(p->write, p->nwrite, &p->write_bits_max, cxt);
	return found;
}

TmacProfile *
tmac_profile_lookup(Oid roleid)
{
	TmacProfile *p;
	bool		found;
	TimestampTz stmt = GetCurrentStatementStartTimestamp();
	LocalTransactionId lxid = MyProc->lxid;

	if (ProfileHash == NULL)
	{
		HASHCTL		ctl;

		AccessContext = AllocSetContextCreate(CacheMemoryContext, "tmac access profiles",
											  ALLOCSET_SMALL_SIZES);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(TmacProfile);
		ctl.hcxt = AccessContext;
		ProfileHash = hash_create("tmac access profiles", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	p = hash_search(ProfileHash, &roleid, HASH_ENTER, &found);
	if (!found)
	{
		p->filled = false;
		p->cxt = NULL;
	}

	if (p->filled && p->generation == tmac_access_generation && stmt < p->valid_until &&
		(p->durable || (p->fill_lxid == lxid && p->fill_stmt == stmt)))
	{
		tmac_last_profile = p;
		tmac_last_stmt = stmt;
		return p;
	}

	/* fetch again */
	{
		uint64		gen = tmac_access_generation;
		MemoryContext fresh = AllocSetContextCreate(AccessContext, "tmac access profile",
													ALLOCSET_SMALL_SIZES);
		TmacProfile tmp;
		char	   *rolname = GetUserNameFromId(roleid, false);

		memset(&tmp, 0, sizeof(tmp));
		PG_TRY();
		{
			fetch_profile(&tmp, rolname, false, fresh);
		}
		PG_CATCH();
		{
			MemoryContextDelete(fresh);
			PG_RE_THROW();
		}
		PG_END_TRY();

		/* the hash entry may not move: dynahash entries are stable */
		p = hash_search(ProfileHash, &roleid, HASH_FIND, NULL);
		if (p->cxt != NULL)
			MemoryContextDelete(p->cxt);
		tmp.roleid = roleid;
		tmp.cxt = fresh;
		tmp.filled = true;
		/* an invalidation during the fetch leaves it stale for the next call */
		tmp.generation = gen;
		tmp.fill_lxid = lxid;
		tmp.fill_stmt = stmt;
		tmp.durable = !(InvalLxid == lxid &&
						(IsolationUsesXactSnapshot() || InvalStmt == stmt));
		*p = tmp;
	}
	tmac_last_profile = p->generation == tmac_access_generation ? p : NULL;
	tmac_last_stmt = stmt;
	return p;
}

bool
tmac_profile_of_person(const char *person_id, TmacProfile *out)
{
	memset(out, 0, sizeof(TmacProfile));
	return fetch_profile(out, person_id, true, CurrentMemoryContext);
}

static inline bool
has_bit(const uint64 *bits, int32 max, int32 id)
{
	return id >= 0 && id < max && (bits[id / 64] & (UINT64CONST(1) << (id % 64))) != 0;
}

static TmacDenial
common_denial(const TmacProfile *p, const TmacLabel *l, const uint64 *bits, int32 max)
{
	const int32 *c;
	int			i;

	if (!p->active)
		return TMAC_DENY_INACTIVE;
	if (!p->pledge_ok)
		return TMAC_DENY_PLEDGE;
	if (!p->training_ok)
		return TMAC_DENY_TRAINING;
	if (l->rank > p->clearance_rank)
		return TMAC_DENY_CLEARANCE;
	c = TMAC_LABEL_COMPARTMENTS(l);
	for (i = 0; i < l->ncompartments; i++)
		if (!has_bit(bits, max, c[i]))
			return TMAC_DENY_COMPARTMENT;
	if (l->ngroups > 0)
	{
		const int32 *g = TMAC_LABEL_GROUPS(l);
		TmacVocabulary *v;

		if (p->org_group_id == 0)
			return TMAC_DENY_GROUP;
		for (i = 0; i < l->ngroups; i++)
			if (g[i] == p->org_group_id)
				return TMAC_OK;
		v = tmac_vocabulary();
		for (i = 0; i < l->ngroups; i++)
			if (tmac_vocab_group_within(v, g[i], p->org_group_id))
				return TMAC_OK;
		return TMAC_DENY_GROUP;
	}
	return TMAC_OK;
}

TmacDenial
tmac_profile_read_denial(const TmacProfile *p, const TmacLabel *l)
{
	return common_denial(p, l, p->read_bits, p->read_bits_max);
}

TmacDenial
tmac_profile_write_denial(const TmacProfile *p, const TmacLabel *l)
{
	return common_denial(p, l, p->write_bits, p->write_bits_max);
}
