/*
 * check_runner.c — runs a company's own compliance check as its owner.
 *
 * tmac.findings runs every registered check function.  Run as the reader, a
 * check written by a tmac_admin would run with a superuser's rights whenever
 * a superuser reads the findings.  tmac.compliance_check_results() therefore runs every
 * check that is not tmac's own through tmac.run_check_as_owner(), which
 * switches to the function's owner (never a superuser: such a function is
 * refused), in a security-restricted operation (no SET ROLE, no temporary
 * objects) and a read-only transaction state, with search_path pinned to
 * pg_catalog, pg_temp and the result types checked (owner_query.c's
 * tmac_query_as) — the way PostgreSQL runs maintenance commands as a table's
 * owner.  A check can thus do nothing its owner could not do in its
 * own session, and changes nothing.  The rows are copied out before the
 * reader's identity and settings are restored.  Only the extension owner
 * (through compliance_check_results, SECURITY DEFINER) may call it.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "owner_query.h"

PG_FUNCTION_INFO_V1(tmac_run_check_as_owner);
Datum
tmac_run_check_as_owner(PG_FUNCTION_ARGS)
{
	Oid			fn = PG_GETARG_OID(0);
	bool		grouped = PG_GETARG_BOOL(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HeapTuple	tp;
	Form_pg_proc proc;
	Oid			owner;
	bool		shape_ok;
	char	   *qualified;
	StringInfoData query;
	static const Oid want[4] = {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID};

	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("check function with OID %u does not exist", fn)));
	proc = (Form_pg_proc) GETSTRUCT(tp);
	owner = proc->proowner;
	qualified = quote_qualified_identifier(get_namespace_name(proc->pronamespace),
										   NameStr(proc->proname));
	shape_ok = proc->pronargs == 0 && proc->proretset;
	ReleaseSysCache(tp);
	if (!shape_ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("check function %s must take no arguments and return a set", qualified)));
	if (superuser_arg(owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("check function %s is owned by the superuser %s and is not run",
						qualified, GetUserNameFromId(owner, false)),
				 errdetail("Registered checks run as their owner, never as a superuser."),
				 errhint("Have an ordinary role own it (ALTER FUNCTION … OWNER TO …) and register it again.")));

	initStringInfo(&query);
	appendStringInfo(&query,
					 "SELECT %s, f.subject::pg_catalog.text, f.detail::pg_catalog.text,"
					 " f.detected_at::pg_catalog.timestamptz FROM %s() f",
					 grouped ? "f.check_code::pg_catalog.text" : "NULL::pg_catalog.text",
					 qualified);

	InitMaterializedSRF(fcinfo, 0);
	tmac_query_as(owner, true, query.data, 0, NULL, NULL, lengthof(want), want, true,
				  TMAC_SNAPSHOT_CURRENT, tmac_rows_to_tuplestore, rsinfo);
	return (Datum) 0;
}
