/*
 * profile_cache.c — the per-backend cache of access profiles, and its freshness.
 *
 * The row-level policies of protected tables ask, for every row, whether the
 * acting role may read or write it (decision.c).  The answer depends on the
 * person the role maps to; tmac.access_profile(login_role, at) computes that
 * from the people and grant tables.  Calling it per row would cost a query
 * per row, so each backend caches the answer per role OID.  The fetch is the
 * one query on the decision path (profile_fetch.c, run as tmac's owner).
 * A backend that has no profile for a role yet first asks shared memory for
 * one another backend computed (shared_profiles.c, which says when that is
 * exactly what the fetch would return); so a new connection usually runs no
 * query at all.
 *
 * Why a cached profile is never stale:
 *
 *  1. Data changes — one sentinel.  Every governance table has an AFTER ...
 *     FOR EACH STATEMENT trigger calling tmac.cache_invalidate(), which
 *     queues a relcache invalidation of one relation, tmac.cache_sentinel
 *     (the pattern pg_cron uses).  The relcache callback below compares the
 *     relid with that one OID (or InvalidOid, "everything", after a sinval
 *     overflow) and bumps a generation counter; an entry from an older
 *     generation is fetched again.  PostgreSQL delivers the invalidation to
 *     every other backend once the change commits, no later than when that
 *     backend next locks a relation or starts an executor (tmac.c's
 *     executor-start hook takes them in: a transaction that already holds
 *     its locks, e.g. with a cursor open on the table, takes none) or fetches
 *     from a cursor (cursor_access.c) — and to this backend at its
 *     next command counter increment; a rollback replays it locally, so an
 *     entry that saw uncommitted rows is dropped too.  Revocation, approval,
 *     termination, role change, pledges, training, settings and vocabulary
 *     are all rows in such tables.
 *
 *  2. Snapshots.  A profile is what the governance tables said when the
 *     statement started: under READ COMMITTED it is read with the statement's
 *     own snapshot, which holds every commit before the statement began and
 *     none after (so a revocation committed before is honoured, and a grant
 *     committed after the statement began is not used by it).  Under
 *     REPEATABLE READ and SERIALIZABLE the statement's snapshot is the
 *     transaction's, which could be older than a revocation: the profile is
 *     read with it and with the latest snapshot, and only what both allow is
 *     granted.  A statement takes its snapshot before it locks its tables, so
 *     an invalidation can arrive in a statement whose snapshot does not yet
 *     see the commit that sent it: a profile fetched in the statement (or,
 *     under REPEATABLE READ, the transaction) of the last invalidation is used
 *     for that statement only ("not durable"), and the next statement, whose
 *     snapshot is newer, fetches again.
 *  3. Time.  access_profile() returns valid_until, the first instant after
 *     `at` at which the answer changes by time alone (an expiry, an HR event
 *     coming due).  Each statement compares its start time with it, so an
 *     expiry needs no job.  Profiles are computed `at` the statement's start.
 *
 *  4. Roles.  ALTER ROLE ... RENAME changes the name a profile was fetched
 *     by: a pg_authid syscache callback also bumps the generation.
 *
 *  5. Parallel workers cannot take a new snapshot.  Before a parallel plan
 *     starts, the leader fetches the profiles of every role the plan decides
 *     for and hands them to its workers in a GUC that parallel workers
 *     inherit (tmac.parallel_profiles, superuser-only, trusted only inside a
 *     parallel worker and only for the statement it names); each worker puts
 *     them in its cache as its executor starts (parallel_handoff.c,
 *     tmac_profile_cache_adopt).  Workers decide exactly as the leader does,
 *     with a cold cache or not.
 *
 *  6. Changes in this transaction.  A change to governance data must never
 *     widen the changer's own reads before it is committed and audited.  Once
 *     a role that is not a superuser has changed governance data in this
 *     transaction, profiles used while that role (or a role it can become) is
 *     the outer user are read from the committed state only (owner_query.c),
 *     and only for one statement.
 *
 *  7. Cursors.  A cursor's own executor, and any query it runs under the
 *     same snapshot, decides with the profiles its roles had when it was
 *     opened (cursor_access.c pins copies of them meanwhile), whatever
 *     statement fetches from it; a role first needed meanwhile is read with
 *     the cursor's snapshot and kept with the cursor, never in the cache.  A
 *     query with a snapshot of its own decides by rules 1-6.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/parallel.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "extension.h"
#include "profile_cache.h"
#include "profile_fetch.h"
#include "shared_profiles.h"

uint64		tmac_access_generation = 1;
TmacProfile *tmac_last_profile = NULL;
TimestampTz tmac_last_stmt = 0;

static HTAB *ProfileHash = NULL;
static MemoryContext AccessContext = NULL;

/* When the last invalidation arrived. */
static LocalTransactionId InvalLxid = InvalidLocalTransactionId;
static TimestampTz InvalStmt = 0;

/* Who changed governance data in this transaction (rule 6). */
#define MAX_WRITERS 8
static LocalTransactionId WritersLxid = InvalidLocalTransactionId;
static int	NWriters = 0;
static bool WritersOverflow = false;
static Oid	Writers[MAX_WRITERS];

