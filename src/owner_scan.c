/*
 * owner_scan.c — reading a protected table's labels with tmac's rights,
 * without running any code of the table's owner.
 *
 * tmac.hidden_rows_for() counts the rows a role cannot see, so it reads past
 * the row policies, with more rights than its caller, a table that someone
 * else owns.  That owner controls a great deal a query over the table would
 * run: an implicit cast from a type of theirs to tmac.label (casts are
 * global: no search_path keeps them out), the operators and functions of
 * their types, a domain's constraints, their own row policies, rules, and a
 * foreign-data wrapper below a partitioned table.  And the owner can rename
 * the label column and give its name to another column of any type.  A query
 * built from the column's name in tmac.protected_table once ran the owner's
 * cast as the extension's owner.
 *
 * So nothing here is a query over the table.  The rows are read from the
 * heap itself (table_beginscan with the statement's snapshot, under
 * AccessShareLock like a SELECT), and only one attribute of each row:
 *
 *  - the column is the one the table's read policy (tmac_read) decides on,
 *    found by attribute number in the stored policy expression, never by
 *    name: a renamed label column is still found, a column that took its
 *    old name is never read;
 *  - the column must be of exactly type tmac.label (its OID, the member of
 *    the extension), not a domain over it and not a type that reaches it
 *    through a cast; anything else is an error, so a label Datum is never
 *    made of another type's bytes;
 *  - the partitions and inheritance children (find_all_inheritors) are read
 *    as reading the table would read them: the policy's column is matched
 *    by name in each, as the planner translates a parent's columns, and must
 *    be of type tmac.label there too; partitioned tables hold no rows; a
 *    foreign table in the tree is refused (its wrapper would run), and
 *    another session's temporary child is skipped, as the planner skips it.
 *
 * Only tmac's own code runs: the label's bytes go to the caller's sink,
 * which asks the decision routine (decision.c).  The registry lookup is one
 * of tmac's own queries (owner_query.c) over tmac.protected_table.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "extension.h"
#include "owner_query.h"
#include "owner_scan.h"

/* A relation's name as regclass prints it (qualified when not on the search_path). */
static char *
relation_display(Oid relid)
{
	return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(relid)));
}

static void
note_found(SPITupleTable *rows, uint64 nrows, void *arg)
{
	*(bool *) arg = nrows > 0;
}

/* Does tmac.protected_table list the table? */
static bool
is_registered(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	Oid			types[1] = {INT4OID};
	bool		found = false;

	tmac_owner_query("SELECT 1::pg_catalog.int4 FROM tmac.protected_table p"
					 " WHERE p.relid::pg_catalog.oid = $1",
					 1, argtypes, values, 1, types, true, TMAC_SNAPSHOT_CURRENT,
					 note_found, &found);
	return found;
}

/*
 * The attribute number the expression of tmac_read hands to
 * tmac.row_readable(): a column of the table itself, possibly through a
 * coercion (which the column's type check then refuses).  InvalidAttrNumber
 * when the expression is anything else.
 */
static AttrNumber
policy_label_attnum(Node *qual, Oid row_readable)
{
	FuncExpr   *f;
	Node	   *arg;

	if (qual == NULL || !IsA(qual, FuncExpr))
		return InvalidAttrNumber;
	f = (FuncExpr *) qual;
	if (!OidIsValid(row_readable) || f->funcid != row_readable || list_length(f->args) != 1)
		return InvalidAttrNumber;
	arg = (Node *) linitial(f->args);
	for (;;)
	{
		if (IsA(arg, RelabelType))
			arg = (Node *) ((RelabelType *) arg)->arg;
		else if (IsA(arg, CoerceViaIO))
			arg = (Node *) ((CoerceViaIO *) arg)->arg;
		else if (IsA(arg, FuncExpr) && ((FuncExpr *) arg)->args != NIL &&
				 (((FuncExpr *) arg)->funcformat == COERCE_IMPLICIT_CAST ||
				  ((FuncExpr *) arg)->funcformat == COERCE_EXPLICIT_CAST))
			arg = (Node *) linitial(((FuncExpr *) arg)->args);
		else
			break;
	}
	if (IsA(arg, Var) && ((Var *) arg)->varno == 1 && ((Var *) arg)->varlevelsup == 0 &&
		((Var *) arg)->varattno > 0)
		return ((Var *) arg)->varattno;
	return InvalidAttrNumber;
}

static void
refuse_read_policy(Relation rel)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("table \"%s\" does not carry tmac's read policy",
					relation_display(RelationGetRelid(rel))),
			 errdetail("Its policy tmac_read is missing, or no longer calls tmac.row_readable() on a column of the table."),
			 errhint("Protect it again (tmac.unprotect, then tmac.protect); the finding protected_table_unenforced says what changed.")));
}

/* The column tmac_read of `rel` decides on, read from pg_policy (no query, no search_path). */
static AttrNumber
read_policy_column(Relation rel, Oid row_readable)
{
	Relation	pol;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	AttrNumber	attnum = InvalidAttrNumber;

	pol = table_open(PolicyRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_policy_polrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(RelationGetRelid(rel)));
	ScanKeyInit(&key[1], Anum_pg_policy_polname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("tmac_read"));
	scan = systable_beginscan(pol, PolicyPolrelidPolnameIndexId, true, NULL, 2, key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup) && ((Form_pg_policy) GETSTRUCT(tup))->polcmd == 'r')	/* FOR SELECT */
	{
		bool		isnull;
		Datum		qual = heap_getattr(tup, Anum_pg_policy_polqual, RelationGetDescr(pol), &isnull);

		if (!isnull)
			attnum = policy_label_attnum((Node *) stringToNode(TextDatumGetCString(qual)), row_readable);
	}
	systable_endscan(scan);
	table_close(pol, AccessShareLock);
	if (attnum == InvalidAttrNumber)
		refuse_read_policy(rel);
	return attnum;
}

