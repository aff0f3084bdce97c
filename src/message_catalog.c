/*
 * message_catalog.c — tmac's messages in the session's language.
 *
 * tmac speaks through one message catalog, PostgreSQL's own gettext
 * machinery, in the text domain TEXTDOMAIN ("tmac-15": the Makefile defines
 * it for every file, so each ereport's errmsg, errdetail and errhint is looked
 * up there; _PG_init binds it).  lc_messages chooses the language: with
 * 'ja_JP.UTF-8' every message is Japanese, with 'C' or 'en_US.UTF-8' English.
 * The SQLSTATE never changes with the language.
 *
 * Messages raised by tmac's SQL go through the same catalog, by
 * tmac.message(msgid, VARIADIC args): it looks msgid up in the catalog and
 * fills in its arguments the way format() does — %s (the value as text; NULL
 * as nothing), %L (a quoted literal; NULL as NULL), %I (a quoted identifier),
 * %% — and %n$s, %n$L, %n$I for the n-th argument, so a translation may put the
 * arguments in its own order.  tmac.msgid(text) marks a string that is stored
 * (a check's title, a remedy) for the catalog; what reads it translates it
 * with tmac.message.
 *
 * Arguments are printed with their type's output function only for
 * PostgreSQL's built-in types and tmac's own (a domain by its base type, an
 * array by its elements; never a row, whose columns may be of any type): a
 * message is formatted inside tmac's SECURITY DEFINER functions, which must
 * never run an output function someone else wrote.  A timestamptz is the
 * exception: it is written in the company's time zone (the time_zone setting,
 * tmac.company_time_zone()), never the session's TimeZone, and names the zone
 * -- "2026-12-07 09:52:00 JST" -- exactly as tmac.company_time() writes it, so
 * the same moment reads the same in a finding, a report and a ledger, whoever
 * reads it.  The zone's name is read once per statement (one query, as
 * tmac's owner) and dropped earlier when governance data changes (the
 * sentinel's relcache invalidation: tmac.setting carries that trigger).
 *
 * The catalog's sources are the files of po/<language>/, one per area; po/extract.sh
 * lists every message (xgettext for the C files, the tmac.message and
 * tmac.msgid literals of sql/install); test/scripts/message_catalog.sh fails
 * when one has no Japanese translation or a translation's arguments differ.
 */
#include "postgres.h"
#include "message_catalog.h"

#include <ctype.h>

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "pgtime.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "extension.h"
#include "owner_query.h"

PG_FUNCTION_INFO_V1(tmac_message);
PG_FUNCTION_INFO_V1(tmac_company_time);

/*
 * The company's time zone, as tmac.company_time_zone() named it, for the
 * statement ZoneStmt of the local transaction ZoneLxid.  Why it is never
 * stale: a statement sees the settings its snapshot sees, and a new statement
 * (another start time or transaction) reads the name again; within one
 * statement, a change of tmac.setting (tmac.configure) queues the sentinel's
 * relcache invalidation, which this backend takes in at its next command
 * counter increment and which clears ZoneValid, so a message formatted after
 * the change in the same statement reads the new name.  A rollback replays the
 * invalidation, so a name read from rolled-back rows is dropped too.
 */
static char *Zone = NULL;			/* in TopMemoryContext */
static bool ZoneValid = false;
static LocalTransactionId ZoneLxid = InvalidLocalTransactionId;
static TimestampTz ZoneStmt = 0;

void
tmac_message_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == tmac_sentinel_relid)
		ZoneValid = false;
}

/* The company's time zone (the time_zone setting), read once per statement. */
static const char *
company_zone(void)
{
	static const Oid types[1] = {TEXTOID};
	LocalTransactionId lxid = MyProc != NULL ? MyProc->lxid : InvalidLocalTransactionId;
	TimestampTz stmt = GetCurrentStatementStartTimestamp();
	TmacOneValue name;

	if (ZoneValid && ZoneLxid == lxid && ZoneStmt == stmt)
		return Zone;
	ZoneValid = false;
	tmac_owner_query("SELECT tmac.company_time_zone()", 0, NULL, NULL, 1, types, true,
					 TMAC_SNAPSHOT_CURRENT, tmac_read_one_value, &name);
	if (!name.found)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the company's time zone is not set"),
				 errhint("Set it with tmac.configure('time_zone', 'Asia/Tokyo').")));
	if (Zone)
		pfree(Zone);
	Zone = MemoryContextStrdup(TopMemoryContext, TextDatumGetCString(name.value));
	ZoneLxid = lxid;
	ZoneStmt = stmt;
	ZoneValid = true;
	return Zone;
}

