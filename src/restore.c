/*
 * restore.c — the restore window: pg_restore, pg_restore -j and psql restore
 * a database that uses tmac with no wrapper.
 *
 * CREATE EXTENSION tmac opens a window when schema tmac already carries a
 * vocabulary copy (vocabulary_copy.c): that only happens when a dump restored
 * the schema and its labels first.  The window is a row of
 * tmac.restore_window.  While it is open:
 *
 *  - labels are read with the copy (vocabulary.c asks
 *    tmac_vocabulary_copy_in_use()), since tmac's tables fill in any order;
 *  - tmac.restoring() is true for the restore's own statements, by a
 *    superuser: a COPY into, or an INSERT into, a table of schema tmac, and
 *    DDL.  Triggers then keep restored rows as history (no HR event applied
 *    again, no new audit entry, the dumped chain loaded as it was), and
 *    restored object labels and protections are not logged as new changes;
 *  - anything else that would change tmac's data (any API function, any
 *    other statement, any non-superuser) is refused by tmac.restoring() and
 *    by tmac.audit_append(), so nothing can go unaudited.
 *
 * The window closes with the dump's privileges, which pg_dump applies in a
 * last pass after all data (and, with -j, after every worker finished): the
 * init privileges of tmac.end_restore() are removed at install, so every dump
 * holds "REVOKE ALL ON FUNCTION tmac.end_restore() FROM PUBLIC", and an event
 * trigger that sees it calls tmac.end_restore(), which checks the restored
 * vocabulary against the copy and the audit chain, closes the window and
 * records the restore in the audit log.  A dump without privileges
 * (pg_dump -x) needs that one call by hand.
 *
 * A restore in two passes (pg_restore --schema-only, then --data-only) hands
 * the window over: the schema pass's privilege pass finds none of tmac's
 * tables loaded and leaves the window open for the data pass (a WARNING says
 * so); each COPY of the restore into a table of schema tmac is noted
 * (tmac.restore_loaded, called from tmac.c's utility hook), and the data
 * pass's COPY that completes tmac's tables calls tmac.end_restore().  While
 * the window is open, pg_restore --data-only --disable-triggers cannot switch
 * off tmac's own triggers (which keep the restored rows as history): its
 * ALTER TABLE … DISABLE TRIGGER on a table of schema tmac is skipped, as the
 * foreign keys it is meant for are dropped anyway.
 *
 * The open/closed state is cached per backend and invalidated, like every
 * governance cache, through the sentinel: tmac.restore_window has tmac's
 * cache_invalidate statement trigger.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "tcop/deparse_utility.h"
#include "tcop/pquery.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/portal.h"
#include "utils/syscache.h"

#include "extension.h"
#include "owner_query.h"
#include "restore.h"

static bool WindowValid = false;
static bool WindowOpen = false;
static Oid	WindowExtension = InvalidOid;

void
tmac_restore_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == tmac_sentinel_relid)
		WindowValid = false;
}

static void
read_open(SPITupleTable *rows, uint64 n, void *arg)
{
	bool		isnull;

	*(bool *) arg = n == 1 &&
		DatumGetBool(SPI_getbinval(rows->vals[0], rows->tupdesc, 1, &isnull)) && !isnull;
}

bool
tmac_restore_window_open(void)
{
	static const Oid types[] = {BOOLOID};
	const TmacExtension *ext = tmac_extension();
	bool		open = false;

	if (!ext->installed || IsBinaryUpgrade)
		return false;
	if (WindowValid && WindowExtension == ext->ext_oid)
		return WindowOpen;

	/* Valid before reading: an invalidation that arrives meanwhile clears it. */
	WindowValid = true;
	WindowExtension = ext->ext_oid;
	WindowOpen = false;
	if (!OidIsValid(get_relname_relid("restore_window", ext->namespace_oid)))
		return false;			/* CREATE EXTENSION has not got that far */
	PG_TRY();
	{
		tmac_owner_query("SELECT EXISTS (SELECT FROM tmac.restore_window)", 0, NULL, NULL,
						 1, types, true, TMAC_SNAPSHOT_CURRENT, read_open, &open);
	}
	PG_CATCH();
	{
		WindowValid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();
	WindowOpen = open;
	return open;
}

