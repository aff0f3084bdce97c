/*
 * owner_query.c — the one way tmac's C code runs a query.
 *
 * Access profiles, the vocabulary and audit entries are read or written by C
 * code on behalf of whoever happens to be running: an employee, a view owner,
 * a superuser.  Each such query runs here:
 *
 *  - as the owner of the extension (governance tables are not readable by
 *    employees), with SECURITY_LOCAL_USERID_CHANGE as ri_triggers.c does;
 *  - read-only queries as a SECURITY_RESTRICTED_OPERATION, so nothing they
 *    reach can create temporary objects or change the session (the audit
 *    append writes, and its deferred constraint trigger cannot fire inside
 *    one; it calls only tmac's own pinned functions);
 *  - with debug_print_parse/_rewritten/_plan off, so a caller who switched them
 *    on in their session never sees tmac's queries with their parameters;
 *  - with search_path = pg_catalog, pg_temp (pg_temp explicitly last), so no
 *    type, function or operator the caller planted can be chosen;
 *  - with every result column's type compared with what the caller expects
 *    before a single Datum is read, so a surprise can never be reinterpreted.
 *
 * tmac_query_as() is the same for another fixed role: a company's registered
 * check runs as its function's owner, also in a read-only transaction
 * (check_runner.c).
 *
 * Snapshots: the statement's own, or the latest (so that under REPEATABLE
 * READ a revocation committed by another session is honoured, as RI checks
 * do); either of them also without this transaction's own changes (so a
 * change to governance data never widens the changer's reads before it is
 * committed, see profile_cache.c).  In parallel mode a new snapshot cannot be
 * taken; the active one is used (the leader hands its workers its profiles,
 * so this is only a fallback).
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "extension.h"
#include "owner_query.h"

/*
 * What the caller may switch on in their own session to see the parse trees and plans of the
 * queries run here, with their parameters as constants: off for tmac's queries (the SQL
 * definer functions pin the same settings, 99_privileges.sql).
 */
static const char *const quiet_settings[] = {
	"debug_print_parse", "debug_print_rewritten", "debug_print_plan"
};

static void
check_result_types(const char *sql, TupleDesc desc, int ncols, const Oid *types)
{
	int			i;

	if (ncols < 0)
		return;
	if (desc == NULL || desc->natts != ncols)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("tmac: an internal query returned %d columns, expected %d",
						desc ? desc->natts : 0, ncols),
				 errhint("The tmac extension is damaged; reinstall it.")));
	for (i = 0; i < ncols; i++)
	{
		Oid			got = TupleDescAttr(desc, i)->atttypid;

		if (got != types[i])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("tmac: an internal query returned type %s in column %d, expected %s",
							format_type_be(got), i + 1, format_type_be(types[i])),
					 errhint("The tmac extension is damaged; reinstall it.")));
	}
}

void
tmac_owner_query(const char *sql, int nargs, const Oid *argtypes, Datum *values,
				 int ncols, const Oid *types, bool read_only,
				 TmacSnapshotMode snapshot, TmacRowReader reader, void *arg)
{
	tmac_query_as(tmac_extension_required()->owner, false, sql, nargs, argtypes, values,
				  ncols, types, read_only, snapshot, reader, arg);
}

void
tmac_query_as(Oid role, bool read_only_transaction, const char *sql, int nargs,
			  const Oid *argtypes, Datum *values, int ncols, const Oid *types, bool read_only,
			  TmacSnapshotMode snapshot, TmacRowReader reader, void *arg)
{
	Oid			save_uid;
	int			save_sec;
	int			guc_level;
	int			i;
	volatile bool pushed = false;

	GetUserIdAndSecContext(&save_uid, &save_sec);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "tmac: SPI_connect failed");
	guc_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	for (i = 0; i < lengthof(quiet_settings); i++)
		(void) set_config_option(quiet_settings[i], "off",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
	if (read_only_transaction)
		(void) set_config_option("transaction_read_only", "on",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
	SetUserIdAndSecContext(role, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   (read_only ? SECURITY_RESTRICTED_OPERATION : 0));

	/*
	 * Outside any statement's snapshot (a label printed while FETCH reads a
	 * held cursor's stored rows, say), the query runs under the transaction's
	 * snapshot, pushed here and popped when it is done: SPI would otherwise
	 * leave the one it takes on the stack.
	 */
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	PG_TRY();
	{
		SPIPlanPtr	plan;
		int			rc;
		SnapshotData committed;
		Snapshot	snap = InvalidSnapshot;

		if (snapshot != TMAC_SNAPSHOT_CURRENT)
		{
			bool		latest = snapshot == TMAC_SNAPSHOT_LATEST ||
				snapshot == TMAC_SNAPSHOT_LATEST_COMMITTED;

			if (latest && !IsInParallelMode())
				snap = GetLatestSnapshot();
			else
				snap = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
			if (snapshot == TMAC_SNAPSHOT_CURRENT_COMMITTED ||
				snapshot == TMAC_SNAPSHOT_LATEST_COMMITTED)
			{
				/*
				 * A tuple this transaction inserted is visible only if its
				 * command id is below the snapshot's curcid, and one it
				 * deleted stays visible if the deleting command id is not:
				 * with curcid at the first command id the snapshot sees the
				 * committed state only.
				 */
				committed = *snap;
				committed.curcid = FirstCommandId;
				committed.copied = false;
				committed.regd_count = 0;
				committed.active_count = 0;
				snap = &committed;
			}
		}
		plan = SPI_prepare(sql, nargs, (Oid *) argtypes);
		if (plan == NULL)
			elog(ERROR, "tmac: cannot prepare an internal query: %s",
				 SPI_result_code_string(SPI_result));
		rc = SPI_execute_snapshot(plan, values, NULL, snap, InvalidSnapshot,
								  read_only, false, 0);
		if (rc < 0)
			elog(ERROR, "tmac: an internal query failed: %s", SPI_result_code_string(rc));
		if (ncols >= 0)
			check_result_types(sql, SPI_tuptable ? SPI_tuptable->tupdesc : NULL, ncols, types);
		if (reader != NULL)
			reader(SPI_tuptable, SPI_processed, arg);
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(save_uid, save_sec);
		PG_RE_THROW();
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_uid, save_sec);
	AtEOXact_GUC(true, guc_level);	/* as a function's SET clause: what was SAVEd here is restored */
	SPI_finish();
	if (pushed)
		PopActiveSnapshot();
}

void
tmac_rows_to_tuplestore(SPITupleTable *rows, uint64 nrows, void *arg)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) arg;
	int			natts = rows->tupdesc->natts;
	Datum	   *values = palloc(natts * sizeof(Datum));
	bool	   *nulls = palloc(natts * sizeof(bool));
	uint64		i;

	for (i = 0; i < nrows; i++)
	{
		heap_deform_tuple(rows->vals[i], rows->tupdesc, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	pfree(values);
	pfree(nulls);
}

void
tmac_read_one_value(SPITupleTable *rows, uint64 nrows, void *arg)
{
	TmacOneValue *out = (TmacOneValue *) arg;
	Form_pg_attribute att = TupleDescAttr(rows->tupdesc, 0);
	bool		isnull;
	Datum		d;

	out->found = false;
	if (nrows != 1)
		return;
	d = SPI_getbinval(rows->vals[0], rows->tupdesc, 1, &isnull);
	if (isnull)
		return;
	out->value = SPI_datumTransfer(d, att->attbyval, att->attlen);
	out->found = true;
}
