/*
 * extension.c — is tmac installed here, and which objects are tmac's own.
 *
 * shared_preload_libraries is cluster-wide, so tmac's hooks run in databases
 * that never ran CREATE EXTENSION tmac, and in databases that may have a
 * schema, type or function of their own called "tmac".  This file answers,
 * once per catalog change, whether the extension is installed in the current
 * database and which objects belong to it.  Lookups go by name inside the
 * extension's schema through the syscache (no USAGE check, no search_path),
 * and each object is confirmed to be a member of the extension through
 * pg_depend, so a user's look-alike is never taken for tmac's.
 *
 * Invalidation: CREATE/ALTER/DROP EXTENSION creates, replaces or drops
 * functions and schemas, so any pg_proc or pg_namespace syscache invalidation
 * (and a full reset) marks the answer stale; the next call looks again.  The
 * sentinel OID is kept across such resets (see extension.h).
 *
 * Whether a relation is protected by tmac is answered here too, from the
 * caches PostgreSQL keeps of pg_class and of the relation's policies.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/genam.h"
#include "access/xact.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "rewrite/rowsecurity.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "extension.h"

Oid			tmac_sentinel_relid = InvalidOid;

static TmacExtension Ext;
static bool ExtValid = false;

void
tmac_extension_syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	ExtValid = false;
}

/*
 * The registry's answers (tmac_relation_registered), remembered for one
 * statement: the planner asks once per column it estimates (statistics
 * hiding), the executor hooks once per relation.  An answer is good for the
 * statement it was read in (its start time and local transaction), as a
 * snapshot is, and is dropped at once when the relation's relcache entry is
 * invalidated — protect() and unprotect() change the table's policies in the
 * same transaction as its registry row.
 */
typedef struct RegisteredEntry
{
	Oid			relid;			/* the hash key */
	bool		registered;
	LocalTransactionId lxid;
	TimestampTz statement;
} RegisteredEntry;

static HTAB *Registered = NULL;

void
tmac_extension_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid)
		ExtValid = false;
	if (Registered == NULL)
		return;
	if (relid == InvalidOid)
	{
		hash_destroy(Registered);
		Registered = NULL;
	}
	else
		(void) hash_search(Registered, &relid, HASH_REMOVE, NULL);
}

/* Owner and schema of the extension row; false if it vanished meanwhile. */
static bool
read_extension_row(Oid ext_oid, Oid *owner, Oid *nsp)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext_oid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		Form_pg_extension form = (Form_pg_extension) GETSTRUCT(tup);

		*owner = form->extowner;
		*nsp = form->extnamespace;
		found = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

static Oid
member_or_invalid(Oid classid, Oid objid)
{
	if (!OidIsValid(objid) || getExtensionOfObject(classid, objid) != Ext.ext_oid)
		return InvalidOid;
	return objid;
}

static Oid
member_function(const char *name, Oid argtype)
{
	oidvector  *args = buildoidvector(&argtype, 1);
	Oid			fn = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
									 CStringGetDatum(name), PointerGetDatum(args),
									 ObjectIdGetDatum(Ext.namespace_oid));

	return member_or_invalid(ProcedureRelationId, fn);
}

/* Fill Ext for the current database (installed stays false where tmac is not). */
static void
lookup_extension(void)
{
	Oid			ext_oid;

	ext_oid = get_extension_oid("tmac", true);
	if (!OidIsValid(ext_oid))
		return;
	Ext.ext_oid = ext_oid;
	if (!read_extension_row(ext_oid, &Ext.owner, &Ext.namespace_oid))
	{
		memset(&Ext, 0, sizeof(Ext));
		return;
	}
	Ext.installed = true;
	Ext.label_type = member_or_invalid(TypeRelationId,
									   GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
													   CStringGetDatum("label"),
													   ObjectIdGetDatum(Ext.namespace_oid)));
	if (OidIsValid(Ext.label_type))
	{
		Ext.row_readable = member_function("row_readable", Ext.label_type);
		Ext.row_writable = member_function("row_writable", Ext.label_type);
	}
	Ext.sentinel = member_or_invalid(RelationRelationId,
									 get_relname_relid("cache_sentinel", Ext.namespace_oid));
	{
		Oid			fetch_args[3] = {NAMEOID, TEXTOID, TIMESTAMPTZOID};

		Ext.profile_fetch =
			OidIsValid(member_or_invalid(ProcedureRelationId,
										 GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
														 CStringGetDatum("access_profile_fetch"),
														 PointerGetDatum(buildoidvector(fetch_args, 3)),
														 ObjectIdGetDatum(Ext.namespace_oid))));
	}
	if (OidIsValid(Ext.sentinel))
		tmac_sentinel_relid = Ext.sentinel;
	/* (CREATE and DROP EXTENSION citus create and drop functions: the answer follows) */
	Ext.citus = OidIsValid(get_extension_oid("citus", true));
}