/*
 * Is the statement running now part of the restore?  A superuser (as seen
 * outside any SECURITY DEFINER function), and the top-level statement one
 * that a dump holds: a COPY FROM or a plain INSERT into a table of schema
 * tmac (pg_dump writes COPY, or INSERT with --inserts), or DDL (CREATE TABLE,
 * ALTER TABLE, SECURITY LABEL, GRANT…, to which tmac's event triggers and
 * label provider respond).  Statements that run arbitrary queries (CALL, DO,
 * EXECUTE, EXPLAIN, CREATE TABLE AS, REFRESH, cursors) and any other DML,
 * tmac's own functions called by SELECT among them, are not.
 */
static bool
restore_load(const TmacExtension *ext)
{
	ListCell   *lc;

	if (!superuser_arg(GetOuterUserId()) || ActivePortal == NULL ||
		ActivePortal->stmts == NIL)
		return false;
	foreach(lc, ActivePortal->stmts)
	{
		PlannedStmt *ps = lfirst_node(PlannedStmt, lc);
		Oid			relid = InvalidOid;

		if (ps->commandType == CMD_UTILITY && ps->utilityStmt != NULL)
		{
			Node	   *u = ps->utilityStmt;

			if (IsA(u, CopyStmt))
			{
				CopyStmt   *copy = (CopyStmt *) u;

				if (copy->is_from && copy->relation != NULL && copy->query == NULL)
					relid = RangeVarGetRelid(copy->relation, NoLock, true);
			}
			else if (IsA(u, CallStmt) || IsA(u, DoStmt) || IsA(u, ExecuteStmt) ||
					 IsA(u, ExplainStmt) || IsA(u, CreateTableAsStmt) ||
					 IsA(u, RefreshMatViewStmt) || IsA(u, DeclareCursorStmt) ||
					 IsA(u, FetchStmt))
				return false;
			else
				continue;		/* the restore's DDL */
		}
		else if (ps->commandType == CMD_INSERT && !ps->hasModifyingCTE &&
				 list_length(ps->resultRelations) == 1)
			relid = rt_fetch(linitial_int(ps->resultRelations), ps->rtable)->relid;
		if (!OidIsValid(relid) || get_rel_namespace(relid) != ext->namespace_oid)
			return false;
	}
	return true;
}

/*
 * tmac.restoring(): true when triggers must keep the rows being written as
 * restored history.  During a restore window, for the restore's own loads
 * (and an error for anything else); otherwise when a superuser set
 * tmac.restore = on (the manual restore mode of earlier releases).
 */
PG_FUNCTION_INFO_V1(tmac_restoring);
Datum
tmac_restoring(PG_FUNCTION_ARGS)
{
	const TmacExtension *ext = tmac_extension_required();
	const char *mode;

	if (tmac_restore_window_open())
	{
		if (restore_load(ext))
			PG_RETURN_BOOL(true);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tmac is being restored and accepts no changes until the restore ends"),
				 errdetail("CREATE EXTENSION tmac found the vocabulary copy of a dump on schema tmac and opened a restore window; until it closes, rows of tmac's tables are loaded as restored history only, so that nothing goes unaudited."),
				 errhint("The restore ends by itself when the dump's privileges are restored, or, after pg_restore --schema-only, when pg_restore --data-only has loaded tmac's tables.  After a dump made without privileges (pg_dump -x or pg_restore -x), a superuser runs SELECT tmac.end_restore().")));
	}
	mode = GetConfigOption("tmac.restore", true, false);
	PG_RETURN_BOOL(mode != NULL && strcmp(mode, "on") == 0 &&
				   superuser_arg(GetSessionUserId()));
}

/*
 * tmac.restore_closing_command(pg_ddl_command): true when a GRANT or REVOKE
 * collected by an event trigger names tmac.end_restore(), the privilege pass
 * of a dump of a database using tmac.
 */
