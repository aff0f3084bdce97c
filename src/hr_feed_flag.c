/*
 * hr_feed_flag.c — the HR feed's backend-local state and its row intake.
 *
 * (The "HR feed is applying an event" flag that suppresses the invalidations
 * of tmac.person and tmac.access_grant lives in governance_change.c, with
 * everything else that says "governance data changed".)
 *
 * One frame per INSERT or COPY into tmac.hr_event that is under
 * way: the statement's BEFORE trigger a_mode pushes it with the mode read once
 * (tmac.hr_feed_note_strict), the row intake and tmac.hr_event_receive decide
 * every row by that noted mode, never by the live setting
 * (tmac.hr_feed_statement_strict), and count the rows they leave to the
 * statement trigger a_apply (tmac.hr_feed_defer), which pops the frame
 * (tmac.hr_feed_take_deferred) and applies its own statement's events when the
 * frame is strict — all of them, since in strict mode the row triggers decide
 * none.  A statement nested in another one (an INSERT from a function in the
 * SELECT list) has its own frame above the outer one, so it can neither take
 * nor leave the outer statement's count; the frames pushed inside a
 * subtransaction are dropped when it aborts, and all at transaction end.
 *
 * The row intake (tmac.hr_event_intake, the BEFORE INSERT row trigger
 * a_receive): in strict mode most events only need recording — the feeder is
 * checked (its own act, with INSERT on tmac.hr_event), the event_id is new,
 * and tmac's columns are stamped — and a_apply validates and applies them as a
 * set.  This is done here in C, with one index probe for the event_id, rather
 * than by a SECURITY DEFINER PL/pgSQL function per row.  As it records a row
 * it also counts the row's round (its place among the statement's events of
 * the same person) and makes the checks of tmac.hr_validate that need no
 * state (hr_event_fit); a_apply reads both with tmac.hr_feed_rounds before it
 * takes the frame, so that it neither sorts the events by person nor checks
 * their attributes again.  Everything else — a
 * replay, a missing event_id, a feeder without the privilege, a statement
 * taken in lenient mode — goes to
 * tmac.hr_event_receive, the PL/pgSQL row trigger, which decides as before.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "commands/trigger.h"
#include "executor/execdesc.h"
#include "nodes/parsenodes.h"
#include "parser/parsetree.h"
#include "executor/spi.h"
#include "nodes/execnodes.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "funcapi.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "extension.h"
#include "hr_feed_flag.h"
#include "own_act.h"

extern Datum tmac_restoring(PG_FUNCTION_ARGS);

/* the longest person_id the row intake counts rounds for (a person's is at most 100 characters) */
#define HR_FEED_PERSON_KEY 128

/* A person the statement has events of: how many so far (the round of the last). */
typedef struct HrFeedPerson
{
	char		person_id[HR_FEED_PERSON_KEY];
	int32		events;
} HrFeedPerson;

/* One INSERT or COPY into tmac.hr_event under way (pushed at a_mode, popped at a_apply). */
typedef struct HrFeedFrame
{
	bool		strict;			/* the mode noted by a_mode for the statement */
	int64		deferred;		/* rows its row triggers left to a_apply */
	int			nest_level;		/* the (sub)transaction nesting level it was pushed at */
	/* the rounds of its rows, in arrival order (see tmac.hr_feed_rounds) */
	bool		untracked;		/* a row was deferred by tmac.hr_event_receive: not counted */
	bool		unfit;			/* a row fails a check that needs no state (hr_event_fit) */
	int32		last_round;
	int32	   *rounds;			/* per deferred row: its place among its person's rows */
	int64		rounds_capacity;
	HTAB	   *persons;		/* person_id -> HrFeedPerson */
	MemoryContext cxt;			/* holds rounds and persons; a child of the statement's CurTransactionContext */
	AttrNumber	attnums[11];	/* tmac.hr_event's columns (HrEventColumn), once looked up */
	bool		have_attnums;
} HrFeedFrame;

