/*
 * profile_cache.c — the per-backend cache of access profiles, and its freshness.
 *
 * The row-level policies of protected tables ask, for every row, whether the
 * acting role may read or write it (decision.c).  The answer depends on the
 * person the role maps to; tmac.access_profile(login_role, at) computes that
 * from the people and grant tables.  Calling it per row would cost a query
 * per row, so each backend caches the answer per role OID.  The fetch is the
 * one query on the decision path; it runs as tmac's owner (owner_query.c).
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
 *     parallel worker and only for the statement it names).  Workers decide
 *     exactly as the leader does, with a cold cache or not.
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

#include <ctype.h>

#include "access/parallel.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "extension.h"
#include "owner_query.h"
#include "profile_cache.h"
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

/* Profiles handed to parallel workers (rule 5). */
static char *ParallelProfiles = NULL;
static bool ParallelProfilesLoaded = false;

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

void
tmac_profile_cache_init(void)
{
	DefineCustomStringVariable("tmac.parallel_profiles",
							   "Access profiles a leader hands to its parallel workers (internal).",
							   NULL, &ParallelProfiles, "", PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_NO_RESET_ALL |
							   GUC_DISALLOW_IN_FILE,
							   NULL, NULL, NULL);
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

void
tmac_idset_build(TmacIdSet *s, const int32 *src, int count, MemoryContext cxt)
{
	int			i,
				j;
	int32		hi = 0;

	s->n = 0;
	s->ids = MemoryContextAlloc(cxt, sizeof(int32) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		int32		x = src[i];

		if (x <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("tmac: an access profile holds the identifier %d", x)));
		for (j = s->n; j > 0 && s->ids[j - 1] > x; j--)
			s->ids[j] = s->ids[j - 1];
		if (j > 0 && s->ids[j - 1] == x)
		{
			memmove(&s->ids[j], &s->ids[j + 1], sizeof(int32) * (s->n - j));
			continue;
		}
		s->ids[j] = x;
		s->n++;
	}
	for (i = 0; i < s->n; i++)
	{
		Assert(i == 0 || s->ids[i - 1] < s->ids[i]);
		hi = Max(hi, s->ids[i]);
	}
	s->max = hi + 1;
	s->bits = MemoryContextAllocZero(cxt, sizeof(uint64) * (hi / 64 + 1));
	for (i = 0; i < s->n; i++)
		s->bits[s->ids[i] / 64] |= UINT64CONST(1) << (s->ids[i] % 64);
}

static void
idset_from_array(TmacIdSet *s, Datum d, bool isnull, MemoryContext cxt)
{
	ArrayType  *a;

	if (isnull)
	{
		tmac_idset_build(s, NULL, 0, cxt);
		return;
	}
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) == 0)
	{
		tmac_idset_build(s, NULL, 0, cxt);
		return;
	}
	if (ARR_NDIM(a) != 1 || ARR_HASNULL(a) || ARR_ELEMTYPE(a) != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("tmac: an access profile holds a malformed identifier array")));
	tmac_idset_build(s, (int32 *) ARR_DATA_PTR(a), ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)), cxt);
}

/* a := a ∩ b (both sorted), rebuilding the bitmap in cxt */
static void
idset_intersect(TmacIdSet *a, const TmacIdSet *b, MemoryContext cxt)
{
	int32	   *both = palloc(sizeof(int32) * Max(a->n, 1));
	int			n = 0,
				i;

	for (i = 0; i < a->n; i++)
		if (tmac_idset_has(b, a->ids[i]))
			both[n++] = a->ids[i];
	tmac_idset_build(a, both, n, cxt);
	pfree(both);
}

/* p := what both p and q allow (the decision at two snapshots, rule 2) */
static void
profile_intersect(TmacProfile *p, const TmacProfile *q, MemoryContext cxt)
{
	p->mapped = p->mapped || q->mapped;
	if (p->person_id == NULL)
		p->person_id = q->person_id;
	p->active = p->active && q->active;
	p->pledge_ok = p->pledge_ok && q->pledge_ok;
	p->training_ok = p->training_ok && q->training_ok;
	p->has_clearance = p->has_clearance && q->has_clearance;
	p->clearance_rank = Min(p->clearance_rank, q->clearance_rank);
	if (p->org_group_id != q->org_group_id)
		p->org_group_id = 0;
	idset_intersect(&p->read, &q->read, cxt);
	idset_intersect(&p->write, &q->write, cxt);
	idset_intersect(&p->reach, &q->reach, cxt);
	p->valid_until = Min(p->valid_until, q->valid_until);
}

