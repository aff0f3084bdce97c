/*
 * handling_events.c — handling events inside the database, recorded in the
 * handling ledger (取扱管理簿, ④) automatically.
 *
 * Protected rows leave their protection in three ways that no row policy
 * sees: COPY … TO (持出: the rows leave the database), CREATE TABLE AS /
 * SELECT INTO / INSERT … SELECT / UPDATE … FROM / materialized views into a
 * table without tmac's policies (複製: the copy is readable by whoever can
 * read that table), and DELETE or TRUNCATE (廃棄).  Each such statement becomes an entry
 * of tmac.handling_entry, made by tmac.record_handling_event() through
 * owner_query.c, with the protected tables involved, the rows and the
 * highest level among them; the handling standard then decides whether it
 * needed approval or was forbidden, and the checks report it.
 *
 * How: the executor-start hook notes every INSERT, UPDATE, DELETE and every
 * SELECT whose rows go to COPY, a new table or a materialized view, and
 * resets tmac_handling_rank_seen, which the row policies (policy.c) raise to
 * the highest level rank they let through; the executor-end hook records the
 * statement when it produced rows and read a protected table (a relation
 * carrying tmac's tmac_read policy) — named in the statement, or read
 * through a function the planner could not inline, which only the policies'
 * calls while the statement ran reveal.  A role that bypasses row security
 * calls no policy: the level is then unknown and the strictest rule applies.
 * So is a parallel plan (workers' policy calls are not seen by the leader).
 * COPY of a whole table by such a role never reaches the executor, and
 * TRUNCATE never does: the utility hook records those.
 *
 * Transactions.  The entry is written in the user's transaction: a
 * rolled-back INSERT … SELECT copied nothing, and leaves no entry.  COPY … TO
 * is different — its rows have left by the time the transaction ends — so
 * every event is also written to the server log (LOG, server only) when it
 * happens, and a rolled-back export keeps that trace.  In a read-only
 * transaction (pg_dump, a hot standby) nothing can be written: the server-log
 * line is then the only record.  CREATE and REFRESH MATERIALIZED VIEW run
 * their query as a security-restricted operation, where the audit log's
 * deferred trigger may not be queued: their entries are written when the
 * statement has returned (write_pending).
 *
 * information_flow.c records, per transaction, the shapes this file does not
 * see per statement (MERGE, data-modifying CTEs, loops writing row by row,
 * large objects, MERGE … DELETE); a copy this file recorded counts there as
 * recorded (tmac_handling_on_copy_recorded, which tmac.c points at
 * tmac_flow_note_recorded; calls go one way, from information_flow.c here).
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "rewrite/rowsecurity.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "extension.h"
#include "handling_events.h"
#include "owner_query.h"

TmacCopyRecordedFn tmac_handling_on_copy_recorded;

static void
copy_recorded(const char *target, int rank)
{
	if (tmac_handling_on_copy_recorded != NULL)
		tmac_handling_on_copy_recorded(target, rank);
}

int			tmac_handling_rank_seen = -1;

/* A statement being tracked: its query, and the rank seen before it began. */
typedef struct TrackedQuery
{
	QueryDesc  *qd;
	int			saved_rank;
} TrackedQuery;

static List *tracked = NIL;		/* in TopMemoryContext; cleared at transaction end */
static bool recording = false;	/* while our own query runs */
static List *pending = NIL;		/* PendingEvent, in TopTransactionContext; forgotten at transaction end */

/* Set by the utility hook around COPY … TO, CREATE TABLE AS and REFRESH. */
static char *utility_target = NULL;
static bool utility_recorded = false;

typedef struct UtilityState
{
	char	   *prev_target;
	bool		prev_recorded;
} UtilityState;

void
tmac_handling_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		list_free_deep(tracked);
		tracked = NIL;
		pending = NIL;			/* its memory goes with TopTransactionContext */
		tmac_handling_rank_seen = -1;
		utility_target = NULL;
		utility_recorded = false;
		recording = false;
	}
}

/* Protected relations of a plan named with the given permission (children carry none). */
static List *
protected_relations(List *rtable, AclMode perm)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, rtable)
	{
		RangeTblEntry *rte = (RangeTblEntry *) lfirst(lc);

		if (rte->rtekind != RTE_RELATION || (rte->requiredPerms & perm) == 0)
			continue;
		if (list_member_oid(result, rte->relid))
			continue;
		if (tmac_relation_protected(rte->relid))
			result = lappend_oid(result, rte->relid);
	}
	return result;
}