/* tmac.hr_event's columns, as the row intake reads and writes them */
typedef enum HrEventColumn
{
	HR_EVENT_ID, HR_PERSON_ID, HR_KIND, HR_EFFECTIVE_AT, HR_ATTRIBUTES, HR_RECEIVED_AT, HR_RECEIVED_BY,
	HR_APPLIED_AT, HR_OUTCOME, HR_ERROR_SQLSTATE, HR_ERROR_MESSAGE, HR_COLUMNS
} HrEventColumn;

static const char *const hr_event_column_names[HR_COLUMNS] = {
	"event_id", "person_id", "kind", "effective_at", "attributes", "received_at", "received_by",
	"applied_at", "outcome", "error_sqlstate", "error_message"
};

static void hr_import_forget(bool all);

static HrFeedFrame *hr_feed_frames = NULL;
static int	hr_feed_depth = 0;
static int	hr_feed_capacity = 0;

/* The transaction's end step: no statement feeding events is under way any more. */
void
tmac_hr_feed_xact_callback(XactEvent event, void *arg)
{
	hr_feed_depth = 0;
	hr_import_forget(true);
}

/*
 * The subtransaction's end step: an abort drops the frames of the statements
 * begun inside the subtransaction (nesting level at or above its own; the
 * callback runs while it is still the current one), so that a statement rolled
 * back to a savepoint, or caught by an exception block, leaves no count behind.
 */
void
tmac_hr_feed_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							  SubTransactionId parentSubid, void *arg)
{
	int			level;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	level = GetCurrentTransactionNestLevel();
	while (hr_feed_depth > 0 && hr_feed_frames[hr_feed_depth - 1].nest_level >= level)
		hr_feed_depth--;
	hr_import_forget(false);
}

/* The frame of the statement whose rows are being taken now. */
static HrFeedFrame *
hr_feed_frame(void)
{
	if (hr_feed_depth == 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("no statement feeding HR events is under way"),
				 errdetail("The HR feed's row triggers and statement trigger a_apply run only within an INSERT or COPY into tmac.hr_event, after its trigger a_mode."),
				 errhint("The tmac extension is damaged; reinstall it.")));
	return &hr_feed_frames[hr_feed_depth - 1];
}

/*
 * Room for one more frame on a stack of statement frames (the HR feed's and
 * the import's, kept in TopMemoryContext): the array, doubled (from first
 * frames) when it is full.  The capacity changes only once the memory is had.
 */
static void *
frame_stack_room(void *frames, int depth, int *capacity, int first, Size frame_size)
{
	int			n = *capacity == 0 ? first : *capacity * 2;
	void	   *grown;

	if (depth < *capacity)
		return frames;
	grown = frames == NULL
		? MemoryContextAlloc(TopMemoryContext, n * frame_size)
		: repalloc(frames, n * frame_size);
	*capacity = n;
	return grown;
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_defer);
Datum
tmac_hr_feed_defer(PG_FUNCTION_ARGS)
{
	HrFeedFrame *frame = hr_feed_frame();

	if (!frame->strict)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("an HR event of a statement taken in lenient mode cannot be deferred"),
				 errhint("The tmac extension is damaged; reinstall it.")));
	frame->deferred++;
	frame->untracked = true;	/* (its round is not counted: a_apply computes the rounds itself) */
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_statement_strict);
Datum
tmac_hr_feed_statement_strict(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(hr_feed_frame()->strict);
}

/* Pops the statement's frame: its deferred count, or NULL if it was taken in lenient mode. */
PG_FUNCTION_INFO_V1(tmac_hr_feed_take_deferred);
Datum
tmac_hr_feed_take_deferred(PG_FUNCTION_ARGS)
{
	HrFeedFrame *frame = hr_feed_frame();

	if (frame->nest_level != GetCurrentTransactionNestLevel())
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("the HR feed's statement frame belongs to another subtransaction"),
				 errhint("The tmac extension is damaged; reinstall it.")));
	hr_feed_depth--;
	if (frame->cxt != NULL)
		MemoryContextDelete(frame->cxt);
	frame->cxt = NULL;
	if (!frame->strict)
		PG_RETURN_NULL();
	PG_RETURN_INT64(frame->deferred);
}