typedef struct FetchState
{
	TmacProfile *p;
	MemoryContext cxt;
	const char *key;
} FetchState;

static void
read_profile(SPITupleTable *rows, uint64 n, void *arg)
{
	FetchState *fs = (FetchState *) arg;
	TmacProfile *p = fs->p;
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;

	if (n != 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("tmac.access_profile returned %d rows for \"%s\"", (int) n, fs->key)));
	tup = rows->vals[0];
	desc = rows->tupdesc;

	d = SPI_getbinval(tup, desc, 1, &isnull);
	p->clearance_rank = isnull ? 0 : DatumGetInt32(d);	/* the lowest level */
	p->has_clearance = false;
	p->org_group_id = 0;
	p->person_id = NULL;
	p->valid_until = DT_NOEND;

	d = SPI_getbinval(tup, desc, 2, &isnull);
	p->mapped = !isnull;
	if (p->mapped)
		p->person_id = MemoryContextStrdup(fs->cxt, TextDatumGetCString(d));
	d = SPI_getbinval(tup, desc, 3, &isnull);
	p->active = !p->mapped || (!isnull && DatumGetBool(d));
	d = SPI_getbinval(tup, desc, 4, &isnull);
	if (p->mapped && !isnull)
	{
		p->has_clearance = true;
		p->clearance_rank = DatumGetInt32(d);
	}
	d = SPI_getbinval(tup, desc, 5, &isnull);
	idset_from_array(&p->read, d, isnull || !p->mapped, fs->cxt);
	d = SPI_getbinval(tup, desc, 6, &isnull);
	idset_from_array(&p->write, d, isnull || !p->mapped, fs->cxt);
	d = SPI_getbinval(tup, desc, 7, &isnull);
	p->org_group_id = (isnull || !p->mapped) ? 0 : DatumGetInt32(d);
	d = SPI_getbinval(tup, desc, 8, &isnull);
	p->pledge_ok = !p->mapped || (!isnull && DatumGetBool(d));
	d = SPI_getbinval(tup, desc, 9, &isnull);
	p->training_ok = !p->mapped || (!isnull && DatumGetBool(d));
	d = SPI_getbinval(tup, desc, 10, &isnull);
	p->valid_until = (isnull || !p->mapped) ? DT_NOEND : DatumGetTimestampTz(d);
	d = SPI_getbinval(tup, desc, 11, &isnull);
	idset_from_array(&p->reach, d, isnull || p->org_group_id == 0, fs->cxt);
}

/*
 * Fetch the profile of a login role (or, by_person, of a person) at the
 * statement's start into p, allocating in cxt.  One row always comes back:
 * the lowest level's rank, then the profile's columns (NULL when unmapped),
 * then the groups the person reaches (their own and every group below it;
 * UNION stops at a cycle).  The profile is a materialized CTE that seeds the
 * recursive one: a recursive subquery correlated with the profile instead
 * costs a new backend ~50 ms more.  Returns whether the role or person is mapped.
 */
