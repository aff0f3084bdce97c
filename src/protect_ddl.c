/*
 * protect_ddl.c — which parent/child links an ALTER TABLE just made.
 *
 * A protected table's partitions and inheritance children must be protected
 * too (PostgreSQL applies the parent's policies when the parent is read, and
 * the child's own when the child is read).  tmac's event trigger
 * (tmac.protect_new_children, 61_protect.sql) keeps that true after each
 * CREATE TABLE and ALTER TABLE.  For CREATE TABLE every link of the new
 * table is new and SQL finds them in pg_inherits; for ALTER TABLE only the
 * command knows which links it added, so tmac.ddl_inheritance_links() reads
 * them from the collected command.  INHERIT: the subcommand's address is the
 * new parent.  ATTACH PARTITION: PostgreSQL 15 records no address, and the
 * event trigger runs with a pinned search_path, so the partition's name
 * cannot be looked up again; the partitions of the parent that carry that
 * name (in that schema, if the command named one) are taken instead — the
 * one just attached among them, and any other is checked again harmlessly.
 * Any other ALTER TABLE, tmac.protect()'s own included, adds no link.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "storage/lockdefs.h"
#include "tcop/deparse_utility.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

static void
put_link(ReturnSetInfo *rsinfo, Oid parent, Oid child)
{
	Datum		values[2] = {ObjectIdGetDatum(parent), ObjectIdGetDatum(child)};
	bool		nulls[2] = {false, false};

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

PG_FUNCTION_INFO_V1(tmac_ddl_inheritance_links);
Datum
tmac_ddl_inheritance_links(PG_FUNCTION_ARGS)
{
	CollectedCommand *cmd = (CollectedCommand *) PG_GETARG_POINTER(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	if (cmd == NULL || cmd->type != SCT_AlterTable ||
		cmd->d.alterTable.classId != RelationRelationId)
		return (Datum) 0;

	foreach(lc, cmd->d.alterTable.subcmds)
	{
		CollectedATSubcmd *sub = (CollectedATSubcmd *) lfirst(lc);
		AlterTableCmd *at;

		if (sub->parsetree == NULL || !IsA(sub->parsetree, AlterTableCmd))
			continue;
		at = (AlterTableCmd *) sub->parsetree;
		if (at->subtype == AT_AttachPartition && at->def != NULL && IsA(at->def, PartitionCmd))
		{
			Oid			parent = cmd->d.alterTable.objectId;
			RangeVar   *name = ((PartitionCmd *) at->def)->name;
			ListCell   *c;

			foreach(c, find_inheritance_children(parent, NoLock))
			{
				Oid			child = lfirst_oid(c);
				char	   *relname = get_rel_name(child);
				char	   *nspname = get_namespace_name(get_rel_namespace(child));

				if (relname != NULL && strcmp(relname, name->relname) == 0 &&
					(name->schemaname == NULL ||
					 (nspname != NULL && strcmp(nspname, name->schemaname) == 0)))
					put_link(rsinfo, parent, child);
			}
		}
		else if (at->subtype == AT_AddInherit && sub->address.classId == RelationRelationId &&
				 OidIsValid(sub->address.objectId))
			put_link(rsinfo, sub->address.objectId, cmd->d.alterTable.objectId);
	}
	return (Datum) 0;
}
