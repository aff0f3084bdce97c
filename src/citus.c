/*
 * citus.c — tmac on a Citus cluster: governance on the coordinator, and no
 * protected row on a shard.
 *
 * What a node's tmac is.  Citus creates tmac on every worker when the
 * coordinator runs CREATE EXTENSION tmac (in a prepared transaction, which
 * tmac allows for that one transaction: login_gate.c, audit_chain.c), and
 * whenever a distributed table's column needs tmac.label.  Governance —
 * persons, grants, the vocabulary, the audit log, the registry of protected
 * tables, the findings — lives in the coordinator's database only; a worker's
 * tmac is the label type, its operators and the policy functions, over
 * governance tables that stay empty.  A worker can therefore decide nothing
 * for a person: its tmac.row_readable sees no person, no grant and no
 * vocabulary of the coordinator's.  So a protected table must not have rows on
 * a worker until the coordinator ships each statement's decision material
 * there in a form a worker session cannot forge (README, "Running on
 * Citus"); until then tmac refuses every way a protected table's rows would
 * reach shards, here:
 *
 *  - Distributing a protected table.  Citus copies a table's policies to its
 *    shards without AS RESTRICTIVE, so tmac's restrictive checks would become
 *    permissive beside tmac_base (USING true) and every role would read every
 *    row.  The Citus functions that make a table Citus-managed
 *    (create_distributed_table and its concurrent form, create_reference_table,
 *    citus_add_local_table_to_metadata, alter_distributed_table,
 *    citus_schema_distribute) are passed through fmgr_security_definer by
 *    tmac's needs_fmgr_hook, and when one returns, the tables Citus manages
 *    (pg_dist_partition) are compared with tmac's registry: a protected one
 *    fails the statement (0A000), so the transaction — shards, copied rows
 *    and all — rolls back on every node.  Citus also makes tables Citus-managed
 *    from DDL (a foreign key to a reference table, a table moved into a
 *    distributed schema), so the same comparison runs after every utility
 *    statement in a database where Citus is installed.  Both are cheap: the
 *    comparison reads one small catalog and a per-statement registry cache.
 *  - Protecting a Citus-managed table: tmac.protect refuses it (0A000,
 *    tmac.citus_managed in 61_protect.sql).
 *  - Reading a shard whose tmac policies lost their kind.  Where Citus is
 *    installed, the planner hook refuses a statement over a relation with a
 *    permissive policy named like one of tmac's restrictive ones (tmac_read,
 *    tmac_insert, tmac_update, tmac_delete): the shape Citus gives the shards
 *    of a protected table distributed by force (the refusal above bypassed by
 *    a superuser).  A direct query on a worker, or a query through the
 *    coordinator that reaches such a shard, fails instead of showing rows.
 *    By name, not by registry: a worker's registry is empty.  A user naming a
 *    permissive policy of their own table tmac_read only locks themselves out.
 *    Roles that read past row security (superusers, BYPASSRLS, an owner
 *    without FORCE) are let through, as everywhere: no policy decides for
 *    them, and undistribute_table, the repair, reads the shards.
 *  - The finding: protected_table_unenforced (76_checks_electronic.sql) lists
 *    a protected table Citus manages and, on any node with Citus, a table
 *    carrying such a permissive look-alike of tmac's policies.
 *
 * Nothing here runs in a database without Citus (extension.c knows, until
 * the next catalog change), beyond one syscache look per function cache of a
 * function that is not built in (needs_fmgr_hook).
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_language.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "rewrite/rowsecurity.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "citus.h"
#include "extension.h"
#include "tree_walk.h"

/* Citus's functions that make a table Citus-managed. */
static const char *const distributing[] = {
	"create_distributed_table",
	"create_distributed_table_concurrently",
	"create_reference_table",
	"citus_add_local_table_to_metadata",
	"alter_distributed_table",
	"citus_schema_distribute",
	NULL
};

/* tmac's restrictive policies, permissive on a Citus shard */
static const char *const restrictive_policies[] = {
	"tmac_read", "tmac_insert", "tmac_update", "tmac_delete", NULL
};

static bool tmac_policy_name(const char *name, const char *base);
static char *permissive_tmac_policy(Oid relid);