/*
 * A moment written in the zone: "YYYY-MM-DD HH24:MI:SS" (seconds truncated, as
 * to_char) and the zone's abbreviation in force at that moment (JST, CET,
 * CEST), or its offset from UTC ("UTC+05:30") where the zone has no alphabetic
 * abbreviation.  The local time is what `at AT TIME ZONE zone` gives, the
 * expression tmac's SQL counts dates with.
 */
static char *
zone_time_text(TimestampTz at, const char *zone)
{
	Timestamp	local;
	struct pg_tm tm;
	fsec_t		fsec;
	int64		offset;
	const char *abbrev = NULL;
	pg_tz	   *tz;

	if (TIMESTAMP_NOT_FINITE(at))
		return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(at)));
	local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum(zone),
												  TimestampTzGetDatum(at)));
	if (TIMESTAMP_NOT_FINITE(local) || timestamp2tm(local, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	offset = (local - at) / USECS_PER_SEC;
	tz = pg_tzset(zone);
	if (tz != NULL)
	{
		pg_time_t	t = timestamptz_to_time_t(at);
		struct pg_tm *zt = pg_localtime(&t, tz);

		if (zt != NULL && zt->tm_gmtoff == offset && zt->tm_zone != NULL &&
			isalpha((unsigned char) zt->tm_zone[0]))
			abbrev = zt->tm_zone;
	}
	if (abbrev != NULL)
		return psprintf("%04d-%02d-%02d %02d:%02d:%02d %s", tm.tm_year, tm.tm_mon, tm.tm_mday,
						tm.tm_hour, tm.tm_min, tm.tm_sec, abbrev);
	return psprintf("%04d-%02d-%02d %02d:%02d:%02d UTC%c%02d:%02d", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+',
					(int) (Abs(offset) / SECS_PER_HOUR), (int) (Abs(offset) % SECS_PER_HOUR / SECS_PER_MINUTE));
}

/* A moment in the company's time zone, with the zone (see zone_time_text). */
char *
tmac_company_time_text(TimestampTz at)
{
	return zone_time_text(at, company_zone());
}

/*
 * tmac.company_time(at timestamptz): the moment as tmac writes it into
 * findings, reports and ledgers (the same routine as tmac.message's
 * timestamptz arguments).
 */
Datum
tmac_company_time(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(tmac_company_time_text(PG_GETARG_TIMESTAMPTZ(0))));
}

/* Refuse to print a value whose output function is not PostgreSQL's or tmac's. */
static void
require_trusted_type(Oid typid)
{
	Oid			base = getBaseType(typid);
	Oid			element = get_element_type(base);
	const TmacExtension *ext;

	if (OidIsValid(element))
	{
		require_trusted_type(element);	/* an array prints its elements */
		return;
	}
	if (base < FirstNormalObjectId && base != RECORDOID && !type_is_rowtype(base))
		return;
	ext = tmac_extension();
	if (ext->installed && getExtensionOfObject(TypeRelationId, base) == ext->ext_oid)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("a message argument of type %s cannot be printed",
					format_type_be(typid)),
			 errdetail("tmac prints only values of PostgreSQL's built-in types and of its own types in its messages.")));
}

/* The argument as text, as %s prints it (NULL: nothing). */
static char *
message_arg_text(const MessageArg *arg)
{
	Oid			output;
	bool		varlena;

	if (arg->isnull)
		return NULL;
	if (getBaseType(arg->typid) == TIMESTAMPTZOID)
		return tmac_company_time_text(DatumGetTimestampTz(arg->value));
	require_trusted_type(arg->typid);
	getTypeOutputInfo(arg->typid, &output, &varlena);
	return OidOutputFunctionCall(output, arg->value);
}

