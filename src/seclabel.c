/*
 * seclabel.c — the "tmac" security label provider.
 *
 * SECURITY LABEL FOR tmac ON TABLE/COLUMN/SCHEMA ... IS '社外秘' classifies
 * the object itself (a label on a table, column or schema describes it, not its rows).  PostgreSQL only accepts labels for a
 * provider that is loaded in the session, which preloading (the only way tmac
 * loads) guarantees.  The provider accepts exactly what tmac.label input accepts.  PostgreSQL stores
 * the text as written (a provider cannot change it); tmac.object_label reads
 * it back as a tmac.label, so it always shows the canonical form, and the
 * rename functions rewrite every stored label in canonical form.
 *
 * The library is loaded cluster-wide, but the vocabulary lives in the tmac
 * extension of each database: where the extension is not installed a label
 * is refused with a clear message (removing one, IS NULL, always works, so
 * that labels left behind by DROP EXTENSION can be cleaned up), except while
 * a restore or pg_upgrade sets labels before CREATE EXTENSION tmac
 * (vocabulary_copy.c).  Every change
 * of a label is written to tmac's audit log, by calling
 * tmac.object_label_audit() through owner_query.c (as tmac's owner, with a
 * pinned search_path: the caller's path and functions play no part).  A
 * database still at a version without that function (0.1.0, until ALTER
 * EXTENSION tmac UPDATE) refuses label changes rather than make them unaudited.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/seclabel.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "extension.h"
#include "label.h"
#include "owner_query.h"

/* Appends the change of an object's label (either side may be NULL) to tmac's audit log. */
static void
audit_label_change(const ObjectAddress *object, const char *old, const char *new)
{
	Oid			argtypes[5] = {OIDOID, OIDOID, INT4OID, TEXTOID, TEXTOID};
	Datum		values[5];
	const TmacExtension *ext = tmac_extension_required();

	if (!OidIsValid(GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
									CStringGetDatum("object_label_audit"),
									PointerGetDatum(buildoidvector(argtypes, 5)),
									ObjectIdGetDatum(ext->namespace_oid))))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the tmac extension in database \"%s\" is older than its library",
						get_database_name(MyDatabaseId)),
				 errdetail("Label changes are audited, and this version of the extension has no audit function for them."),
				 errhint("Run ALTER EXTENSION tmac UPDATE.")));

	values[0] = ObjectIdGetDatum(object->classId);
	values[1] = ObjectIdGetDatum(object->objectId);
	values[2] = Int32GetDatum(object->objectSubId);
	/* NULL for a missing side: the audit function takes text and treats '' as none */
	values[3] = CStringGetTextDatum(old != NULL ? old : "");
	values[4] = CStringGetTextDatum(new != NULL ? new : "");
	tmac_owner_query("SELECT tmac.object_label_audit($1, $2, $3,"
					 " NULLIF($4, ''), NULLIF($5, ''))",
					 5, argtypes, values, -1, NULL, false, TMAC_SNAPSHOT_CURRENT, NULL, NULL);
}

static void
tmac_object_relabel(const ObjectAddress *object, const char *seclabel)
{
	if (object->classId == RelationRelationId)
	{
		char		relkind = get_rel_relkind(object->objectId);

		if (object->objectSubId == 0 &&
			relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
			relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW &&
			relkind != RELKIND_FOREIGN_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("tmac labels tables, views, columns and schemas only")));
	}
	else if (object->classId != NamespaceRelationId)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac labels tables, views, columns and schemas only")));

	if (!tmac_extension()->installed)
	{
		if (seclabel == NULL)	/* removing a label left behind needs no vocabulary */
			return;
		if (tmac_object_label_before_install(seclabel))	/* a restore or pg_upgrade */
			return;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tmac is not installed in database \"%s\"",
						get_database_name(MyDatabaseId)),
				 errdetail("A tmac label is checked against the vocabulary of the tmac extension in the same database."),
				 errhint("Run CREATE EXTENSION tmac in this database first.")));
	}

	if (seclabel != NULL)		/* SECURITY LABEL ... IS NULL removes it */
		(void) tmac_label_from_text(seclabel);

	/* pg_upgrade replays the labels of the old cluster, whose audit log it then copies */
	if (IsBinaryUpgrade)
		return;
	audit_label_change(object, GetSecurityLabel(object, "tmac"), seclabel);
}

void		tmac_seclabel_init(void);

void
tmac_seclabel_init(void)
{
	register_label_provider("tmac", tmac_object_relabel);
}