/* A C function of Citus's library in pg_catalog that distributes tables. */
static bool
distributing_function(Oid fn_oid)
{
	HeapTuple	tp;
	Form_pg_proc proc;
	bool		hit = false;

	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	if (!HeapTupleIsValid(tp))
		return false;
	proc = (Form_pg_proc) GETSTRUCT(tp);
	if (proc->pronamespace == PG_CATALOG_NAMESPACE && proc->prolang == ClanguageId)
	{
		int			i;

		for (i = 0; distributing[i] != NULL && !hit; i++)
			hit = strcmp(NameStr(proc->proname), distributing[i]) == 0;
	}
	ReleaseSysCache(tp);
	return hit;
}

/*
 * Asked by fmgr for every non-built-in function an expression looks up (the
 * policy's row_readable in every protected statement): where Citus is not
 * installed next to tmac no distributing function exists, and the answer
 * needs no second pg_proc lookup (issue 23: 1.4k instructions a statement).
 */
bool
tmac_citus_needs_fmgr_hook(Oid fn_oid)
{
	if (!tmac_extension()->citus)
		return false;
	return distributing_function(fn_oid);
}

/*
 * Citus's table of the tables it manages, or InvalidOid where Citus or tmac
 * is not installed (extension.c keeps the answer until the next catalog change).
 */
static Oid
dist_partition_relid(void)
{
	if (!tmac_extension()->citus)
		return InvalidOid;
	return get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
}

/* name is base, or base_<shard id> as Citus names a policy on a shard */
static bool
tmac_policy_name(const char *name, const char *base)
{
	size_t		n = strlen(base);
	const char *c;

	if (strncmp(name, base, n) != 0)
		return false;
	if (name[n] == '\0')
		return true;
	if (name[n] != '_' || name[n + 1] == '\0')
		return false;
	for (c = name + n + 1; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	return true;
}

/*
 * The name of a permissive policy of the relation named like one of tmac's
 * restrictive ones, or NULL.
 */
static char *
permissive_tmac_policy(Oid relid)
{
	Relation	rel;
	ListCell   *lc;
	char	   *bad = NULL;

	/* the cheap test first: most Citus tables have no row security, and need no relcache entry */
	if (!tmac_relation_row_security(relid, NULL))
		return NULL;
	rel = RelationIdGetRelation(relid);
	if (!RelationIsValid(rel))
		return NULL;
	if (rel->rd_rsdesc != NULL)
	{
		foreach(lc, rel->rd_rsdesc->policies)
		{
			RowSecurityPolicy *p = (RowSecurityPolicy *) lfirst(lc);
			int			i;

			if (!p->permissive)
				continue;
			for (i = 0; restrictive_policies[i] != NULL && bad == NULL; i++)
				if (tmac_policy_name(p->policy_name, restrictive_policies[i]))
					bad = pstrdup(p->policy_name);
			if (bad != NULL)
				break;
		}
	}
	RelationClose(rel);
	return bad;
}

/*
 * Refuses a relation with a permissive policy named like one of tmac's
 * restrictive ones, to a role its policies apply to (not to a superuser, a
 * BYPASSRLS role or an owner without FORCE, who read past every policy
 * anyway — and must be able to repair it: undistribute_table reads the shards).
 */
static void
check_relation(Oid relid, Oid checkAsUser)
{
	char	   *bad;

	if (check_enable_rls(relid, checkAsUser, true) != RLS_ENABLED)
		return;
	bad = permissive_tmac_policy(relid);

	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" carries tmac's policy \"%s\" as a permissive policy", get_rel_name(relid), bad),
				 errdetail("This is the shape Citus gives the shards of a protected table: with it every role would read every row, so tmac refuses the statement."),
				 errhint("Query protected tables on the coordinator; tmac refuses to distribute them. Drop the table's tmac policies, or undistribute the table and protect it again.")));
}

/* The tables Citus manages (pg_dist_partition's logicalrelid); NIL where Citus is not installed. */
static List *
citus_tables(void)
{
	Oid			dist = dist_partition_relid();
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *tables = NIL;

	if (!OidIsValid(dist))
		return NIL;
	rel = table_open(dist, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, 1, RelationGetDescr(rel), &isnull);	/* logicalrelid */

		if (!isnull)
			tables = lappend_oid(tables, DatumGetObjectId(d));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return tables;
}

