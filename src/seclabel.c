/*
 * seclabel.c — the "tmac" security label provider.
 *
 * SECURITY LABEL FOR tmac ON TABLE/COLUMN/SCHEMA ... IS '社外秘' classifies
 * the object itself (SPEC §3.3).  PostgreSQL only accepts labels for a
 * provider that is loaded in the session, so tmac must be listed in
 * shared_preload_libraries or session_preload_libraries (see README).  The
 * provider accepts exactly what tmac.label input accepts.  PostgreSQL stores
 * the text as written (a provider cannot change it); tmac.object_label reads
 * it back as a tmac.label, so it always shows the canonical form, and the
 * rename functions rewrite every stored label in canonical form.
 *
 * The library is loaded cluster-wide, but the vocabulary lives in the tmac
 * extension of each database: where the extension is not installed a label
 * is refused with a clear message (removing one, IS NULL, always works, so
 * that labels left behind by DROP EXTENSION can be cleaned up).  Every change
 * of a label is written to tmac's audit log, by calling
 * tmac.object_label_audit() as the extension owner with a pinned search_path
 * (the caller's path and functions play no part).  A database still at a
 * version without that function (0.1.0, until ALTER EXTENSION tmac UPDATE)
 * refuses label changes rather than make them unaudited.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "commands/seclabel.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "extension.h"
#include "label.h"

/* The owner of the tmac extension (its row in pg_extension), read without name lookups. */
static Oid
extension_owner(Oid extoid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			owner = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(owner))
		elog(ERROR, "tmac: cache lookup failed for extension %u", extoid);
	return owner;
}

/*
 * Runs one statement of tmac's own as the extension owner: search_path pinned
 * to pg_catalog, pg_temp (so nothing the caller placed on its path is found)
 * and a security-restricted context, as access_cache.c does.  The GUC level
 * is undone here, or by the (sub)transaction abort on error.
 */
static void
run_as_extension_owner(Oid extoid, const char *query, int nargs, Oid *argtypes,
					   Datum *values, const char *nulls)
{
	Oid			owner = extension_owner(extoid);
	Oid			save_uid;
	int			save_sec;
	int			guc_level;

	GetUserIdAndSecContext(&save_uid, &save_sec);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "tmac: SPI_connect failed");
	guc_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		int			rc = SPI_execute_with_args(query, nargs, argtypes, values, nulls,
											   false, 0);

		if (rc < 0)
			elog(ERROR, "tmac: \"%s\" failed: %s", query, SPI_result_code_string(rc));
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(save_uid, save_sec);
		PG_RE_THROW();
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_uid, save_sec);
	AtEOXact_GUC(true, guc_level);
	SPI_finish();
}

/* Appends the change of an object's label (either side may be NULL) to tmac's audit log. */
static void
audit_label_change(Oid extoid, const ObjectAddress *object, const char *old, const char *new)
{
	Oid			argtypes[5] = {OIDOID, OIDOID, INT4OID, TEXTOID, TEXTOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
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
	if (old != NULL)
		values[3] = CStringGetTextDatum(old);
	else
		nulls[3] = 'n';
	if (new != NULL)
		values[4] = CStringGetTextDatum(new);
	else
		nulls[4] = 'n';
	run_as_extension_owner(extoid,
						   "SELECT tmac.object_label_audit($1, $2, $3, $4, $5)",
						   5, argtypes, values, nulls);
}

static void
tmac_object_relabel(const ObjectAddress *object, const char *seclabel)
{
	Oid			extoid;

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

	extoid = get_extension_oid("tmac", true);
	if (!OidIsValid(extoid))
	{
		if (seclabel == NULL)	/* removing a label left behind needs no vocabulary */
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
	audit_label_change(extoid, object, GetSecurityLabel(object, "tmac"), seclabel);
}

void		tmac_seclabel_init(void);

void
tmac_seclabel_init(void)
{
	register_label_provider("tmac", tmac_object_relabel);
}
