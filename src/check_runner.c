/*
 * check_runner.c — runs a company's own compliance check as its owner.
 *
 * tmac.findings runs every registered check function.  Run as the reader, a
 * check written by a tmac_admin would run with a superuser's rights whenever
 * a superuser reads the findings.  tmac.check_results() therefore runs every
 * check that is not tmac's own through tmac.run_check_as_owner(), which
 * switches to the function's owner (never a superuser: such a function is
 * refused), in a security-restricted operation (no SET ROLE, no temporary
 * objects) and a read-only transaction state, with search_path pinned to
 * pg_catalog, pg_temp — the way PostgreSQL runs maintenance commands as a
 * table's owner.  A check can thus do nothing its owner could not do in its
 * own session, and changes nothing.  The rows are copied out before the
 * reader's identity and settings are restored.  Only the extension owner
 * (through check_results, SECURITY DEFINER) may call it.
 */
#include "postgres.h"

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
	Oid			save_uid;
	int			save_sec;
	int			guc_level;
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

	GetUserIdAndSecContext(&save_uid, &save_sec);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "tmac: SPI_connect failed");
	guc_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	(void) set_config_option("transaction_read_only", "on",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		int			rc = SPI_execute(query.data, true, 0);
		uint64		i;
		int			col;

		if (rc != SPI_OK_SELECT)
			elog(ERROR, "tmac: check query failed: %s", SPI_result_code_string(rc));
		if (SPI_tuptable->tupdesc->natts != 4)
			elog(ERROR, "tmac: check query returned %d columns", SPI_tuptable->tupdesc->natts);
		for (col = 0; col < 4; col++)
			if (SPI_gettypeid(SPI_tuptable->tupdesc, col + 1) != want[col])
				elog(ERROR, "tmac: check query column %d has an unexpected type", col + 1);
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		values[4];
			bool		nulls[4];

			heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, values, nulls);
			/* tuplestore_putvalues copies the values into the tuplestore's context */
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
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
	return (Datum) 0;
}