/*
 * tmac.hr_feed_rounds(OUT rounds integer[], OUT last_round integer): of the
 * statement whose frame a_apply is about to take (call it before
 * tmac.hr_feed_take_deferred), the round of each deferred row in arrival
 * order — its place among the statement's events of the same person, counted
 * by the row intake as the rows came — and the last round.  last_round is 0
 * (rounds NULL) when a row failed a check that needs no state
 * (hr_event_fit): the set cannot take the statement, which is applied one
 * event at a time.  Both are NULL when not every row was counted (a row
 * deferred by tmac.hr_event_receive) or the statement was taken in lenient
 * mode: a_apply then computes the rounds itself and makes every check.
 */
PG_FUNCTION_INFO_V1(tmac_hr_feed_rounds);
Datum
tmac_hr_feed_rounds(PG_FUNCTION_ARGS)
{
	HrFeedFrame *frame = hr_feed_frame();
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {true, true};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_feed_rounds() must return a record")));
	desc = BlessTupleDesc(desc);
	if (frame->strict && !frame->untracked)
	{
		if (frame->unfit)
		{
			values[1] = Int32GetDatum(0);
			nulls[1] = false;
		}
		else
		{
			int64		n = frame->deferred;
			Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));
			int64		i;

			for (i = 0; i < n; i++)
				elems[i] = Int32GetDatum(frame->rounds[i]);
			values[0] = PointerGetDatum(construct_array(elems, (int) n, INT4OID, sizeof(int32), true,
														TYPALIGN_INT));
			values[1] = Int32GetDatum(frame->last_round);
			nulls[0] = nulls[1] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* Pushes the statement's frame, with the mode a_mode read for it. */
PG_FUNCTION_INFO_V1(tmac_hr_feed_note_strict);
Datum
tmac_hr_feed_note_strict(PG_FUNCTION_ARGS)
{
	HrFeedFrame *frame;

	hr_feed_frames = frame_stack_room(hr_feed_frames, hr_feed_depth, &hr_feed_capacity, 8, sizeof(HrFeedFrame));
	frame = &hr_feed_frames[hr_feed_depth++];
	frame->strict = PG_ARGISNULL(0) ? true : PG_GETARG_BOOL(0);
	frame->deferred = 0;
	frame->nest_level = GetCurrentTransactionNestLevel();
	frame->untracked = false;
	frame->unfit = false;
	frame->last_round = 0;
	frame->rounds = NULL;
	frame->rounds_capacity = 0;
	frame->persons = NULL;
	frame->cxt = NULL;
	frame->have_attnums = false;
	PG_RETURN_VOID();
}

/*
 * The memory a statement feeding HR events keeps its rows in.  PostgreSQL
 * collects the rows of an INSERT or COPY for the statement triggers that read
 * them (a_apply's new_events, the audit entry's new_rows: one store) in a
 * store sized by work_mem when the statement starts, before any trigger runs;
 * past it the rows go to a temporary file and are read back from it by every
 * pass of a_apply.  With the default work_mem (4MB) that was every load of more
 * than about 20,000 events.  So while such a statement's executor is set up,
 * work_mem is at least what a_apply itself runs with (64MB, tmac.hr_event_apply's
 * SET clause): the store stays in memory up to that and spills beyond it, as
 * any other.  Only for tmac.hr_event, and only raised, never lowered.
 */
#define HR_FEED_WORK_MEM_KB 65536

/* true when relid is tmac.hr_event of the tmac installed here */
static bool
hr_feed_is_event_table(Oid relid)
{
	const TmacExtension *ext = tmac_extension();

	return OidIsValid(relid) && ext->installed &&
		relid == get_relname_relid("hr_event", ext->namespace_oid);
}

static int
hr_feed_raise_work_mem(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("work_mem", CppAsString2(HR_FEED_WORK_MEM_KB), PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/* Around a utility statement: a COPY FROM into tmac.hr_event. */
int
tmac_hr_feed_work_mem_copy(Node *utility_stmt)
{
	CopyStmt   *copy;

	if (utility_stmt == NULL || !IsA(utility_stmt, CopyStmt) || work_mem >= HR_FEED_WORK_MEM_KB)
		return -1;
	copy = (CopyStmt *) utility_stmt;
	if (!copy->is_from || copy->relation == NULL || strcmp(copy->relation->relname, "hr_event") != 0 ||
		!hr_feed_is_event_table(RangeVarGetRelid(copy->relation, NoLock, true)))
		return -1;
	return hr_feed_raise_work_mem();
}

/* Around an executor's start: an INSERT into tmac.hr_event. */
int
tmac_hr_feed_work_mem_insert(QueryDesc *query_desc)
{
	PlannedStmt *stmt = query_desc->plannedstmt;
	ListCell   *lc;

	if (query_desc->operation != CMD_INSERT || stmt == NULL || work_mem >= HR_FEED_WORK_MEM_KB)
		return -1;
	foreach(lc, stmt->resultRelations)
	{
		RangeTblEntry *rte = rt_fetch(lfirst_int(lc), stmt->rtable);

		if (rte->rtekind == RTE_RELATION && hr_feed_is_event_table(rte->relid))
			return hr_feed_raise_work_mem();
	}
	return -1;
}

/* The end of either: work_mem as it was (an error ends it with the (sub)transaction). */
void
tmac_hr_feed_work_mem_end(int nest_level)
{
	if (nest_level >= 0)
		AtEOXact_GUC(true, nest_level);
}

/* The PL/pgSQL row trigger tmac.hr_event_receive decides this row. */
static Datum
hr_event_receive_plpgsql(FunctionCallInfo fcinfo)
{
	const TmacExtension *ext = tmac_extension_required();
	Oid			fn;
	FmgrInfo	flinfo;
	Datum		result;
	LOCAL_FCINFO(call, 0);

	fn = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
						 CStringGetDatum("hr_event_receive"),
						 PointerGetDatum(buildoidvector(NULL, 0)),
						 ObjectIdGetDatum(ext->namespace_oid));
	if (!OidIsValid(fn))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function tmac.hr_event_receive() is missing"),
				 errhint("The tmac extension is damaged; reinstall it.")));
	fmgr_info(fn, &flinfo);
	InitFunctionCallInfoData(*call, &flinfo, 0, InvalidOid, fcinfo->context, NULL);
	result = FunctionCallInvoke(call);
	fcinfo->isnull = call->isnull;
	return result;
}