/* A cursor's profiles while its executor runs (rule 7). */
static TmacPinnedSet *Pinned = NULL;

static void
note_invalidation(void)
{
	tmac_access_generation++;
	tmac_last_profile = NULL;
	InvalLxid = MyProc != NULL ? MyProc->lxid : InvalidLocalTransactionId;
	InvalStmt = GetCurrentStatementStartTimestamp();
}

void
tmac_profile_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == tmac_sentinel_relid)
		note_invalidation();
}

void
tmac_profile_authid_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	note_invalidation();
}

void
tmac_profile_xact_callback(XactEvent event, void *arg)
{
	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT &&
		event != XACT_EVENT_PREPARE)
		return;
	if (NWriters > 0 || WritersOverflow)
		tmac_access_generation++;
	NWriters = 0;
	WritersOverflow = false;
	WritersLxid = InvalidLocalTransactionId;
	tmac_last_profile = NULL;
}


static void
note_writer(Oid writer)
{
	int			i;

	if (superuser_arg(writer))
		return;
	for (i = 0; i < NWriters; i++)
		if (Writers[i] == writer)
			return;
	if (NWriters < MAX_WRITERS)
		Writers[NWriters++] = writer;
	else
		WritersOverflow = true;
}

/*
 * Rule 6: called by the tmac.cache_invalidate() statement trigger.  Both the
 * outer user (the role acting, after SET ROLE) and the session user (the
 * login, which only a superuser can change) are writers: a login that changed
 * governance data as one of its roles and then RESET ROLE is still the writer.
 */
void
tmac_note_governance_change(void)
{
	LocalTransactionId lxid = MyProc->lxid;

	if (WritersLxid != lxid)
	{
		NWriters = 0;
		WritersOverflow = false;
		WritersLxid = lxid;
	}
	note_writer(GetOuterUserId());
	note_writer(GetSessionUserId());
}

/*
 * Rule 6: must this transaction's governance changes be ignored right now?
 * Yes while the session user is a writer (every role it may SET is then
 * covered), or the outer user is a writer or a role a writer can become.
 * In a parallel worker, the leader's answer (handed over with the profiles).
 */
static bool LeaderCommittedOnly = false;

static bool
committed_state_only(void)
{
	Oid			outer,
				session;
	int			i;

	if (IsParallelWorker())
		return LeaderCommittedOnly;
	if (WritersLxid != MyProc->lxid || (NWriters == 0 && !WritersOverflow))
		return false;
	if (WritersOverflow)
		return true;
	outer = GetOuterUserId();
	session = GetSessionUserId();
	for (i = 0; i < NWriters; i++)
		if (Writers[i] == session || Writers[i] == outer || is_member_of_role(Writers[i], outer))
			return true;
	return false;
}