/*
 * The protected tables Citus manages: registered ones, and the shells Citus
 * made of them (a Citus local table: the protected table became its shard,
 * the new shell got its policies without AS RESTRICTIVE).
 */
static List *
protected_citus_tables(void)
{
	List	   *found = NIL;
	ListCell   *lc;

	foreach(lc, citus_tables())
	{
		Oid			relid = lfirst_oid(lc);

		if (tmac_relation_registered(relid) || permissive_tmac_policy(relid) != NULL)
			found = lappend_oid(found, relid);
	}
	return found;
}

/*
 * Fails the statement when it made a protected table Citus-managed: one that
 * is now and was not in before (what the statement started with).  Only the
 * statement's own doing: one that got there by force before (a finding) does
 * not block every later statement, nor its own repair (undistribute_table).
 */
static void
refuse_newly_distributed(List *before)
{
	List	   *after;
	ListCell   *lc;

	CommandCounterIncrement();	/* see what the statement just wrote */
	after = protected_citus_tables();
	foreach(lc, after)
	{
		Oid			relid = lfirst_oid(lc);

		if (!list_member_oid(before, relid))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot distribute protected table \"%s\" with Citus", get_rel_name(relid)),
					 errdetail("Citus copies a table's row-level security policies to its shards without AS RESTRICTIVE, so on the shards tmac's policies would let every role read every row."),
					 errhint("Keep protected tables as local tables on the coordinator, or run tmac.unprotect() first if the table need not be protected.")));
	}
}

/*
 * What each distributing function in progress started with (calls nest
 * strictly: pushed at FHET_START, popped at FHET_END or FHET_ABORT; emptied
 * at a top-level abort by tmac_citus_xact_callback as a safety net).
 */
static List *before_stack = NIL;	/* of List *, in TopTransactionContext */

void
tmac_citus_fmgr_hook(FmgrHookEventType event, FmgrInfo *flinfo)
{
	List	   *before;
	MemoryContext old;

	if (!distributing_function(flinfo->fn_oid))
		return;
	switch (event)
	{
		case FHET_START:
			before = protected_citus_tables();
			old = MemoryContextSwitchTo(TopTransactionContext);
			before_stack = lcons(list_copy(before), before_stack);
			MemoryContextSwitchTo(old);
			break;
		case FHET_END:
		case FHET_ABORT:
			if (before_stack == NIL)
				break;
			before = (List *) linitial(before_stack);
			before_stack = list_delete_first(before_stack);
			if (event == FHET_END)
				refuse_newly_distributed(before);
			break;
	}
}

void
tmac_citus_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
		before_stack = NIL;		/* (its memory went with the transaction) */
}

/*
 * Before a utility statement, where Citus is installed: the protected tables
 * Citus manages already (NULL: no check).  COMMIT and ROLLBACK may end an
 * aborted transaction, where no catalog may be read.
 */
List **
tmac_citus_utility_begin(Node *stmt)
{
	List	  **before;

	if (IsA(stmt, TransactionStmt) || !IsTransactionState() || !OidIsValid(dist_partition_relid()))
		return NULL;
	before = palloc(sizeof(List *));
	*before = protected_citus_tables();
	return before;
}

void
tmac_citus_utility_end(List **before)
{
	if (before != NULL && IsTransactionState())
		refuse_newly_distributed(*before);
}

static bool
guard_rte(RangeTblEntry *rte, void *arg)
{
	if (rte->rtekind == RTE_RELATION && get_rel_relkind(rte->relid) != RELKIND_VIEW)
		check_relation(rte->relid, rte->checkAsUser);
	return false;
}

void
tmac_citus_check_query(Query *parse)
{
	if (!tmac_extension()->citus)
		return;
	(void) tmac_walk_queries((Node *) parse, NULL, guard_rte, NULL);
}

/*
 * tmac.citus_managed(tbl): true when Citus manages the table (a distributed,
 * reference or Citus local table: pg_dist_partition has it); false where
 * Citus is not installed.
 */
PG_FUNCTION_INFO_V1(tmac_citus_managed);
Datum
tmac_citus_managed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(list_member_oid(citus_tables(), PG_GETARG_OID(0)));
}
