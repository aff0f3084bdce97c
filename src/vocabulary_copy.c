/*
 * vocabulary_copy.c — the copy of the vocabulary that schema tmac carries.
 *
 * Labels are parsed while a dump is restored: in table defaults, partition
 * bounds, views and SECURITY LABELs (pre-data) and in the rows of your tables
 * (data), which pg_dump orders by schema name and pg_restore -j loads in any
 * order, so tmac's vocabulary tables may not hold their rows yet; and during
 * pg_upgrade's schema restore they hold none at all.  The schema tmac itself
 * is not a member of the extension, so pg_dump writes its security labels
 * right after CREATE SCHEMA tmac and before CREATE EXTENSION tmac (with -j,
 * before any worker starts).  A second label provider, "tmac_vocabulary",
 * keeps a copy of the vocabulary there, and label input uses it instead of
 * the tables during pg_upgrade (IsBinaryUpgrade) and while a restore window
 * is open (restore.c).
 *
 * The copy is the vocabulary's text form (vocabulary_text.h: one entry a
 * line, fields separated by tabs; codes, names and aliases can hold neither
 * tabs nor newlines), parsed by vocabulary_text.c; vocabulary.c builds the
 * backend's vocabulary from its entries.  This file only finds the copy,
 * says when label input must use it, and guards the label provider.
 *
 * Before CREATE EXTENSION tmac (no tmac installed, the schema named tmac
 * carrying a copy) label input reads the copy too.  Labels on schemas are
 * restored even before CREATE SCHEMA tmac, when no copy exists yet: those are
 * checked for syntax only (tmac_object_label_before_install, label.c) and
 * resolved when the restore ends or tmac is installed.
 *
 * tmac.vocabulary_copy_text() writes it; a statement trigger on the three
 * vocabulary tables rewrites the label after every change (under a lock on
 * the schema, from the latest committed state, so two concurrent changes
 * never lose one another).  The provider accepts a label only from a
 * superuser, only on schema tmac, only when it parses; and, once tmac is
 * installed, only if it is exactly what tmac would write (outside pg_upgrade
 * and restore windows).  DROP EXTENSION tmac removes it, so that a later
 * CREATE EXTENSION is a fresh install rather than a restore.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/seclabel.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"

#include "extension.h"
#include "owner_query.h"
#include "restore.h"
#include "vocabulary_copy.h"
#include "vocabulary_text.h"


/* Where a parse error goes: a SECURITY LABEL being set, or the stored copy. */
typedef struct CopyParse
{
	bool		stored;			/* reading the stored copy: errors mean corruption */
	int			line;
} CopyParse;

static void
copy_error(CopyParse *p, const char *detail)
{
	if (p->stored)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("tmac: the vocabulary copy on schema tmac is damaged"),
				 errdetail("Line %d: %s.", p->line, detail),
				 errhint("Restore the schema's tmac_vocabulary label from the dump, or reinstall tmac.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid tmac_vocabulary label"),
			 errdetail("Line %d: %s.", p->line, detail),
			 errhint("tmac writes this label itself; it is accepted from a dump or in pg_upgrade, not written by hand.")));
}

/* Parse a copy (a label being set, or the stored one), passing its entries to fn. */
static void
parse_copy(const char *text, bool stored, TmacVocabEntryFn fn, void *arg)
{
	CopyParse	p = {stored, 1};
	char	   *buf = pstrdup(text);
	TmacVocabTextError *err = palloc(sizeof(TmacVocabTextError));

	if (!tmac_vocab_text_parse(buf, TMAC_VOCAB_TEXT_COPY, fn, arg, err))
	{
		p.line = err->line;
		copy_error(&p, err->detail);
	}
	pfree(err);
	pfree(buf);
}

/* The stored copy of the current database's tmac schema, or NULL. */
static char *
stored_copy(Oid namespace_oid)
{
	ObjectAddress schema;

	ObjectAddressSet(schema, NamespaceRelationId, namespace_oid);
	return GetSecurityLabel(&schema, TMAC_VOCABULARY_PROVIDER);
}