PG_FUNCTION_INFO_V1(tmac_restore_closing_command);
Datum
tmac_restore_closing_command(PG_FUNCTION_ARGS)
{
	CollectedCommand *cmd = (CollectedCommand *) PG_GETARG_POINTER(0);
	const TmacExtension *ext = tmac_extension();
	Oid			end_restore;

	if (IsBinaryUpgrade || !ext->installed || cmd == NULL || cmd->type != SCT_Grant ||
		cmd->d.grant.istmt->objtype != OBJECT_FUNCTION)
		PG_RETURN_BOOL(false);
	end_restore = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
								  CStringGetDatum("end_restore"),
								  PointerGetDatum(buildoidvector(NULL, 0)),
								  ObjectIdGetDatum(ext->namespace_oid));
	PG_RETURN_BOOL(OidIsValid(end_restore) &&
				   list_member_oid(cmd->d.grant.istmt->objects, end_restore));
}

/* The relation a top-level COPY FROM a file or stdin loads, if it is one of tmac's. */
static Oid
copy_target(const TmacExtension *ext, Node *stmt)
{
	CopyStmt   *copy = (CopyStmt *) stmt;
	Oid			relid;

	if (!IsA(stmt, CopyStmt) || !copy->is_from || copy->relation == NULL || copy->query != NULL)
		return InvalidOid;
	relid = RangeVarGetRelid(copy->relation, NoLock, true);
	return OidIsValid(relid) && get_rel_namespace(relid) == ext->namespace_oid ? relid : InvalidOid;
}

/*
 * Before a utility statement: true to skip it.  While a restore window is
 * open, ALTER TABLE … DISABLE TRIGGER ALL (or USER) on a table of schema tmac
 * (pg_restore --data-only --disable-triggers writes one before each table it
 * loads, and ENABLE after) does nothing: tmac's triggers keep the restored
 * rows as history, and the foreign keys it is meant for are dropped until the
 * restore ends.
 */
bool
tmac_restore_utility_skip(PlannedStmt *pstmt, ProcessUtilityContext context)
{
	const TmacExtension *ext = tmac_extension();
	AlterTableStmt *alter = (AlterTableStmt *) pstmt->utilityStmt;
	ListCell   *lc;
	Oid			relid;

	if (!ext->installed || IsBinaryUpgrade || context != PROCESS_UTILITY_TOPLEVEL ||
		!IsA(alter, AlterTableStmt) || alter->objtype != OBJECT_TABLE || alter->cmds == NIL)
		return false;
	foreach(lc, alter->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype != AT_DisableTrigAll && cmd->subtype != AT_DisableTrigUser)
			return false;
	}
	relid = RangeVarGetRelid(alter->relation, NoLock, true);
	if (!OidIsValid(relid) || get_rel_namespace(relid) != ext->namespace_oid ||
		!tmac_restore_window_open())
		return false;
	ereport(NOTICE,
			(errmsg("tmac keeps the triggers of %s enabled while it is being restored",
					get_rel_name(relid)),
			 errdetail("They keep the restored rows as history; the foreign keys among tmac's tables are dropped until the restore ends.")));
	return true;
}

/*
 * After a utility statement that succeeded: a restore's top-level COPY into a
 * table of schema tmac, while the window is open, is noted; the data pass of a
 * two-pass restore ends the window with the COPY that completes tmac's tables.
 */
void
tmac_restore_utility_end(PlannedStmt *pstmt, ProcessUtilityContext context)
{
	static const Oid argtypes[] = {REGCLASSOID};
	const TmacExtension *ext = tmac_extension();
	Datum		values[1];

	if (!ext->installed || IsBinaryUpgrade || context != PROCESS_UTILITY_TOPLEVEL)
		return;
	values[0] = ObjectIdGetDatum(copy_target(ext, pstmt->utilityStmt));
	if (!OidIsValid(DatumGetObjectId(values[0])) || !superuser_arg(GetOuterUserId()) ||
		!tmac_restore_window_open())
		return;
	tmac_owner_query("SELECT tmac.restore_loaded($1)", 1, argtypes, values,
					 -1, NULL, false, TMAC_SNAPSHOT_CURRENT, NULL, NULL);
}