static int
hr_event_column(TupleDesc desc, const char *name)
{
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("tmac.hr_event has no column \"%s\"", name),
				 errhint("The tmac extension is damaged; reinstall it.")));
	return attnum;
}

/* true when the text is s (of length len) */
static bool
hr_text_is(const char *p, int len, const char *s)
{
	return strlen(s) == (size_t) len && memcmp(p, s, len) == 0;
}

/* true when the text has a character other than a space (btrim's default) */
static bool
hr_text_not_blank(const char *p, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ')
			return true;
	return false;
}

/*
 * True when the event passes every check of tmac.hr_validate that needs no
 * state: a known kind, a person_id that is not blank, attributes that are an
 * object of known names with string (or null) values, restore_cron_jobs only
 * on a rehire and true or false, a hire's full_name, a transfer's or
 * promotion's title, org_group or job_role, nothing but a note on a leave,
 * return or terminate, a known person kind.  False when one fails: a_apply
 * then applies the statement one event at a time, where tmac.hr_validate
 * decides every event and the first bad one fails the statement with its own
 * error.  (What needs the state — the person, the group, the responsible
 * person, the login role — a_apply checks for the set.)
 */
static bool
hr_event_fit(text *person, text *kind, Jsonb *attributes)
{
	static const char *const kinds[] = {"hire", "transfer", "promotion", "leave", "return", "terminate", "rehire"};
	static const char *const names[] = {"full_name", "title", "org_group", "job_role", "login_role", "kind",
	"responsible_person", "note", "restore_cron_jobs"};
	static const char *const person_kinds[] = {"employee", "contractor", "visitor", "service"};
	const char *k;
	int			klen;
	int			which = -1;
	int			i;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			name = -1;
	bool		full_name = false;	/* a full_name that is not blank */
	bool		role_change = false;	/* title, org_group or job_role named */
	bool		more_than_note = false;
	bool		restore = false;

	if (person == NULL || kind == NULL || attributes == NULL ||
		!hr_text_not_blank(VARDATA_ANY(person), VARSIZE_ANY_EXHDR(person)))
		return false;
	k = VARDATA_ANY(kind);
	klen = VARSIZE_ANY_EXHDR(kind);
	for (i = 0; i < lengthof(kinds); i++)
		if (hr_text_is(k, klen, kinds[i]))
			which = i;
	if (which < 0 || JB_ROOT_IS_SCALAR(attributes) || !JB_ROOT_IS_OBJECT(attributes))
		return false;
	it = JsonbIteratorInit(&attributes->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			name = -1;
			for (i = 0; i < lengthof(names); i++)
				if (hr_text_is(v.val.string.val, v.val.string.len, names[i]))
					name = i;
			if (name < 0)
				return false;
			role_change |= name >= 1 && name <= 3;
			more_than_note |= name != 7;
			restore |= name == 8;
		}
		else if (tok == WJB_VALUE)
		{
			if (name == 8)
			{
				if (!(v.type == jbvBool ||
					  (v.type == jbvString && (hr_text_is(v.val.string.val, v.val.string.len, "true") ||
											   hr_text_is(v.val.string.val, v.val.string.len, "false")))))
					return false;
				continue;
			}
			if (v.type != jbvString && v.type != jbvNull)
				return false;
			if (name == 0 && v.type == jbvString)
				full_name = hr_text_not_blank(v.val.string.val, v.val.string.len);
			if (name == 5 && v.type == jbvString)
			{
				bool		known = false;

				for (i = 0; i < lengthof(person_kinds); i++)
					known |= hr_text_is(v.val.string.val, v.val.string.len, person_kinds[i]);
				if (!known)
					return false;
			}
		}
	}
	if (restore && which != 6)
		return false;
	switch (which)
	{
		case 0:
			return full_name;
		case 1:
		case 2:
			return role_change;
		case 3:
		case 4:
		case 5:
			return !more_than_note;
		default:
			return true;
	}
}