/*
 * The schema whose copy label input reads: tmac's own; before CREATE
 * EXTENSION tmac (a restore sets the labels of every schema before it
 * creates any extension) and early in pg_upgrade, the schema named tmac.
 */
static Oid
copy_schema(void)
{
	const TmacExtension *ext = tmac_extension();

	return ext->installed ? ext->namespace_oid : get_namespace_oid("tmac", true);
}

/* Does the schema named tmac carry a copy (a restore before CREATE EXTENSION tmac)? */
bool
tmac_vocabulary_copy_present(void)
{
	Oid			nsp = get_namespace_oid("tmac", true);

	return OidIsValid(nsp) && stored_copy(nsp) != NULL;
}

bool
tmac_vocabulary_copy_in_use(void)
{
	if (IsBinaryUpgrade)
		return true;
	if (tmac_extension()->installed)
		return tmac_restore_window_open();
	/* not installed: a restore that has not reached CREATE EXTENSION tmac yet */
	return tmac_vocabulary_copy_present();
}

void
tmac_vocabulary_copy_read(TmacVocabEntryFn fn, void *arg)
{
	Oid			nsp = copy_schema();
	char	   *text = OidIsValid(nsp) ? stored_copy(nsp) : NULL;

	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tmac: labels cannot be read yet: the vocabulary copy on schema tmac is missing"),
				 errdetail(IsBinaryUpgrade ?
						   "pg_upgrade restores labels before tmac's tables hold data; it reads them with the vocabulary that the old cluster's schema tmac carries (security label provider tmac_vocabulary)." :
						   "A restore is in progress: tmac reads labels with the vocabulary copy on schema tmac until the restore ends."),
				 errhint("The old database was made by a tmac without the copy: make any vocabulary change there (it writes the copy), then dump or upgrade again.")));
	parse_copy(text, true, fn, arg);
	pfree(text);
}

typedef struct TextResult
{
	char	   *text;
	MemoryContext cxt;
} TextResult;

char *
tmac_vocabulary_text_column(SPITupleTable *rows, uint64 n, const char *what, MemoryContext cxt)
{
	bool		isnull;
	Datum		d;

	if (n != 1)
		elog(ERROR, "tmac: %s returned %llu rows", what, (unsigned long long) n);
	d = SPI_getbinval(rows->vals[0], rows->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "tmac: %s returned NULL", what);
	return MemoryContextStrdup(cxt, TextDatumGetCString(d));
}

static void
read_text(SPITupleTable *rows, uint64 n, void *arg)
{
	TextResult *out = (TextResult *) arg;

	out->text = tmac_vocabulary_text_column(rows, n, "tmac.vocabulary_copy_text()", out->cxt);
}

char *
tmac_vocabulary_copy_generate(void)
{
	static const Oid types[] = {TEXTOID};
	TextResult	out = {NULL, CurrentMemoryContext};

	/*
	 * Not read-only: the command counter advances, so the rows of the
	 * statement whose trigger asks are seen; the latest snapshot, so are
	 * those committed by whoever held the schema's lock before.
	 */
	tmac_owner_query("SELECT tmac.vocabulary_copy_text()", 0, NULL, NULL,
					 1, types, false, TMAC_SNAPSHOT_LATEST, read_text, &out);
	return out.text;
}