/* Refuses a label column that is missing, dropped, or not of type tmac.label itself. */
static void
require_label_column(Relation rel, AttrNumber attnum, Oid label_type, Relation root)
{
	Form_pg_attribute att;

	if (attnum <= 0 || attnum > RelationGetNumberOfAttributes(rel) ||
		TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attisdropped)
	{
		if (rel == root)
			refuse_read_policy(rel);
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" below \"%s\" has no label column",
						relation_display(RelationGetRelid(rel)),
						relation_display(RelationGetRelid(root))),
				 errhint("Protect it again (tmac.unprotect, then tmac.protect on the topmost protected table).")));
	}
	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	if (att->atttypid != label_type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" of table \"%s\" has type %s, not tmac.label",
						NameStr(att->attname), relation_display(RelationGetRelid(rel)),
						format_type_be(att->atttypid)),
				 errdetail("tmac reads labels with its own rights only from a column of type tmac.label itself, not a domain over it or a type cast to it."),
				 errhint("Convert the column to tmac.label (ALTER TABLE … ALTER COLUMN … TYPE tmac.label) and protect the table again.")));
}

/* One table of the tree to read, and where its label is. */
typedef struct ScanTarget
{
	Relation	rel;
	AttrNumber	attnum;
} ScanTarget;

static void
scan_heap(const ScanTarget *t, Snapshot snap, TmacLabelSink sink, void *arg, MemoryContext rowcxt)
{
	TupleTableSlot *slot = table_slot_create(t->rel, NULL);
	TableScanDesc scan = table_beginscan(t->rel, snap, 0, NULL);

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		d = slot_getattr(slot, t->attnum, &isnull);
		if (isnull)
			continue;
		old = MemoryContextSwitchTo(rowcxt);
		sink(DatumGetTmacLabel(d), arg);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
}

void
tmac_scan_protected_labels(Oid relid, TmacLabelSink sink, void *arg)
{
	const TmacExtension *ext = tmac_extension_required();
	Relation	root;
	AttrNumber	attnum;
	char	   *attname;
	List	   *tree;
	List	   *targets = NIL;
	ListCell   *lc;
	Snapshot	snap;
	MemoryContext rowcxt;

	/* (a table dropped meanwhile is no longer protected either) */
	root = is_registered(relid) ? try_relation_open(relid, AccessShareLock) : NULL;
	if (root == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not protected by tmac", relation_display(relid)),
				 errhint("tmac.protected_table lists the protected tables.")));
	if (root->rd_rel->relkind != RELKIND_RELATION &&
		root->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", relation_display(relid)),
				 errhint("Only ordinary and partitioned tables are protected.")));
	attnum = read_policy_column(root, ext->row_readable);
	require_label_column(root, attnum, ext->label_type, root);
	attname = pstrdup(NameStr(TupleDescAttr(RelationGetDescr(root), attnum - 1)->attname));

	/* Every table below, locked as a SELECT of the parent locks them; checked before any row is read. */
	tree = find_all_inheritors(relid, AccessShareLock, NULL);
	foreach(lc, tree)
	{
		Oid			child = lfirst_oid(lc);
		Relation	rel = child == relid ? root : relation_open(child, NoLock);
		ScanTarget *t;

		if (RELATION_IS_OTHER_TEMP(rel))
		{
			if (rel != root)
				relation_close(rel, NoLock);	/* the planner skips these too */
			continue;
		}
		if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		{
			if (rel != root)
				relation_close(rel, NoLock);	/* no rows of its own */
			continue;
		}
		if (rel->rd_rel->relkind != RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" below the protected table \"%s\" is not a table",
							relation_display(child), relation_display(relid)),
					 errdetail("Reading a foreign table would run its foreign-data wrapper."),
					 errhint("Detach it (ALTER TABLE … DETACH PARTITION, or ALTER TABLE … NO INHERIT).")));
		t = (ScanTarget *) palloc(sizeof(ScanTarget));
		t->rel = rel;
		t->attnum = rel == root ? attnum : get_attnum(child, attname);
		require_label_column(rel, t->attnum, ext->label_type, root);
		targets = lappend(targets, t);
	}

	/*
	 * A snapshot taken after the locks: under READ COMMITTED the latest one, so a table rewrite
	 * (ALTER TABLE … TYPE) that committed while this waited for its lock is seen, not a stale
	 * snapshot under which the rewritten table looks empty; under REPEATABLE READ and
	 * SERIALIZABLE the transaction's own, as any query there.
	 */
	if (IsolationUsesXactSnapshot())
		snap = GetTransactionSnapshot();
	else if (IsInParallelMode())	/* no new snapshot there: the statement's */
		snap = GetActiveSnapshot();
	else
		snap = GetLatestSnapshot();
	snap = RegisterSnapshot(snap);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "tmac owner scan", ALLOCSET_SMALL_SIZES);
	foreach(lc, targets)
		scan_heap((ScanTarget *) lfirst(lc), snap, sink, arg, rowcxt);
	MemoryContextDelete(rowcxt);
	UnregisterSnapshot(snap);

	/* locks are kept until the end of the transaction, as a SELECT keeps them */
	foreach(lc, targets)
	{
		ScanTarget *t = (ScanTarget *) lfirst(lc);

		if (t->rel != root)
			relation_close(t->rel, NoLock);
	}
	relation_close(root, NoLock);
}
