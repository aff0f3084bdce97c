/*
 * hr_feed_flag.c — the HR feed's backend-local state and its row intake.
 *
 * (The "HR feed is applying an event" flag that suppresses the invalidations
 * of tmac.person and tmac.access_grant lives in governance_change.c, with
 * everything else that says "governance data changed".)
 *
 * A count of the events the row trigger deferred to the statement
 * trigger a_apply (tmac.hr_feed_defer, tmac.hr_feed_take_deferred): a_apply
 * applies a statement's events when the mode is strict, and also whenever
 * events were deferred, so that a mode changed in the middle of a statement
 * can never leave an event recorded as applied but not applied.
 *
 * The row intake (tmac.hr_event_intake, the BEFORE INSERT row trigger
 * a_receive): in strict mode most events only need recording — the feeder is
 * checked (its own act, with INSERT on tmac.hr_event), the event_id is new,
 * and tmac's columns are stamped — and a_apply validates and applies them as a
 * set.  This is done here in C, with one index probe for the event_id, rather
 * than by a SECURITY DEFINER PL/pgSQL function per row.  Everything else — a
 * replay, a missing event_id, a feeder without the privilege, lenient mode,
 * or a mode not noted by the statement's BEFORE trigger (a_mode) — goes to
 * tmac.hr_event_receive, the PL/pgSQL row trigger, which decides as before.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "extension.h"
#include "hr_feed_flag.h"
#include "own_act.h"

extern Datum tmac_restoring(PG_FUNCTION_ARGS);

static int64 hr_feed_deferred = 0;
static bool hr_feed_strict = false;	/* noted by a_mode for the statement */

void
tmac_hr_feed_xact_callback(XactEvent event, void *arg)
{
	hr_feed_deferred = 0;
	hr_feed_strict = false;
}


PG_FUNCTION_INFO_V1(tmac_hr_feed_defer);
Datum
tmac_hr_feed_defer(PG_FUNCTION_ARGS)
{
	hr_feed_deferred++;
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_take_deferred);
Datum
tmac_hr_feed_take_deferred(PG_FUNCTION_ARGS)
{
	int64		n = hr_feed_deferred;

	hr_feed_deferred = 0;
	PG_RETURN_INT64(n);
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_note_strict);
Datum
tmac_hr_feed_note_strict(PG_FUNCTION_ARGS)
{
	hr_feed_strict = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
	PG_RETURN_VOID();
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

PG_FUNCTION_INFO_V1(tmac_hr_event_intake);
Datum
tmac_hr_event_intake(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tuple;
	Oid			feeder;
	Datum		id;
	bool		isnull;
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
	if (!hr_feed_strict)
		return hr_event_receive_plpgsql(fcinfo);
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	tuple = td->tg_trigtuple;
	if (DatumGetBool(DirectFunctionCall1(tmac_restoring, (Datum) 0)))
		return PointerGetDatum(tuple);	/* a restored event is history */

	/* the feeder's own act, with the privilege to feed (else the PL/pgSQL trigger refuses) */
	feeder = tmac_own_act_role("record an HR event", 1);
	if (pg_class_aclcheck(RelationGetRelid(rel), feeder, ACL_INSERT) != ACLCHECK_OK &&
		pg_attribute_aclcheck_all(RelationGetRelid(rel), feeder, ACL_INSERT, ACLMASK_ANY) != ACLCHECK_OK)
		return hr_event_receive_plpgsql(fcinfo);

	/* an event_id, not blank, never received before (else: a replay or an error) */
	id = heap_getattr(tuple, hr_event_column(desc, "event_id"), desc, &isnull);
	if (isnull)
		return hr_event_receive_plpgsql(fcinfo);
	idtext = DatumGetTextPP(id);
	p = VARDATA_ANY(idtext);
	len = VARSIZE_ANY_EXHDR(idtext);
	for (i = 0; i < len && blank; i++)
		blank = p[i] == ' ';
	if (blank)
		return hr_event_receive_plpgsql(fcinfo);
	/* (SnapshotSelf: also the events this statement inserted before this one) */
	ScanKeyInit(&key, hr_event_column(desc, "event_id"), BTEqualStrategyNumber, F_TEXTEQ,
				PointerGetDatum(idtext));
	scan = systable_beginscan(rel, RelationGetPrimaryKeyIndex(rel), true, SnapshotSelf, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	if (found)
		return hr_event_receive_plpgsql(fcinfo);

	/* recorded; a_apply validates and applies it with the statement's other events */
	i = 0;
	cols[i] = hr_event_column(desc, "attributes");
	(void) heap_getattr(tuple, cols[i], desc, &isnull);
	if (isnull)
	{
		values[i] = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
		nulls[i++] = false;
	}
	cols[i] = hr_event_column(desc, "effective_at");
	effective = DatumGetTimestampTz(heap_getattr(tuple, cols[i], desc, &isnull));
	if (isnull)
	{
		effective = now;
		values[i] = TimestampTzGetDatum(now);
		nulls[i++] = false;
	}
	cols[i] = hr_event_column(desc, "received_at");
	values[i] = TimestampTzGetDatum(now);
	nulls[i++] = false;
	namestrcpy(&feeder_name, GetUserNameFromId(feeder, false));
	cols[i] = hr_event_column(desc, "received_by");
	values[i] = NameGetDatum(&feeder_name);
	nulls[i++] = false;
	cols[i] = hr_event_column(desc, "applied_at");
	values[i] = TimestampTzGetDatum(now);
	nulls[i++] = effective > now;
	cols[i] = hr_event_column(desc, "outcome");
	values[i] = CStringGetTextDatum(effective <= now ? "applied" : "received");
	nulls[i++] = false;
	cols[i] = hr_event_column(desc, "error_sqlstate");
	values[i] = (Datum) 0;
	nulls[i++] = true;
	cols[i] = hr_event_column(desc, "error_message");
	values[i] = (Datum) 0;
	nulls[i++] = true;
	hr_feed_deferred++;
	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, i, cols, values, nulls));
}
