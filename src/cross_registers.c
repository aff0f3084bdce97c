/*
 * cross_registers.c — what the checks across registers ask of the decision
 * and of the protected tables (87_checks_cross.sql).
 *
 * tmac.access_failures_at(person_id, label, at, as_decided) answers "could this person
 * read information with this label at that instant": the profile is what
 * tmac.access_profile_of(person, at) says for that instant (grants and
 * clearances in force then, pledge and training current then, HR events due
 * by then), and the answer comes from the one decision routine
 * (decision.c), so a check across registers never disagrees with the row
 * policies or explain_access.  It returns every failing check by name (an
 * empty array when the person may read), not only the first: the checks
 * leave out "active" for a past instant, which the profile answers from
 * today's applied HR state (leaver_activity covers what a terminated person
 * did after leaving).  A refusal asks as_decided, as the row policies would
 * decide now (a role that changed governance data in this transaction is
 * decided on the committed state: profile_cache.c, rule 6); a finding asks
 * about the current state, as every other check reads it.
 *
 * tmac.read_failures(label, clearance, compartments, reach, pledge_ok,
 * training_ok) is the same answer for a profile read set-based by
 * tmac.access_profiles_at: the checks over every act (handling entries, area
 * entries) read all the profiles they need in one query, not one query per
 * person (87_checks_cross.sql says why that, and not a table of verdicts),
 * and still decide with the one routine.
 *
 * tmac.rows_above_label(table, label) counts the rows of a protected table
 * (and of its partitions and children) labelled above the given label — a
 * higher level, or a compartment it does not name (groups say who within the
 * company, not how secret: an asset whose table holds the rows of several
 * departments names none) — read through owner_scan.c: the heap itself, never a query over
 * a table someone else owns, so none of the owner's casts, operators or
 * policies runs with tmac's rights.
 *
 * tmac.decide_acts_latest(acts, act_ids, persons, ats, objects) is how an
 * act's own trigger keeps its verdict (86_verdicts.sql): tmac.decide_acts —
 * the label each act read and the one decision over its person's profile —
 * run with the latest snapshot taken here, as RI checks do, never with the
 * transaction's own: under REPEATABLE READ that could be imported
 * (SET TRANSACTION SNAPSHOT) from before a governance change whose marker a
 * fold has already consumed.  The snapshot is taken after the act's
 * statement locked its table, which is what lets the fold wait only for the
 * transactions holding such a lock (86_verdicts.sql gives the argument).
 *
 * They run only inside tmac's own SECURITY DEFINER checks, refusals and
 * triggers; nothing grants EXECUTE on them to anyone.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "decision.h"
#include "label.h"
#include "owner_query.h"
#include "owner_scan.h"
#include "profile_cache.h"
#include "profile_fetch.h"

/*
 * A check asks about many acts, each at its own instant; a person's profile
 * holds from the instant it was fetched for until its valid_until.  The last
 * profile fetched is kept for the statement (and the access generation, and
 * the as_decided mode): an act of the same person within its span reuses it
 * (the checks feed the acts ordered by person and time), so 10,000 entries
 * of a few hundred persons cost a few hundred profile queries.  Only under a
 * snapshot that sees what the one it was read with saw: the same xmax, the
 * same number of transactions in progress (those of the later snapshot are
 * among the earlier one's when xmax is the same, so the same set) and the
 * same command — a kept verdict is decided by a trigger with a snapshot of
 * its own (decide_acts_latest) and by a fold after its wait, never with a
 * profile read earlier in the statement.
 */
static MemoryContext MemoCxt = NULL;
static char *MemoPerson = NULL;
static bool MemoFound = false;
static bool MemoAsDecided = false;
static TimestampTz MemoFrom = 0;
static TimestampTz MemoStmt = 0;
static uint64 MemoGeneration = 0;
static LocalTransactionId MemoLxid = InvalidLocalTransactionId;
static TmacProfile MemoProfile;
static TransactionId MemoXmax = InvalidTransactionId;
static uint32 MemoXcnt = 0;
static int32 MemoSubxcnt = 0;
static bool MemoSuboverflowed = false;
static CommandId MemoCurcid = InvalidCommandId;