/*
 * Counts a row the intake defers: its round (its place among the statement's
 * events of its person), or, when it fails a check that needs no state, that
 * the statement goes one event at a time (see tmac.hr_feed_rounds).
 */
static void
hr_feed_track(HrFeedFrame *frame, const Datum *values, const bool *nulls, Datum attributes_datum)
{
	text	   *person = nulls[HR_PERSON_ID] ? NULL : DatumGetTextPP(values[HR_PERSON_ID]);
	text	   *kind = nulls[HR_KIND] ? NULL : DatumGetTextPP(values[HR_KIND]);
	Jsonb	   *attributes = DatumGetJsonbP(attributes_datum);
	char		key[HR_FEED_PERSON_KEY];
	int			len;
	HrFeedPerson *entry;
	bool		found;
	MemoryContext old;

	if (frame->untracked || frame->unfit)
		return;
	if (frame->nest_level != GetCurrentTransactionNestLevel())
	{
		frame->untracked = true;	/* (never: the statement's rows come at its own level) */
		return;
	}
	if (!hr_event_fit(person, kind, attributes) ||
		(len = VARSIZE_ANY_EXHDR(person)) >= HR_FEED_PERSON_KEY)
	{
		frame->unfit = true;
		return;
	}
	if (frame->cxt == NULL)
	{
		HASHCTL		ctl;

		frame->cxt = AllocSetContextCreate(CurTransactionContext, "tmac HR feed rounds", ALLOCSET_DEFAULT_SIZES);
		ctl.keysize = HR_FEED_PERSON_KEY;
		ctl.entrysize = sizeof(HrFeedPerson);
		ctl.hcxt = frame->cxt;
		frame->persons = hash_create("tmac HR feed persons", 1024, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		frame->rounds_capacity = 1024;
		frame->rounds = MemoryContextAlloc(frame->cxt, frame->rounds_capacity * sizeof(int32));
	}
	if (frame->deferred >= frame->rounds_capacity)
	{
		old = MemoryContextSwitchTo(frame->cxt);
		frame->rounds_capacity *= 2;
		frame->rounds = repalloc_huge(frame->rounds, frame->rounds_capacity * sizeof(int32));
		MemoryContextSwitchTo(old);
	}
	memset(key, 0, sizeof(key));
	memcpy(key, VARDATA_ANY(person), len);
	entry = hash_search(frame->persons, key, HASH_ENTER, &found);
	entry->events = found ? entry->events + 1 : 1;
	frame->rounds[frame->deferred] = entry->events;
	frame->last_round = Max(frame->last_round, entry->events);
}

/* The statement's frame's attribute numbers of tmac.hr_event's columns (looked up at its first row). */
static const AttrNumber *
hr_event_attnums(HrFeedFrame *frame, TupleDesc desc)
{
	int			i;

	StaticAssertStmt(lengthof(frame->attnums) == HR_COLUMNS, "one attribute number per column");
	if (!frame->have_attnums)
	{
		for (i = 0; i < HR_COLUMNS; i++)
			frame->attnums[i] = hr_event_column(desc, hr_event_column_names[i]);
		frame->have_attnums = true;
	}
	return frame->attnums;
}

PG_FUNCTION_INFO_V1(tmac_hr_event_intake);
Datum
tmac_hr_event_intake(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tuple;
	HrFeedFrame *frame;
	Oid			feeder;
	const AttrNumber *att;
	Datum	   *row;
	bool	   *rownulls;
	Datum		ev[HR_COLUMNS];
	bool		evnulls[HR_COLUMNS];
	Datum		attributes;
	text	   *idtext;
	char	   *p;
	int			len;
	int			i;
	bool		blank = true;
	bool		found;
	ScanKeyData key;
	SysScanDesc scan;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	TimestampTz effective;
	NameData	feeder_name;
	int			cols[9];
	Datum		values[9];
	bool		nulls[9];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) || !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.hr_event_intake() must be a BEFORE INSERT row trigger")));
	frame = hr_feed_frame();
	if (!frame->strict)
		return hr_event_receive_plpgsql(fcinfo);
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	tuple = td->tg_trigtuple;
	if (DatumGetBool(DirectFunctionCall1(tmac_restoring, (Datum) 0)))
		return PointerGetDatum(tuple);	/* a restored event is history */

	/* the feeder's own act, with the privilege to feed (else the PL/pgSQL trigger refuses) */
	feeder = tmac_own_act_role(gettext_noop("record an HR event"), 1);
	if (pg_class_aclcheck(RelationGetRelid(rel), feeder, ACL_INSERT) != ACLCHECK_OK &&
		pg_attribute_aclcheck_all(RelationGetRelid(rel), feeder, ACL_INSERT, ACLMASK_ANY) != ACLCHECK_OK)
		return hr_event_receive_plpgsql(fcinfo);

	/* (the row's columns, read once) */
	att = hr_event_attnums(frame, desc);
	row = palloc(desc->natts * sizeof(Datum));
	rownulls = palloc(desc->natts * sizeof(bool));
	heap_deform_tuple(tuple, desc, row, rownulls);
	for (i = 0; i < HR_COLUMNS; i++)
	{
		ev[i] = row[att[i] - 1];
		evnulls[i] = rownulls[att[i] - 1];
	}

	/* an event_id, not blank, never received before (else: a replay or an error) */
	if (evnulls[HR_EVENT_ID])
		return hr_event_receive_plpgsql(fcinfo);
	idtext = DatumGetTextPP(ev[HR_EVENT_ID]);
	p = VARDATA_ANY(idtext);
	len = VARSIZE_ANY_EXHDR(idtext);
	for (i = 0; i < len && blank; i++)
		blank = p[i] == ' ';
	if (blank)
		return hr_event_receive_plpgsql(fcinfo);
	/* (SnapshotSelf: also the events this statement inserted before this one) */
	ScanKeyInit(&key, att[HR_EVENT_ID], BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(idtext));
	scan = systable_beginscan(rel, RelationGetPrimaryKeyIndex(rel), true, SnapshotSelf, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	if (found)
		return hr_event_receive_plpgsql(fcinfo);

	/* recorded; a_apply validates and applies it with the statement's other events */
	i = 0;
	attributes = ev[HR_ATTRIBUTES];
	if (evnulls[HR_ATTRIBUTES])
	{
		attributes = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
		cols[i] = att[HR_ATTRIBUTES];
		values[i] = attributes;
		nulls[i++] = false;
	}
	effective = DatumGetTimestampTz(ev[HR_EFFECTIVE_AT]);
	if (evnulls[HR_EFFECTIVE_AT])
	{
		effective = now;
		cols[i] = att[HR_EFFECTIVE_AT];
		values[i] = TimestampTzGetDatum(now);
		nulls[i++] = false;
	}
	cols[i] = att[HR_RECEIVED_AT];
	values[i] = TimestampTzGetDatum(now);
	nulls[i++] = false;
	namestrcpy(&feeder_name, GetUserNameFromId(feeder, false));
	cols[i] = att[HR_RECEIVED_BY];
	values[i] = NameGetDatum(&feeder_name);
	nulls[i++] = false;
	cols[i] = att[HR_APPLIED_AT];
	values[i] = TimestampTzGetDatum(now);
	nulls[i++] = effective > now;
	cols[i] = att[HR_OUTCOME];
	values[i] = CStringGetTextDatum(effective <= now ? "applied" : "received");
	nulls[i++] = false;
	cols[i] = att[HR_ERROR_SQLSTATE];
	values[i] = (Datum) 0;
	nulls[i++] = true;
	cols[i] = att[HR_ERROR_MESSAGE];
	values[i] = (Datum) 0;
	nulls[i++] = true;
	hr_feed_track(frame, ev, evnulls, attributes);
	frame->deferred++;
	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, i, cols, values, nulls));
}