static void
create_cache(void)
{
	HASHCTL		ctl;

	if (ProfileHash != NULL)
		return;
	AccessContext = AllocSetContextCreate(CacheMemoryContext, "tmac access profiles",
										  ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TmacProfile);
	ctl.hcxt = AccessContext;
	ProfileHash = hash_create("tmac access profiles", 16, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* ---- rule 5: a parallel worker takes its leader's profiles ---- */

void
tmac_profile_cache_adopt(const TmacProfile *src)
{
	TmacProfile tmp;
	TmacProfile *p;
	bool		found;
	MemoryContext fresh;

	create_cache();
	fresh = AllocSetContextCreate(AccessContext, "tmac access profile", ALLOCSET_SMALL_SIZES);
	tmac_profile_copy(&tmp, src, fresh);
	tmp.cxt = fresh;
	tmp.filled = true;
	tmp.generation = tmac_access_generation;
	tmp.durable = false;
	tmp.fill_lxid = MyProc->lxid;
	tmp.fill_stmt = GetCurrentStatementStartTimestamp();
	p = hash_search(ProfileHash, &tmp.roleid, HASH_ENTER, &found);
	if (found && p->cxt != NULL)
		MemoryContextDelete(p->cxt);
	*p = tmp;
	tmac_last_profile = NULL;
}

void
tmac_profile_cache_leader_committed(bool committed_only)
{
	LeaderCommittedOnly = committed_only;
}

/* ---- rule 7: a cursor's profiles ---- */

/*
 * The pinned profile of `roleid`; one not there yet (a role the cursor's
 * plan did not name: a SECURITY DEFINER function's owner, a role SET since
 * the cursor opened) is read now with the active snapshot, the cursor's, and
 * kept with the cursor only: a profile read with an old snapshot must never
 * reach the cache, where later statements would take it for a current one.
 */
static TmacProfile *
pinned_lookup(Oid roleid)
{
	TmacPinnedSet *set = Pinned;
	TmacProfile *p;
	int			i;

	for (i = 0; i < set->n; i++)
		if (set->profiles[i]->roleid == roleid)
			return set->profiles[i];
	p = MemoryContextAllocZero(set->cxt, sizeof(TmacProfile));
	tmac_profile_fetch(p, GetUserNameFromId(roleid, false), false, committed_state_only(), set->cxt,
					   GetCurrentStatementStartTimestamp());
	p->roleid = roleid;
	p->filled = true;
	if (set->n == set->cap)
	{
		set->cap = Max(4, set->cap * 2);
		set->profiles = set->profiles == NULL
			? MemoryContextAlloc(set->cxt, sizeof(TmacProfile *) * set->cap)
			: repalloc(set->profiles, sizeof(TmacProfile *) * set->cap);
	}
	set->profiles[set->n++] = p;
	return p;
}

/* ---- the cache ---- */

TmacProfile *
tmac_profile_lookup(Oid roleid)
{
	TmacProfile *p;
	bool		found;
	TimestampTz stmt = GetCurrentStatementStartTimestamp();
	LocalTransactionId lxid = MyProc->lxid;
	bool		committed;

	create_cache();
	if (Pinned != NULL)
	{
		p = pinned_lookup(roleid);
		p->generation = tmac_access_generation; /* for tmac_profile_for's memo */
		tmac_last_profile = p;
		tmac_last_stmt = stmt;
		return p;
	}

	p = hash_search(ProfileHash, &roleid, HASH_ENTER, &found);
	if (!found)
	{
		p->filled = false;
		p->cxt = NULL;
	}

	/* a worker decides exactly as its leader: the leader's profile as handed over */
	committed = IsParallelWorker() && found && p->filled ? p->committed_only : committed_state_only();
	if (p->filled && p->generation == tmac_access_generation && stmt < p->valid_until &&
		p->committed_only == committed &&
		(p->durable || (p->fill_lxid == lxid && p->fill_stmt == stmt)))
	{
		tmac_last_profile = p;
		tmac_last_stmt = stmt;
		return p;
	}

	/*
	 * A worker deciding for a role its leader did not hand over (a parallel
	 * safe function reading through another owner's view, say) fetches with
	 * the statement's snapshot, as the leader would under READ COMMITTED;
	 * under REPEATABLE READ that snapshot is the transaction's and could miss
	 * a revocation, and a worker cannot take a newer one.
	 */
	if (IsParallelWorker() && IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac cannot decide for role \"%s\" in a parallel worker under REPEATABLE READ",
						GetUserNameFromId(roleid, false)),
				 errdetail("The leader of this parallel plan did not hand over that role's access profile."),
				 errhint("Mark the function that reads the protected table PARALLEL RESTRICTED, or use READ COMMITTED.")));

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
			/* another backend's, when provably the same (shared_profiles.c) */
			if (!tmac_shared_profile_get(roleid, rolname, committed, &tmp, fresh))
			{
				TmacSharedFill fill;

				tmac_shared_profile_begin(&fill, committed);
				tmac_profile_fetch(&tmp, rolname, false, committed, fresh,
								   GetCurrentStatementStartTimestamp());
				tmac_shared_profile_put(&fill, roleid, rolname, &tmp);
			}
		}
		PG_CATCH();
		{
			MemoryContextDelete(fresh);
			PG_RE_THROW();
		}
		PG_END_TRY();

		/* the hash entry may not move: dynahash entries are stable */
		p = hash_search(ProfileHash, &roleid, HASH_FIND, NULL);
		Assert(p != NULL);
		if (p->cxt != NULL)
			MemoryContextDelete(p->cxt);
		tmp.roleid = roleid;
		tmp.cxt = fresh;
		tmp.filled = true;
		/* an invalidation during the fetch leaves it stale for the next call */
		tmp.generation = gen;
		tmp.fill_lxid = lxid;
		tmp.fill_stmt = stmt;
		tmp.durable = !committed && tmac_generation_settled();
		*p = tmp;
	}
	tmac_last_profile = p->generation == tmac_access_generation ? p : NULL;
	tmac_last_stmt = stmt;
	return p;
}

/* ---- pinned profiles (rule 7) ---- */

void
tmac_profiles_pin(TmacPinnedSet *set)
{
	if (Pinned != set)
		tmac_last_profile = NULL;	/* the memo never crosses a pin */
	Pinned = set;
}

bool
tmac_committed_state_only(void)
{
	return committed_state_only();
}

bool
tmac_generation_settled(void)
{
	return !(InvalLxid == MyProc->lxid &&
			 (IsolationUsesXactSnapshot() || InvalStmt == GetCurrentStatementStartTimestamp()));
}

bool
tmac_profile_of_person(const char *person_id, TmacProfile *out)
{
	memset(out, 0, sizeof(TmacProfile));
	return tmac_profile_fetch(out, person_id, true, committed_state_only(), CurrentMemoryContext,
							  GetCurrentStatementStartTimestamp());
}

bool
tmac_profile_of_person_at(const char *person_id, TimestampTz at, bool as_decided, TmacProfile *out)
{
	memset(out, 0, sizeof(TmacProfile));
	return tmac_profile_fetch(out, person_id, true, as_decided && committed_state_only(),
							  CurrentMemoryContext, at);
}