/* Whether the active snapshot sees what the memo's did (see above). */
static bool
memo_snapshot_same(void)
{
	Snapshot	s = ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;

	return s != NULL && s->xmax == MemoXmax && s->xcnt == MemoXcnt && s->subxcnt == MemoSubxcnt &&
		s->suboverflowed == MemoSuboverflowed && s->curcid == MemoCurcid;
}

static void
memo_snapshot_note(void)
{
	Snapshot	s = ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;

	MemoXmax = s ? s->xmax : InvalidTransactionId;
	MemoXcnt = s ? s->xcnt : 0;
	MemoSubxcnt = s ? s->subxcnt : 0;
	MemoSuboverflowed = s ? s->suboverflowed : false;
	MemoCurcid = s ? s->curcid : InvalidCommandId;
}

static const TmacProfile *
profile_at(const char *person_id, TimestampTz at, bool as_decided)
{
	if (MemoPerson != NULL && MemoLxid == MyProc->lxid &&
		MemoStmt == GetCurrentStatementStartTimestamp() &&
		MemoGeneration == tmac_access_generation && MemoAsDecided == as_decided &&
		memo_snapshot_same() && strcmp(MemoPerson, person_id) == 0 && at >= MemoFrom &&
		(!MemoFound || at < MemoProfile.valid_until))
		return MemoFound ? &MemoProfile : NULL;

	if (MemoCxt == NULL)
		MemoCxt = AllocSetContextCreate(TopMemoryContext, "tmac cross-register profile",
										ALLOCSET_SMALL_SIZES);
	MemoryContextReset(MemoCxt);
	MemoPerson = NULL;
	{
		MemoryContext old = MemoryContextSwitchTo(MemoCxt);

		MemoFound = tmac_profile_of_person_at(person_id, at, as_decided, &MemoProfile);
		MemoPerson = pstrdup(person_id);
		MemoryContextSwitchTo(old);
	}
	MemoFrom = at;
	MemoAsDecided = as_decided;
	MemoStmt = GetCurrentStatementStartTimestamp();
	MemoGeneration = tmac_access_generation;
	MemoLxid = MyProc->lxid;
	memo_snapshot_note();
	/* an unknown person is unknown at every instant of the statement */
	if (!MemoFound)
		MemoFrom = DT_NOBEGIN;
	return MemoFound ? &MemoProfile : NULL;
}

static void
note_failure(void *arg, TmacCheck check, int32 id, bool passed)
{
	bool	   *failed = (bool *) arg;

	if (!passed)
		failed[check] = true;
}