/*
 * The plain-column import (tmac.hr_event_import, a view of tmac.hr_event with
 * the attributes as columns).  A CSV with a column per attribute loads into it
 * by COPY; its three triggers turn the statement into one INSERT into
 * tmac.hr_event, so that every event takes the same path — a_mode, the row
 * intake, a_apply's set — with the same checks, audit and privileges:
 *
 *   tmac.hr_import_begin (BEFORE INSERT, per statement): pushes an import
 *       frame holding an empty tuplestore;
 *   tmac.hr_import_row (INSTEAD OF INSERT, per row): appends the row to it;
 *   tmac.hr_import_end (AFTER INSERT, per statement; PL/pgSQL, 54_hr_feed.sql):
 *       as the feeder's own act (refused from another role's trigger or
 *       SECURITY DEFINER function, as a direct INSERT is), runs
 *       INSERT INTO tmac.hr_event ... SELECT ... FROM tmac.hr_import_rows(),
 *       which pops the frame and returns its rows in arrival order.  The
 *       feeder needs INSERT on tmac.hr_event itself: the row intake checks it
 *       of the session's role, as for a direct INSERT.  That INSERT's own
 *       triggers run one trigger level deeper than a direct one's; while it
 *       runs, tmac.hr_import_credit(1) has own_act.c credit that level
 *       (tmac_own_act_set_depth_credit), since nothing but tmac's code runs
 *       inside it, and tmac.hr_import_credit(0) ends the credit, also when
 *       the INSERT fails.

 * No row is stored twice: the view holds nothing, and the tuplestore lives
 * in the transaction's memory (and a temporary file past 64MB) until the
 * statement's end.  Frames nest like the HR feed's: a statement nested in
 * another has its own; a subtransaction's abort drops the frames begun in it
 * (their memory goes with it), and the transaction's end drops all.
 */