static void
append_conversion(StringInfo out, char conversion, const MessageArg *arg)
{
	char	   *text = message_arg_text(arg);

	switch (conversion)
	{
		case 's':
			if (text)
				appendStringInfoString(out, text);
			break;
		case 'L':
			if (text)
				appendStringInfoString(out, quote_literal_cstr(text));
			else
				appendStringInfoString(out, "NULL");
			break;
		case 'I':
			if (!text)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("a message argument printed as an identifier is null")));
			appendStringInfoString(out, quote_identifier(text));
			break;
	}
}

/*
 * Fill the arguments into a (translated) message.  A malformed placeholder or
 * too few arguments is an error: test/scripts/message_catalog.sh keeps every
 * translation's placeholders equal to its message's.
 */
char *
tmac_message_format(const char *format, const MessageArg *args, int nargs)
{
	StringInfoData out;
	const char *p;
	int			next = 0;

	initStringInfo(&out);
	for (p = format; *p; p++)
	{
		int			index;

		if (*p != '%')
		{
			appendStringInfoChar(&out, *p);
			continue;
		}
		p++;
		if (*p == '%')
		{
			appendStringInfoChar(&out, '%');
			continue;
		}
		index = next++;
		if (*p >= '1' && *p <= '9')
		{
			const char *digits = p;

			index = 0;
			while (*p >= '0' && *p <= '9' && index < 1000)
				index = index * 10 + (*p++ - '0');
			if (*p != '$')
			{
				p = digits;
				goto malformed;
			}
			p++;
			index--;
		}
		if (*p != 's' && *p != 'L' && *p != 'I')
			goto malformed;
		if (index >= nargs)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("too few arguments for message \"%s\"", format)));
		append_conversion(&out, *p, &args[index]);
	}
	return out.data;

malformed:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("malformed placeholder in message \"%s\"", format),
			 errhint("Use %%s, %%L, %%I, %%n$s or %%%%.")));
	pg_unreachable();
}

/* The message in the session's language (lc_messages). */
const char *
tmac_translate(const char *msgid)
{
#ifdef ENABLE_NLS
	return dgettext(TEXTDOMAIN, msgid);
#else
	return msgid;
#endif
}

/*
 * tmac.message(msgid text) and tmac.message(msgid text, VARIADIC args "any"):
 * msgid translated into the session's language, its arguments filled in.
 */
Datum
tmac_message(PG_FUNCTION_ARGS)
{
	const char *translated;
	MessageArg *args;
	int			nargs = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	translated = tmac_translate(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	if (PG_NARGS() > 1 && get_fn_expr_variadic(fcinfo->flinfo))
	{
		/* VARIADIC array: its elements are the arguments */
		ArrayType  *array;
		Datum	   *values;
		bool	   *nulls;
		Oid			elemtype;
		int16		typlen;
		bool		typbyval;
		char		typalign;

		if (PG_ARGISNULL(1))
			nargs = 0;
		else
		{
			array = PG_GETARG_ARRAYTYPE_P(1);
			elemtype = ARR_ELEMTYPE(array);
			get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
			deconstruct_array(array, elemtype, typlen, typbyval, typalign,
							  &values, &nulls, &nargs);
			args = palloc(sizeof(MessageArg) * Max(nargs, 1));
			for (int i = 0; i < nargs; i++)
			{
				args[i].value = values[i];
				args[i].isnull = nulls[i];
				args[i].typid = elemtype;
			}
		}
		if (nargs == 0)
			args = NULL;
	}
	else
	{
		nargs = PG_NARGS() - 1;
		args = palloc(sizeof(MessageArg) * Max(nargs, 1));
		for (int i = 0; i < nargs; i++)
		{
			args[i].isnull = PG_ARGISNULL(i + 1);
			args[i].value = args[i].isnull ? (Datum) 0 : PG_GETARG_DATUM(i + 1);
			args[i].typid = get_fn_expr_argtype(fcinfo->flinfo, i + 1);
			if (!OidIsValid(args[i].typid))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("could not determine the type of a message argument")));
		}
	}
	PG_RETURN_TEXT_P(cstring_to_text(tmac_message_format(translated, args, nargs)));
}