/* Every check a profile fails to read a label, by name (the one decision, decision.c). */
static ArrayType *
read_failures(const TmacProfile *prof, const TmacLabel *l)
{
	bool		failed[TMAC_CHECK_GROUP + 1];
	Datum		names[TMAC_CHECK_GROUP + 1];
	int			n = 0;
	int			i;

	memset(failed, 0, sizeof(failed));
	(void) tmac_decide(prof, l, TMAC_READ, NULL, note_failure, failed);
	for (i = 0; i <= TMAC_CHECK_GROUP; i++)
		if (failed[i])
			names[n++] = CStringGetTextDatum(tmac_check_name((TmacCheck) i));
	return construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * access_failures_at(person_id text, lbl tmac.label, at timestamptz,
 * as_decided boolean) RETURNS text[]
 */
PG_FUNCTION_INFO_V1(tmac_access_failures_at);
Datum
tmac_access_failures_at(PG_FUNCTION_ARGS)
{
	char	   *person_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TmacLabel  *l = PG_GETARG_TMAC_LABEL(1);
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(2);
	bool		as_decided = PG_GETARG_BOOL(3);
	const TmacProfile *prof;

	prof = profile_at(person_id, at, as_decided);
	if (prof == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(read_failures(prof, l));
}

/*
 * read_failures(lbl tmac.label, clearance_rank integer, compartments integer[],
 * reach integer[], pledge_ok boolean, training_ok boolean) RETURNS text[]:
 * the same answer as access_failures_at, for a profile read by the set-based
 * tmac.access_profiles_at (87_checks_cross.sql) — a check over every act
 * reads all its profiles in one query instead of one query per person.
 * Only the read side: no write compartments; "active" is never among the
 * failures (the checks leave it out for a past instant).
 */
PG_FUNCTION_INFO_V1(tmac_read_failures);
Datum
tmac_read_failures(PG_FUNCTION_ARGS)
{
	TmacProfile prof;

	memset(&prof, 0, sizeof(prof));
	prof.mapped = true;
	prof.active = true;
	prof.has_clearance = true;
	prof.clearance_rank = PG_GETARG_INT32(1);
	tmac_idset_from_array(&prof.read, PG_GETARG_DATUM(2), false, CurrentMemoryContext);
	tmac_idset_build(&prof.write, NULL, 0, CurrentMemoryContext);
	tmac_idset_from_array(&prof.reach, PG_GETARG_DATUM(3), false, CurrentMemoryContext);
	prof.pledge_ok = PG_GETARG_BOOL(4);
	prof.training_ok = PG_GETARG_BOOL(5);
	prof.valid_until = DT_NOEND;
	PG_RETURN_ARRAYTYPE_P(read_failures(&prof, PG_GETARG_TMAC_LABEL(0)));
}

/*
 * decide_acts_latest(acts text[], act_ids bigint[], person_ids text[],
 * ats timestamptz[], object_ids bigint[]) RETURNS TABLE (act text, act_id
 * bigint, person_id text, at timestamptz, failed text[]): tmac.decide_acts
 * with the latest snapshot (this transaction's own changes included: an act
 * recorded with a change of its person sees it).
 */
PG_FUNCTION_INFO_V1(tmac_decide_acts_latest);
Datum
tmac_decide_acts_latest(PG_FUNCTION_ARGS)
{
	static const Oid argtypes[5] = {TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, INT8ARRAYOID};
	static const Oid want[5] = {TEXTOID, INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTARRAYOID};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[5];
	int			i;

	for (i = 0; i < 5; i++)
		values[i] = PG_GETARG_DATUM(i);
	InitMaterializedSRF(fcinfo, 0);
	tmac_owner_query("SELECT d.act, d.act_id, d.person_id, d.at, d.failed"
					 " FROM tmac.decide_acts($1, $2, $3, $4, $5) d",
					 5, argtypes, values, lengthof(want), want, true,
					 TMAC_SNAPSHOT_LATEST, tmac_rows_to_tuplestore, rsinfo);
	return (Datum) 0;
}

typedef struct AboveCount
{
	const TmacLabel *bound;
	int64		rows;
	TmacLabel  *example;
	MemoryContext cxt;			/* the example outlives the scanner's per-row context */
} AboveCount;

static void
count_above(const TmacLabel *l, void *arg)
{
	AboveCount *c = (AboveCount *) arg;

	if (l->rank <= c->bound->rank &&
		tmac_sorted_subset(TMAC_LABEL_COMPARTMENTS(l), l->ncompartments,
						   TMAC_LABEL_COMPARTMENTS(c->bound), c->bound->ncompartments))
		return;
	if (c->rows++ == 0)
	{
		c->example = MemoryContextAlloc(c->cxt, VARSIZE(l));
		memcpy(c->example, l, VARSIZE(l));
	}
}

/*
 * rows_above_label(tbl regclass, lbl tmac.label, OUT rows_above bigint,
 * OUT example tmac.label): how many rows of a protected table carry a higher
 * level than lbl or a compartment it lacks, and the first such label (NULL
 * when none).
 */
PG_FUNCTION_INFO_V1(tmac_rows_above_label);
Datum
tmac_rows_above_label(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	AboveCount	c;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "rows_above_label: return type must be a row type");
	memset(&c, 0, sizeof(c));
	c.bound = PG_GETARG_TMAC_LABEL(1);
	c.cxt = CurrentMemoryContext;
	tmac_scan_protected_labels(PG_GETARG_OID(0), count_above, &c);
	values[0] = Int64GetDatum(c.rows);
	if (c.example)
		values[1] = PointerGetDatum(c.example);
	else
		nulls[1] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