typedef struct HrImportFrame
{
	Tuplestorestate *rows;
	int64		count;
	int			nest_level;
} HrImportFrame;

/* rows kept in memory before a temporary file (as tmac.hr_event_apply's work_mem: 64MB) */
#define HR_IMPORT_MEMORY_KB 65536

static HrImportFrame *hr_import_frames = NULL;
static int	hr_import_depth = 0;
static int	hr_import_capacity = 0;

static void
hr_import_forget(bool all)
{
	int			level = GetCurrentTransactionNestLevel();

	while (hr_import_depth > 0 && (all || hr_import_frames[hr_import_depth - 1].nest_level >= level))
		hr_import_depth--;
}

static HrImportFrame *
hr_import_frame(void)
{
	if (hr_import_depth == 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("no statement importing HR events is under way"),
				 errdetail("The triggers of tmac.hr_event_import run only within an INSERT or COPY into that view."),
				 errhint("The tmac extension is damaged; reinstall it.")));
	return &hr_import_frames[hr_import_depth - 1];
}

static TriggerData *
hr_import_trigger(FunctionCallInfo fcinfo, const char *name, bool row)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BY_INSERT(td->tg_event) ||
		(row ? !TRIGGER_FIRED_FOR_ROW(td->tg_event) || !TRIGGER_FIRED_INSTEAD(td->tg_event)
		 : !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be an INSERT trigger of tmac.hr_event_import", name)));
	return td;
}