static bool
fetch_profile(TmacProfile *p, const char *key, bool by_person, bool committed, MemoryContext cxt)
{
#define PROFILE_QUERY(source) \
	"WITH RECURSIVE a AS MATERIALIZED (SELECT * FROM " source ")," \
	" d(id) AS (SELECT a.org_group_id FROM a UNION" \
	"   SELECT g.group_id FROM tmac.org_group g, d WHERE g.parent_id OPERATOR(pg_catalog.=) d.id)" \
	" SELECT (SELECT pg_catalog.min(l.rank) FROM tmac.level l)::pg_catalog.int4," \
	" a.person_id::pg_catalog.text, a.active, a.clearance_rank::pg_catalog.int4," \
	" a.read_compartments::pg_catalog.int4[], a.write_compartments::pg_catalog.int4[]," \
	" a.org_group_id::pg_catalog.int4, a.pledge_ok, a.training_ok, a.valid_until," \
	" (SELECT pg_catalog.array_agg(d.id) FROM d WHERE d.id IS NOT NULL)::pg_catalog.int4[]" \
	" FROM (SELECT) AS one LEFT JOIN a ON true"
	static const char *q_role = PROFILE_QUERY("tmac.access_profile($1::pg_catalog.name, $2)");
	static const char *q_person = PROFILE_QUERY("tmac.access_profile_of($1, $2)");
	static const Oid types[] = {INT4OID, TEXTOID, BOOLOID, INT4OID, INT4ARRAYOID, INT4ARRAYOID,
	INT4OID, BOOLOID, BOOLOID, TIMESTAMPTZOID, INT4ARRAYOID};
	Oid			argtypes[2] = {TEXTOID, TIMESTAMPTZOID};
	Datum		values[2];
	FetchState	fs = {p, cxt, key};

	values[0] = CStringGetTextDatum(key);
	values[1] = TimestampTzGetDatum(GetCurrentStatementStartTimestamp());
	tmac_owner_query(by_person ? q_person : q_role, 2, argtypes, values,
					 lengthof(types), types, true,
					 committed ? TMAC_SNAPSHOT_CURRENT_COMMITTED : TMAC_SNAPSHOT_CURRENT,
					 read_profile, &fs);
	if (IsolationUsesXactSnapshot() && !IsInParallelMode())
	{
		TmacProfile latest;
		FetchState	fl = {&latest, cxt, key};

		memset(&latest, 0, sizeof(latest));
		tmac_owner_query(by_person ? q_person : q_role, 2, argtypes, values,
						 lengthof(types), types, true,
						 committed ? TMAC_SNAPSHOT_LATEST_COMMITTED : TMAC_SNAPSHOT_LATEST,
						 read_profile, &fl);
		profile_intersect(p, &latest, cxt);
	}
	p->committed_only = committed;
	return p->mapped;
#undef PROFILE_QUERY
}

/* ---- rule 5: profiles for parallel workers ---- */

static void
idset_out(StringInfo buf, const TmacIdSet *s)
{
	int			i;

	appendStringInfoChar(buf, ' ');
	for (i = 0; i < s->n; i++)
		appendStringInfo(buf, "%s%d", i ? "," : "", s->ids[i]);
	if (s->n == 0)
		appendStringInfoChar(buf, '-');
}

static void
profile_out(StringInfo buf, const TmacProfile *p)
{
	appendStringInfo(buf, ";%u %d%d%d%d%d%d %d %d " INT64_FORMAT " ",
					 p->roleid, p->mapped, p->active, p->pledge_ok, p->training_ok,
					 p->has_clearance, p->committed_only, p->clearance_rank, p->org_group_id,
					 (int64) p->valid_until);
	if (p->person_id == NULL)
		appendStringInfoChar(buf, '-');
	else
	{
		const char *c;

		for (c = p->person_id; *c; c++)
			appendStringInfo(buf, "%02x", (unsigned char) *c);
	}
	idset_out(buf, &p->read);
	idset_out(buf, &p->write);
	idset_out(buf, &p->reach);
}