char *
tmac_relation_name(Oid relid)
{
	char	   *nsp = get_namespace_name(get_rel_namespace(relid));
	char	   *rel = get_rel_name(relid);

	if (nsp == NULL || rel == NULL)
		return psprintf("%u", relid);
	return quote_qualified_identifier(nsp, rel);
}

/*
 * An event met inside a security-restricted operation (CREATE or REFRESH
 * MATERIALIZED VIEW run their query in one), where the audit log's deferred
 * trigger may not be queued: written when the utility statement has returned.
 */
typedef struct PendingEvent
{
	char	   *kind;
	char	  **names;
	int			n;
	char	   *target;
	int64		rows;
	int			rank;
} PendingEvent;


/* Writes one event to the handling ledger, when this transaction can. */
static void
write_event(const char *kind, char **names, int n, const char *target, int64 rows, int rank)
{
	Datum	   *elems;
	int			i;
	Oid			fnargs[6] = {TEXTOID, TEXTARRAYOID, TEXTOID, INT8OID, INT4OID, TEXTOID};
	Datum		values[6];
	const TmacExtension *ext;
	const char *stmt = debug_query_string ? debug_query_string : "";

	ext = tmac_extension();
	if (!ext->installed || creating_extension)
		return;
	if (XactReadOnly || RecoveryInProgress())
		return;					/* pg_dump, a standby: the log line is the record */
	if (!OidIsValid(LookupFuncName(list_make2(makeString("tmac"), makeString("record_handling_event")),
								   6, fnargs, true)))
		return;					/* a library newer than the installed extension */
	if (InSecurityRestrictedOperation())
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
		PendingEvent *e = (PendingEvent *) palloc(sizeof(PendingEvent));

		e->kind = pstrdup(kind);
		e->names = (char **) palloc(sizeof(char *) * n);
		for (i = 0; i < n; i++)
			e->names[i] = pstrdup(names[i]);
		e->n = n;
		e->target = target ? pstrdup(target) : NULL;
		e->rows = rows;
		e->rank = rank;
		pending = lappend(pending, e);
		MemoryContextSwitchTo(old);
		return;
	}

	elems = (Datum *) palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(names[i]);
	values[0] = CStringGetTextDatum(kind);
	values[1] = PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
	values[2] = CStringGetTextDatum(target ? target : "");
	values[3] = Int64GetDatum(rows);
	values[4] = Int32GetDatum(rank);
	values[5] = CStringGetTextDatum(stmt);
	recording = true;
	PG_TRY();
	{
		tmac_owner_query("SELECT tmac.record_handling_event($1, $2, NULLIF($3, ''), "
						 "NULLIF($4, -1), $5, $6)",
						 6, fnargs, values, -1, NULL, false, TMAC_SNAPSHOT_CURRENT, NULL, NULL);
	}
	PG_FINALLY();
	{
		recording = false;
	}
	PG_END_TRY();
}

/* Writes the events a security-restricted operation left, once outside it. */
static void
write_pending(void)
{
	List	   *todo = pending;
	ListCell   *lc;

	if (todo == NIL || InSecurityRestrictedOperation())
		return;
	pending = NIL;
	foreach(lc, todo)
	{
		PendingEvent *e = (PendingEvent *) lfirst(lc);

		write_event(e->kind, e->names, e->n, e->target, e->rows, e->rank);
	}
}

/* The server-log line, then the ledger entry when the transaction can write. */
static void
log_and_write(const char *kind, char **names, int n, const char *text, const char *target,
			  int64 rows, int rank)
{
	const char *role = GetUserNameFromId(GetOuterUserId(), false);

	if (rows >= 0 && target)
		ereport(LOG_SERVER_ONLY,
				(errmsg("tmac: handling event %s of %s rows of protected %s by role %s to %s",
						kind, psprintf(INT64_FORMAT, rows), text, role, target),
				 errhidestmt(false)));
	else if (rows >= 0)
		ereport(LOG_SERVER_ONLY,
				(errmsg("tmac: handling event %s of %s rows of protected %s by role %s",
						kind, psprintf(INT64_FORMAT, rows), text, role),
				 errhidestmt(false)));
	else if (target)
		ereport(LOG_SERVER_ONLY,
				(errmsg("tmac: handling event %s of all rows of protected %s by role %s to %s",
						kind, text, role, target),
				 errhidestmt(false)));
	else
		ereport(LOG_SERVER_ONLY,
				(errmsg("tmac: handling event %s of all rows of protected %s by role %s",
						kind, text, role),
				 errhidestmt(false)));
	write_event(kind, names, n, target, rows, rank);
}