const TmacExtension *
tmac_extension(void)
{
	if (likely(ExtValid))
		return &Ext;
	if (!IsTransactionState())
	{
		static const TmacExtension none = {false};

		return &none;
	}

	memset(&Ext, 0, sizeof(Ext));
	ExtValid = true;			/* an invalidation during the lookup clears it again */
	PG_TRY();
	{
		lookup_extension();
	}
	PG_CATCH();
	{
		memset(&Ext, 0, sizeof(Ext));
		ExtValid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();
	return &Ext;
}

const TmacExtension *
tmac_extension_required(void)
{
	const TmacExtension *ext = tmac_extension();

	if (!ext->installed)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"tmac\" is not installed in database \"%s\"",
						get_database_name(MyDatabaseId)),
				 errdetail("The tmac library is loaded in every database of the cluster, but its catalog lives in each database that ran CREATE EXTENSION tmac."),
				 errhint("Run CREATE EXTENSION tmac in this database, or use another database.")));
	return ext;
}

/*
 * Is `relid` registered in tmac.protected_table?  Read through its primary
 * key with the latest snapshot (plus this transaction's own changes; in a
 * parallel worker, the statement's), as a catalog is: protect() and
 * unprotect() register a table in the same transaction that changes its
 * policies, whose relcache invalidation replans every cached plan over it,
 * so a plan's marks follow the registry.  The
 * registry is readable by PUBLIC and carries no row security.
 */
static bool
registry_lookup(Oid relid)
{
	const TmacExtension *ext = tmac_extension();
	Oid			regid = get_relname_relid("protected_table", ext->namespace_oid);
	Relation	rel;
	Oid			pkey;
	ScanKeyData skey;
	SysScanDesc scan;
	Snapshot	snap;
	bool		found;

	if (!OidIsValid(regid))
		return false;			/* CREATE EXTENSION has not got that far */
	rel = table_open(regid, AccessShareLock);
	pkey = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(pkey) || RelationGetDescr(rel)->natts < 1 ||
		TupleDescAttr(RelationGetDescr(rel), 0)->atttypid != REGCLASSOID)
	{
		table_close(rel, AccessShareLock);
		return false;
	}
	ScanKeyInit(&skey, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	/* a parallel worker may plan (a function's query) but not take a new snapshot */
	snap = RegisterSnapshot(!IsInParallelMode() ? GetLatestSnapshot() :
							ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot());
	scan = systable_beginscan(rel, pkey, true, snap, 1, &skey);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);
	return found;
}

static HTAB *
registered_hash(void)
{
	HASHCTL		ctl;

	if (Registered != NULL && hash_get_num_entries(Registered) <= 4096)
		return Registered;
	if (Registered != NULL)
		hash_destroy(Registered);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(RegisteredEntry);
	ctl.hcxt = TopMemoryContext;
	Registered = hash_create("tmac protected tables", 64, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return Registered;
}

bool
tmac_relation_registered(Oid relid)
{
	RegisteredEntry *e;
	bool		hit;
	bool		registered;
	LocalTransactionId lxid = MyProc->lxid;
	TimestampTz statement = GetCurrentStatementStartTimestamp();

	e = hash_search(registered_hash(), &relid, HASH_FIND, NULL);
	if (e != NULL && e->lxid == lxid && e->statement == statement)
		return e->registered;
	/* the lookup may take in invalidations, which may drop entries or the whole hash */
	registered = registry_lookup(relid);
	e = hash_search(registered_hash(), &relid, HASH_ENTER, &hit);
	e->registered = registered;
	e->lxid = lxid;
	e->statement = statement;
	return registered;
}

/*
 * True for a table protected by tmac: registered in tmac.protected_table (by
 * protect(), with every partition and child), with row security enabled —
 * the cheap test first, so an ordinary table costs one syscache look.  Never
 * by a policy's name: anyone may name a policy of their own table tmac_read.
 */
bool
tmac_relation_protected(Oid relid)
{
	char		relkind;

	if (!tmac_relation_row_security(relid, &relkind) ||
		(relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE))
		return false;
	return tmac_relation_registered(relid);
}

bool
tmac_relation_row_security(Oid relid, char *relkind)
{
	HeapTuple	tp;
	bool		rls;

	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tp))
		return false;
	rls = ((Form_pg_class) GETSTRUCT(tp))->relrowsecurity;
	if (relkind != NULL)
		*relkind = ((Form_pg_class) GETSTRUCT(tp))->relkind;
	ReleaseSysCache(tp);
	return rls;
}

/*
 * True when tmac.audit_head, created by every CREATE EXTENSION tmac and by no
 * upgrade, was created by the current transaction (the relation cache keeps
 * the subtransaction that created a relation until its transaction ends).
 */
bool
tmac_extension_created_here(void)
{
	const TmacExtension *ext = tmac_extension();
	Oid			relid;
	Relation	rel;
	bool		created;

	if (!ext->installed)
		return false;
	relid = get_relname_relid("audit_head", ext->namespace_oid);
	if (!OidIsValid(relid))
		return false;
	rel = RelationIdGetRelation(relid);
	if (!RelationIsValid(rel))
		return false;
	created = rel->rd_createSubid != InvalidSubTransactionId;
	RelationClose(rel);
	return created;
}