void
tmac_profiles_for_workers(List *roles)
{
	StringInfoData buf;
	ListCell   *lc;

	if (IsInParallelMode() || roles == NIL)
		return;
	initStringInfo(&buf);
	appendStringInfo(&buf, INT64_FORMAT " %d", (int64) GetCurrentStatementStartTimestamp(),
					 committed_state_only() ? 1 : 0);
	foreach(lc, roles)
		profile_out(&buf, tmac_profile_lookup(lfirst_oid(lc)));
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

static char *
parse_idset(char *s, TmacIdSet *set, MemoryContext cxt)
{
	int32	   *ids = palloc(sizeof(int32) * (strlen(s) / 2 + 1));
	int			n = 0;

	while (*s == ' ')
		s++;
	if (*s == '-')
		s++;
	else
		for (;;)
		{
			char	   *end;
			long		x = strtol(s, &end, 10);

			if (end == s)
				parse_failed();
			ids[n++] = (int32) x;
			s = end;
			if (*s != ',')
				break;
			s++;
		}
	tmac_idset_build(set, ids, n, cxt);
	pfree(ids);
	return s;
}

/* In a parallel worker: fill the cache from the leader's profiles, once per statement. */
static void
load_leader_profiles(void)
{
	char	   *s = ParallelProfiles;
	char	   *end;
	int64		stmt;

	ParallelProfilesLoaded = true;
	if (s == NULL || *s == '\0')
		return;
	stmt = strtoll(s, &end, 10);
	if (end == s || stmt != (int64) GetCurrentStatementStartTimestamp())
		return;					/* not this statement's */
	s = end;
	if (s[0] != ' ' || (s[1] != '0' && s[1] != '1'))
		parse_failed();
	LeaderCommittedOnly = s[1] == '1';
	s += 2;
	while (*s == ';')
	{
		TmacProfile tmp;
		TmacProfile *p;
		unsigned int roleid;
		int			flags[6];
		int			rank,
					group;
		long long	until;
		int			consumed;
		bool		found;
		int			i;

		memset(&tmp, 0, sizeof(tmp));
		if (sscanf(s + 1, "%u %1d%1d%1d%1d%1d%1d %d %d %lld %n", &roleid, &flags[0], &flags[1],
				   &flags[2], &flags[3], &flags[4], &flags[5], &rank, &group, &until, &consumed) != 10)
			parse_failed();
		s += 1 + consumed;
		tmp.cxt = AllocSetContextCreate(AccessContext, "tmac access profile", ALLOCSET_SMALL_SIZES);
		if (*s == '-')
			s++;
		else
		{
			StringInfoData id;

			initStringInfo(&id);
			while (isxdigit((unsigned char) s[0]) && isxdigit((unsigned char) s[1]))
			{
				char		hex[3] = {s[0], s[1], 0};

				appendStringInfoChar(&id, (char) strtol(hex, NULL, 16));
				s += 2;
			}
			tmp.person_id = MemoryContextStrdup(tmp.cxt, id.data);
		}
		s = parse_idset(s, &tmp.read, tmp.cxt);
		s = parse_idset(s, &tmp.write, tmp.cxt);
		s = parse_idset(s, &tmp.reach, tmp.cxt);
		tmp.roleid = (Oid) roleid;
		tmp.mapped = flags[0];
		tmp.active = flags[1];
		tmp.pledge_ok = flags[2];
		tmp.training_ok = flags[3];
		tmp.has_clearance = flags[4];
		tmp.committed_only = flags[5];
		tmp.clearance_rank = rank;
		tmp.org_group_id = group;
		tmp.valid_until = (TimestampTz) until;
		tmp.filled = true;
		tmp.generation = tmac_access_generation;
		tmp.durable = false;
		tmp.fill_lxid = MyProc->lxid;
		tmp.fill_stmt = GetCurrentStatementStartTimestamp();
		for (i = 0; i < 6; i++)
			if (flags[i] != 0 && flags[i] != 1)
				parse_failed();
		p = hash_search(ProfileHash, &tmp.roleid, HASH_ENTER, &found);
		if (found && p->cxt != NULL)
			MemoryContextDelete(p->cxt);
		*p = tmp;
	}
	if (*s != '\0')
		parse_failed();
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
	fetch_profile(p, GetUserNameFromId(roleid, false), false, committed_state_only(), set->cxt);
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
	if (IsParallelWorker() && !ParallelProfilesLoaded)
		load_leader_profiles();
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
				fetch_profile(&tmp, rolname, false, committed, fresh);
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

void
tmac_profile_copy(TmacProfile *dst, const TmacProfile *src, MemoryContext cxt)
{
	*dst = *src;
	dst->cxt = NULL;
	dst->person_id = src->person_id ? MemoryContextStrdup(cxt, src->person_id) : NULL;
	tmac_idset_build(&dst->read, src->read.ids, src->read.n, cxt);
	tmac_idset_build(&dst->write, src->write.ids, src->write.n, cxt);
	tmac_idset_build(&dst->reach, src->reach.ids, src->reach.n, cxt);
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
	return fetch_profile(out, person_id, true, committed_state_only(), CurrentMemoryContext);
}