/*
 * Records one event: kind export, copy or delete; sources the protected
 * relations (InvalidOid: rows read through a function); target NULL when
 * there is none; rows -1 when unknown; rank -1 when unknown.  Always logged
 * at once; written to the ledger when the transaction can.
 */
static void
record_event(const char *kind, List *sources, const char *target, int64 rows, int rank)
{
	StringInfoData text;
	char	  **names;
	int			n = list_length(sources);
	int			i = 0;
	ListCell   *lc;

	if (n == 0)
		return;
	initStringInfo(&text);
	names = (char **) palloc(sizeof(char *) * n);
	foreach(lc, sources)
	{
		/* the ledger stores the English placeholder (a msgid); the log line translates it */
		names[i] = OidIsValid(lfirst_oid(lc)) ? tmac_relation_name(lfirst_oid(lc))
			: pstrdup(gettext_noop("(protected rows read through a function)"));
		appendStringInfo(&text, "%s%s", i > 0 ? ", " : "",
						 OidIsValid(lfirst_oid(lc)) ? names[i] : tmac_translate(names[i]));
		i++;
	}

	log_and_write(kind, names, n, text.data, target, rows, rank);
}

/*
 * Records one event whose source is a description rather than relations
 * (information_flow.c: what the transaction read, with its label).
 */
void
tmac_handling_record_named(const char *kind, const char *source, const char *target,
						   int64 rows, int rank)
{
	char	   *names[1];

	names[0] = pstrdup(source);
	log_and_write(kind, names, 1, names[0], target, rows, rank);
}

/*
 * The protected tables a statement read: those it names, or — when it names
 * none but the row policies let protected rows through while it ran (it read
 * them through a function, e.g. PL/pgSQL, that the planner cannot inline) —
 * InvalidOid, which record_event names as such.
 */
static List *
read_sources(List *rtable, int rank)
{
	List	   *sources = protected_relations(rtable, ACL_SELECT);

	if (sources == NIL && rank >= 0)
		sources = list_make1_oid(InvalidOid);
	return sources;
}

/* The statements whose rows may leave their protection. */
static bool
tracked_kind(QueryDesc *qd)
{
	if (qd->operation == CMD_INSERT || qd->operation == CMD_UPDATE || qd->operation == CMD_DELETE)
		return true;
	if (qd->operation == CMD_SELECT && qd->dest != NULL)
		return qd->dest->mydest == DestCopyOut || qd->dest->mydest == DestIntoRel ||
			qd->dest->mydest == DestTransientRel;
	return false;
}

void
tmac_handling_executor_start(QueryDesc *queryDesc)
{
	TrackedQuery *t;
	MemoryContext old;

	if (recording || IsParallelWorker() || !tracked_kind(queryDesc))
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	t = (TrackedQuery *) palloc(sizeof(TrackedQuery));
	t->qd = queryDesc;
	t->saved_rank = tmac_handling_rank_seen;
	tracked = lappend(tracked, t);
	MemoryContextSwitchTo(old);
	tmac_handling_rank_seen = -1;
}

void
tmac_handling_executor_end(QueryDesc *queryDesc)
{
	TrackedQuery *t = NULL;
	ListCell   *lc;
	int			rank;
	int64		rows;
	List	   *rtable;
	List	   *sources;

	if (recording || tracked == NIL)
		return;
	foreach(lc, tracked)
	{
		if (((TrackedQuery *) lfirst(lc))->qd == queryDesc)
		{
			t = (TrackedQuery *) lfirst(lc);
			tracked = foreach_delete_current(tracked, lc);
			break;
		}
	}
	if (t == NULL)
		return;
	rank = queryDesc->plannedstmt->parallelModeNeeded ? -1 : tmac_handling_rank_seen;
	/* an enclosing tracked statement still sees the levels this one saw */
	tmac_handling_rank_seen = Max(t->saved_rank, tmac_handling_rank_seen);
	pfree(t);

	rows = queryDesc->estate ? (int64) queryDesc->estate->es_processed : 0;
	if (rows <= 0)
		return;
	rtable = queryDesc->plannedstmt->rtable;
	if (queryDesc->operation == CMD_DELETE)
	{
		sources = protected_relations(rtable, ACL_DELETE);
		record_event("delete", sources, NULL, rows, rank);
	}
	else if (queryDesc->operation == CMD_INSERT || queryDesc->operation == CMD_UPDATE)
	{
		AclMode		write = queryDesc->operation == CMD_INSERT ? ACL_INSERT : ACL_UPDATE;
		ListCell   *tc;
		char	   *target = NULL;

		if (protected_relations(rtable, write) != NIL)
			return;				/* into a protected table: the labels stay enforced */
		foreach(tc, rtable)
		{
			RangeTblEntry *rte = (RangeTblEntry *) lfirst(tc);

			if (rte->rtekind == RTE_RELATION && (rte->requiredPerms & write) != 0)
			{
				target = tmac_relation_name(rte->relid);
				break;
			}
		}
		sources = read_sources(rtable, rank);
		record_event("copy", sources, target, rows, rank);
		if (sources != NIL && target != NULL)
			copy_recorded(target, rank);
	}
	else
	{
		sources = read_sources(rtable, rank);
		if (queryDesc->dest->mydest == DestCopyOut)
		{
			record_event("export", sources, utility_target, rows, rank);
			utility_recorded = true;
		}
		else
		{
			record_event("copy", sources, utility_target, rows, rank);
			if (sources != NIL && utility_target != NULL)
				copy_recorded(utility_target, rank);
		}
	}
}