PG_FUNCTION_INFO_V1(tmac_hr_import_begin);
Datum
tmac_hr_import_begin(PG_FUNCTION_ARGS)
{
	HrImportFrame *frame;
	MemoryContext old;
	ResourceOwner owner;

	(void) hr_import_trigger(fcinfo, "tmac.hr_import_begin", false);
	hr_import_frames = frame_stack_room(hr_import_frames, hr_import_depth, &hr_import_capacity, 4,
										sizeof(HrImportFrame));
	/* (as trigger.c keeps transition tables: the (sub)transaction's memory and resource owner) */
	old = MemoryContextSwitchTo(CurTransactionContext);
	owner = CurrentResourceOwner;
	CurrentResourceOwner = CurTransactionResourceOwner;
	frame = &hr_import_frames[hr_import_depth];
	frame->rows = tuplestore_begin_heap(false, false, Max(work_mem, HR_IMPORT_MEMORY_KB));
	CurrentResourceOwner = owner;
	MemoryContextSwitchTo(old);
	frame->count = 0;
	frame->nest_level = GetCurrentTransactionNestLevel();
	hr_import_depth++;
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(tmac_hr_import_row);
Datum
tmac_hr_import_row(PG_FUNCTION_ARGS)
{
	TriggerData *td = hr_import_trigger(fcinfo, "tmac.hr_import_row", true);
	HrImportFrame *frame = hr_import_frame();
	MemoryContext old;
	ResourceOwner owner;

	old = MemoryContextSwitchTo(CurTransactionContext);
	owner = CurrentResourceOwner;
	CurrentResourceOwner = CurTransactionResourceOwner;
	tuplestore_puttuple(frame->rows, td->tg_trigtuple);
	CurrentResourceOwner = owner;
	MemoryContextSwitchTo(old);
	frame->count++;
	return PointerGetDatum(td->tg_trigtuple);
}

/*
 * tmac.hr_import_rows() RETURNS SETOF tmac.hr_event_import: pops the import
 * statement's frame and returns its rows, in arrival order, for the one
 * INSERT into tmac.hr_event that tmac.hr_import_end makes of them.  The
 * tuplestore is handed to the executor, which ends it.
 */
PG_FUNCTION_INFO_V1(tmac_hr_import_rows);
Datum
tmac_hr_import_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HrImportFrame *frame;
	MemoryContext old;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize) || rsinfo->expectedDesc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_import_rows() must be called in FROM")));
	frame = hr_import_frame();
	/* (called inside tmac.hr_import_end's exception block: one level below the statement's) */
	if (frame->nest_level > GetCurrentTransactionNestLevel())
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("the HR import's statement frame belongs to another subtransaction"),
				 errhint("The tmac extension is damaged; reinstall it.")));
	hr_import_depth--;
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->setDesc = CreateTupleDescCopy(rsinfo->expectedDesc);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = frame->rows;
	return (Datum) 0;
}

/*
 * tmac.hr_import_credit(levels integer) RETURNS integer: the trigger levels
 * own_act.c credits while tmac.hr_import_end's INSERT runs (1 during it, 0
 * after); returns the previous value.
 */
PG_FUNCTION_INFO_V1(tmac_hr_import_credit);
Datum
tmac_hr_import_credit(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(tmac_own_act_set_depth_credit(PG_ARGISNULL(0) ? 0 : Min(PG_GETARG_INT32(0), 1)));
}