static void
vocabulary_copy_relabel(const ObjectAddress *object, const char *seclabel)
{
	const TmacExtension *ext = tmac_extension();
	char	   *nspname;
	char	   *expected;

	if (object->classId != NamespaceRelationId || object->objectSubId != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the tmac_vocabulary label belongs on schema tmac only"),
				 errdetail("It carries tmac's vocabulary for restores and pg_upgrade; classify objects with SECURITY LABEL FOR tmac.")));
	nspname = get_namespace_name(object->objectId);
	if (ext->installed ? object->objectId != ext->namespace_oid :
		(nspname == NULL || strcmp(nspname, "tmac") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the tmac_vocabulary label belongs on schema tmac only"),
				 errdetail("It carries tmac's vocabulary for restores and pg_upgrade; classify objects with SECURITY LABEL FOR tmac.")));
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may set the tmac_vocabulary label"),
				 errdetail("tmac writes it itself whenever the vocabulary changes; pg_dump and pg_restore carry it.")));
	if (seclabel == NULL)
	{
		if (ext->installed && !IsBinaryUpgrade)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the tmac_vocabulary label cannot be removed while tmac is installed"),
					 errdetail("tmac keeps it in sync with its vocabulary so that a dump can be restored.")));
		return;
	}
	parse_copy(seclabel, false, NULL, NULL);
	if (IsBinaryUpgrade || !ext->installed)
	{
		/* pg_upgrade, or a dump before CREATE EXTENSION tmac: labels now read with it */
		CacheInvalidateRelcacheAll();
		return;
	}
	if (tmac_restore_window_open())
	{
		char	   *current = stored_copy(ext->namespace_oid);

		if (current == NULL || strcmp(current, seclabel) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the tmac_vocabulary label cannot change while a restore is in progress"),
					 errdetail("Labels are read with this copy until the restore ends.")));
		return;
	}
	expected = tmac_vocabulary_copy_generate();
	if (strcmp(expected, seclabel) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the tmac_vocabulary label must be the copy of tmac's vocabulary"),
				 errdetail("tmac writes it itself whenever the vocabulary changes; it is not set by hand."),
				 errhint("SELECT tmac.vocabulary_copy_text() shows what it must be.")));
}

/* DROP EXTENSION tmac: the copy goes too (the schema stays). */
void
tmac_vocabulary_copy_object_access(ObjectAccessType access, Oid classId, Oid objectId)
{
	if (access == OAT_DROP && classId == ExtensionRelationId)
	{
		const TmacExtension *ext = tmac_extension();
		ObjectAddress schema;

		if (!ext->installed || ext->ext_oid != objectId)
			return;
		ObjectAddressSet(schema, NamespaceRelationId, ext->namespace_oid);
		SetSecurityLabel(&schema, TMAC_VOCABULARY_PROVIDER, NULL);
	}
}

/*
 * Statement trigger on tmac.level, tmac.compartment and tmac.org_group:
 * rewrites the copy.  The schema's lock (the one SECURITY LABEL takes)
 * serialises writers until commit; the copy is then generated from the latest
 * committed state plus this transaction's changes, so a concurrent change
 * committed meanwhile is never lost, whatever the isolation level.
 */
PG_FUNCTION_INFO_V1(tmac_vocabulary_copy_sync);
Datum
tmac_vocabulary_copy_sync(PG_FUNCTION_ARGS)
{
	const TmacExtension *ext;
	ObjectAddress schema;
	char	   *text;
	char	   *current;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.vocabulary_copy_sync() must be called as a trigger")));
	if (IsBinaryUpgrade || tmac_restore_window_open())
		return PointerGetDatum(NULL);	/* the restored copy stands until the restore ends */
	ext = tmac_extension_required();
	LockDatabaseObject(NamespaceRelationId, ext->namespace_oid, 0, ShareUpdateExclusiveLock);
	text = tmac_vocabulary_copy_generate();
	current = stored_copy(ext->namespace_oid);
	if (current == NULL || strcmp(current, text) != 0)
	{
		ObjectAddressSet(schema, NamespaceRelationId, ext->namespace_oid);
		SetSecurityLabel(&schema, TMAC_VOCABULARY_PROVIDER, text);
	}
	return PointerGetDatum(NULL);
}

void
tmac_vocabulary_copy_init(void)
{
	register_label_provider(TMAC_VOCABULARY_PROVIDER, vocabulary_copy_relabel);
}