static char *
range_var_name(RangeVar *rv)
{
	return quote_qualified_identifier(rv->schemaname, rv->relname);
}

/*
 * Before a utility statement: remember COPY … TO's destination, or the table
 * a CREATE TABLE AS or REFRESH MATERIALIZED VIEW fills.  NULL: not one of them.
 */
void *
tmac_handling_utility_begin(PlannedStmt *pstmt)
{
	Node	   *node = pstmt->utilityStmt;
	char	   *target = NULL;
	UtilityState *s;

	if (recording || node == NULL)
		return NULL;
	if (IsA(node, CopyStmt) && !((CopyStmt *) node)->is_from)
	{
		CopyStmt   *c = (CopyStmt *) node;

		target = c->filename == NULL ? pstrdup("COPY TO STDOUT")
			: psprintf("COPY TO %s%s", c->is_program ? "PROGRAM " : "", c->filename);
	}
	else if (IsA(node, CreateTableAsStmt) && ((CreateTableAsStmt *) node)->into != NULL)
		target = range_var_name(((CreateTableAsStmt *) node)->into->rel);
	else if (IsA(node, RefreshMatViewStmt))
		target = range_var_name(((RefreshMatViewStmt *) node)->relation);
	else
		return NULL;
	s = (UtilityState *) palloc(sizeof(UtilityState));
	s->prev_target = utility_target;
	s->prev_recorded = utility_recorded;
	utility_target = target;
	utility_recorded = false;
	return s;
}

/* After it: COPY of a whole table without the executor, TRUNCATE. */
void
tmac_handling_utility_end(PlannedStmt *pstmt, void *state, QueryCompletion *qc)
{
	Node	   *node = pstmt->utilityStmt;

	if (recording || node == NULL)
		return;
	if (IsA(node, CopyStmt) && state != NULL)
	{
		CopyStmt   *c = (CopyStmt *) node;

		if (!c->is_from && c->relation != NULL && c->query == NULL && !utility_recorded &&
			qc != NULL && qc->nprocessed > 0)
		{
			Oid			relid = RangeVarGetRelid(c->relation, NoLock, true);

			/* no policy ran (the role bypasses row security): the level is unknown */
			if (OidIsValid(relid) && tmac_relation_protected(relid))
				record_event("export", list_make1_oid(relid), utility_target, (int64) qc->nprocessed, -1);
		}
	}
	else if (IsA(node, TruncateStmt))
	{
		List	   *sources = NIL;
		ListCell   *lc;

		foreach(lc, ((TruncateStmt *) node)->relations)
		{
			Oid			relid = RangeVarGetRelid((RangeVar *) lfirst(lc), NoLock, true);

			if (OidIsValid(relid) && !list_member_oid(sources, relid) && tmac_relation_protected(relid))
				sources = lappend_oid(sources, relid);
		}
		record_event("delete", sources, NULL, -1, -1);
	}
	tmac_handling_utility_abort(state);
	write_pending();
}

/* Restores what utility_begin saved (also when the statement failed). */
void
tmac_handling_utility_abort(void *state)
{
	UtilityState *s = (UtilityState *) state;

	if (s == NULL)
		return;
	utility_target = s->prev_target;
	utility_recorded = s->prev_recorded;
	pfree(s);
}
