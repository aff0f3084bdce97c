/*
 * declassify.c — the trigger that guards declassification on protected tables.
 *
 * tmac.protect() installs tmac.declassify_guard() as a BEFORE UPDATE row
 * trigger, with the label column's name as its argument.  An update that
 * lowers a row's level, removes a compartment or removes a group (each
 * widens who may read the row) is a declassification: the acting role must
 * have the privileges of tmac_declassifier, and the change is written to the
 * audit log through tmac.audit_record(), which runs as its owner (the
 * function is not executable by PUBLIC, so only this trigger and tmac's own
 * functions can record).  Raising a level or adding compartments is not
 * declassification; the write policy already bounds it by clearance.
 * Declassifying is the declassifier's own act (own_act.c): refused from
 * another trigger or inside another role's SECURITY DEFINER function.
 *
 * The label is read from the column the trigger fires on (its attribute
 * number), never looked up again by the name it was created with, and only
 * when that column is of type tmac.label itself: the table's owner can
 * rename columns, and a column of another type that took the name would
 * otherwise be decoded as a label.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "extension.h"
#include "information_flow.h"
#include "label.h"
#include "own_act.h"
#include "owner_query.h"

static bool
is_subset(const int32 *sub, int nsub, const int32 *super, int nsuper)
{
	return tmac_sorted_subset(sub, nsub, super, nsuper);
}

PG_FUNCTION_INFO_V1(tmac_declassify_guard);
Datum
tmac_declassify_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	int			attnum;
	bool		oldnull,
				newnull;
	Datum		od,
				nd;
	TmacLabel  *o,
			   *n;
	Oid			declassifier;
	char	   *relname;
	StringInfoData detail;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) || !TRIGGER_FIRED_BY_UPDATE(td->tg_event) ||
		td->tg_trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.declassify_guard() must be a BEFORE UPDATE row trigger with the label column as argument")));

	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	/*
	 * The column the trigger fires on (BEFORE UPDATE OF it), not whatever now
	 * carries the name it was created with: after a rename that name may
	 * belong to another column, of any type.
	 */
	attnum = td->tg_trigger->tgnattr == 1 ? td->tg_trigger->tgattr[0]
		: SPI_fnumber(desc, td->tg_trigger->tgargs[0]);
	if (attnum <= 0 || attnum > desc->natts || TupleDescAttr(desc, attnum - 1)->attisdropped)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("label column \"%s\" of protected table \"%s\" does not exist",
						td->tg_trigger->tgargs[0], RelationGetRelationName(rel)),
				 errhint("Run tmac.unprotect() and tmac.protect() again after renaming the label column.")));
	/* only a tmac.label is read as one: not a domain over it, not another type */
	if (TupleDescAttr(desc, attnum - 1)->atttypid != tmac_extension_required()->label_type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" of protected table \"%s\" has type %s, not tmac.label",
						NameStr(TupleDescAttr(desc, attnum - 1)->attname), RelationGetRelationName(rel),
						format_type_be(TupleDescAttr(desc, attnum - 1)->atttypid)),
				 errhint("Convert the column to tmac.label and protect the table again (tmac.unprotect, then tmac.protect).")));

	od = heap_getattr(td->tg_trigtuple, attnum, desc, &oldnull);
	nd = heap_getattr(td->tg_newtuple, attnum, desc, &newnull);
	if (oldnull || newnull)
		return PointerGetDatum(td->tg_newtuple);
	o = DatumGetTmacLabel(od);
	n = DatumGetTmacLabel(nd);
	if (n->rank >= o->rank &&
		is_subset(TMAC_LABEL_COMPARTMENTS(o), o->ncompartments,
				  TMAC_LABEL_COMPARTMENTS(n), n->ncompartments) &&
		is_subset(TMAC_LABEL_GROUPS(o), o->ngroups, TMAC_LABEL_GROUPS(n), n->ngroups))
		return PointerGetDatum(td->tg_newtuple);

	relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										 RelationGetRelationName(rel));
	/* the declassifier's own act: this trigger runs at depth 1 for an UPDATE made directly */
	(void) tmac_own_act_role(gettext_noop("declassify a row"), 1);
	declassifier = get_role_oid("tmac_declassifier", true);
	if (!OidIsValid(declassifier) || !has_privs_of_role(GetUserId(), declassifier))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to declassify a row of %s", relname),
				 errdetail("Changing the label from %s to %s lowers the level or removes a compartment or group.",
						   tmac_label_to_text(o), tmac_label_to_text(n)),
				 errhint("Declassification needs membership of the role tmac_declassifier.")));

	/* record it, as tmac's owner (owner_query.c) */
	initStringInfo(&detail);
	appendStringInfoString(&detail, "{\"table\": ");
	escape_json(&detail, relname);
	appendStringInfoString(&detail, ", \"from\": ");
	escape_json(&detail, tmac_label_to_text(o));
	appendStringInfoString(&detail, ", \"to\": ");
	escape_json(&detail, tmac_label_to_text(n));
	appendStringInfoString(&detail, ", \"by\": ");
	escape_json(&detail, GetUserNameFromId(GetUserId(), false));
	appendStringInfo(&detail, ", \"ctid\": \"(%u,%u)\"}",
					 ItemPointerGetBlockNumber(&td->tg_trigtuple->t_self),
					 ItemPointerGetOffsetNumber(&td->tg_trigtuple->t_self));
	values[0] = CStringGetTextDatum(relname);
	values[1] = CStringGetTextDatum(detail.data);

	tmac_owner_query("SELECT tmac.audit_record('declassification', 'declassify', $1, $2::pg_catalog.jsonb)",
					 2, argtypes, values, -1, NULL, false, TMAC_SNAPSHOT_CURRENT, NULL, NULL);
	tmac_flow_note_declassified(o);
	return PointerGetDatum(td->tg_newtuple);
}
