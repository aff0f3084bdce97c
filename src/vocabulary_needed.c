/*
 * vocabulary_needed.c — the vocabulary a protected table carries into a
 * partial dump (security label provider "tmac_vocabulary_needed").
 *
 * A partial dump (pg_dump -t, pg_dump -n) carries no schema tmac, so no copy
 * of the vocabulary (vocabulary_copy.c): restored into a database that lacks
 * some of the levels, compartments or groups its labels name, every row, or
 * every COPY, failed on its own with an error naming one code.  So each
 * protected table carries, as its security label for this provider, the codes
 * of its database's vocabulary:
 *
 *     tmac vocabulary needed 1
 *     L <code>    C <code>    G <code>      one entry a line, kind TAB code
 *
 * the codes-only form of the vocabulary's text (vocabulary_text.h), parsed by
 * the same parser as the copy.
 *
 * pg_dump writes a table's security labels in pre-data, right after CREATE
 * TABLE and before its rows, and this provider checks the codes against the
 * vocabulary of the database being restored into (the copy during a restore
 * window or pg_upgrade, as label input): if any is missing, the restore stops
 * there (pg_restore --exit-on-error, psql ON_ERROR_STOP, --single-transaction)
 * with one error naming all of them and how to define or import them.
 *
 * It lists the whole vocabulary of the source, not only the entries the
 * table's rows use (knowing those would mean reading the rows): a target
 * lacking an entry the rows do not use is stopped too; it defines the entry,
 * or restores with --no-security-labels, and rows naming an undefined entry
 * then fail one by one as before.  tmac writes the label (tmac.protect, and a
 * statement trigger on the vocabulary tables, 61_protect.sql); a table's owner
 * may set or remove it (PostgreSQL checks ownership), which only decides what
 * a restore of that table checks.
 *
 * A vocabulary change rewrites the label of every protected table, and must
 * not wait for any of them: SECURITY LABEL takes a SHARE UPDATE EXCLUSIVE lock
 * on its table, which anyone holding a conflicting one (LOCK TABLE … IN SHARE
 * MODE by a role with UPDATE on it, a long VACUUM or CREATE INDEX
 * CONCURRENTLY) would turn into a wait of the vocabulary change, and of every
 * change queued behind its lock on schema tmac.  So the trigger writes the
 * catalog row (pg_seclabel) itself, with no lock on the tables.  What else
 * writes the row: tmac.protect and unprotect, through
 * tmac.vocabulary_needed_label after writing tmac.protected_table, and a DROP
 * of a protected table, whose event trigger deletes its registry row; the
 * trigger takes a SHARE lock on tmac.protected_table before reading it, so it
 * waits for those transactions and they wait for it (each then reads the
 * latest committed state).  Only tmac's own functions write the registry;
 * PUBLIC may read it, which takes no conflicting lock.  The table's owner may
 * be changing the label itself (SECURITY LABEL … in an open transaction): the
 * row is then locked with SKIP LOCKED semantics and that table is left out
 * with a warning (the next vocabulary change rewrites it).  A table without
 * the label (its owner removed it) is left without: no row is inserted, so
 * none is left behind for a table dropped meanwhile.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_seclabel.h"
#include "catalog/pg_type.h"
#include "commands/seclabel.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "extension.h"
#include "owner_query.h"
#include "vocabulary.h"
#include "vocabulary_copy.h"
#include "restore.h"
#include "vocabulary_text.h"

#define NEEDED_PROVIDER "tmac_vocabulary_needed"

void		tmac_vocabulary_needed_init(void);

static void
bad_label(int line, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid tmac_vocabulary_needed label"),
			 errdetail("Line %d: %s.", line, detail),
			 errhint("tmac writes this label itself (tmac.protect); it is accepted from a dump, not written by hand.")));
}

/*
 * A code from the label, as the error detail shows it: control characters
 * (a line break would forge a line of the server log) and backslashes
 * escaped, \xNN.
 */
static void
append_code(StringInfo buf, const char *code)
{
	const unsigned char *c;

	for (c = (const unsigned char *) code; *c; c++)
	{
		if (*c < 0x20 || *c == 0x7f || *c == '\\')
			appendStringInfo(buf, "\\x%02x", *c);
		else
			appendStringInfoChar(buf, (char) *c);
	}
}

/* kind: "levels: %s" and the like, marked for the catalog */
static void
append_missing(StringInfo buf, const char *kind, StringInfo codes)
{
	if (codes->len == 0)
		return;
	if (buf->len)
		appendStringInfoString(buf, "; ");
	appendStringInfo(buf, tmac_translate(kind), codes->data);
}

typedef struct NeededCheck
{
	TmacVocabulary *v;
	StringInfoData missing[3];	/* levels, compartments, groups */
} NeededCheck;

/* A TmacVocabEntryFn: note a code this database does not define. */
static void
check_entry(const TmacVocabEntry *e, void *arg)
{
	NeededCheck *c = (NeededCheck *) arg;
	int			k = e->kind == TMAC_VOCAB_LEVEL ? 0 : e->kind == TMAC_VOCAB_COMPARTMENT ? 1 : 2;
	int32		id;

	if (!tmac_vocab_lookup(c->v, (TmacVocabKind) e->kind, e->code, strlen(e->code), &id))
	{
		if (c->missing[k].len)
			appendStringInfoString(&c->missing[k], ", ");
		append_code(&c->missing[k], e->code);
	}
}

static void
vocabulary_needed_relabel(const ObjectAddress *object, const char *seclabel)
{
	const TmacExtension *ext;
	NeededCheck check;
	TmacVocabTextError *err;
	StringInfoData all;
	int			i;
	char		relkind;

	if (object->classId != RelationRelationId || object->objectSubId != 0 ||
		((relkind = get_rel_relkind(object->objectId)) != RELKIND_RELATION &&
		 relkind != RELKIND_PARTITIONED_TABLE))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the tmac_vocabulary_needed label belongs on tables only"),
				 errdetail("A protected table carries the codes of its vocabulary, checked when a partial dump of it is restored; classify objects with SECURITY LABEL FOR tmac.")));
	if (seclabel == NULL || IsBinaryUpgrade)	/* pg_upgrade keeps the vocabulary */
		return;
	ext = tmac_extension_required();
	(void) ext;

	if (!tmac_vocab_text_header_ok(seclabel, TMAC_VOCAB_TEXT_NEEDED))
		bad_label(1, psprintf(tmac_translate(gettext_noop("the first line must be \"%s\"")),
							  TMAC_VOCAB_NEEDED_HEADER));
	check.v = tmac_vocabulary();
	for (i = 0; i < 3; i++)
		initStringInfo(&check.missing[i]);
	err = palloc(sizeof(TmacVocabTextError));
	if (!tmac_vocab_text_parse(pstrdup(seclabel), TMAC_VOCAB_TEXT_NEEDED, check_entry, &check, err))
		bad_label(err->line, err->detail);
	initStringInfo(&all);
	append_missing(&all, gettext_noop("levels: %s"), &check.missing[0]);
	append_missing(&all, gettext_noop("compartments: %s"), &check.missing[1]);
	append_missing(&all, gettext_noop("groups: %s"), &check.missing[2]);
	if (all.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the labels of table %s name vocabulary this database does not define",
						quote_qualified_identifier(get_namespace_name(get_rel_namespace(object->objectId)),
												   get_rel_name(object->objectId))),
				 errdetail("Missing %s.", all.data),
				 errhint("Define them before restoring the table's rows (tmac.define_level, tmac.define_compartment, tmac.define_group, with the codes and names of the source database's tmac.level, tmac.compartment and tmac.org_group), then restore the table again.")));
}

/* The label text, and the registered tables, as of the latest committed state. */
typedef struct NeededState
{
	char	   *text;
	Oid		   *relids;
	int			nrelids;
	MemoryContext cxt;
} NeededState;

static void
read_needed(SPITupleTable *rows, uint64 n, void *arg)
{
	NeededState *out = (NeededState *) arg;
	bool		isnull;
	Datum		d;
	Datum	   *elems;
	int			i;
	MemoryContext old;

	out->text = tmac_vocabulary_text_column(rows, n, "tmac.vocabulary_needed_text()", out->cxt);
	old = MemoryContextSwitchTo(out->cxt);
	d = SPI_getbinval(rows->vals[0], rows->tupdesc, 2, &isnull);
	out->nrelids = 0;
	if (!isnull)
	{
		deconstruct_array(DatumGetArrayTypeP(d), OIDOID, sizeof(Oid), true, TYPALIGN_INT,
						  &elems, NULL, &out->nrelids);
		out->relids = palloc(sizeof(Oid) * (out->nrelids + 1));
		for (i = 0; i < out->nrelids; i++)
			out->relids[i] = DatumGetObjectId(elems[i]);
	}
	MemoryContextSwitchTo(old);
}

/*
 * The latest committed state plus this transaction's changes (the rows of the
 * statement whose trigger asks; a registry row written just before): the
 * vocabulary's codes and, when relid is valid, whether that table is
 * registered (nrelids 1 or 0), else all registered tables.
 */
static void
needed_state(NeededState *out, Oid relid)
{
	static const Oid types[] = {TEXTOID, OIDARRAYOID};
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};

	out->cxt = CurrentMemoryContext;
	out->relids = NULL;
	tmac_owner_query("SELECT tmac.vocabulary_needed_text(), "
					 "ARRAY(SELECT p.relid::pg_catalog.oid FROM tmac.protected_table p "
					 "WHERE $1 OPERATOR(pg_catalog.=) 0 OR p.relid::pg_catalog.oid OPERATOR(pg_catalog.=) $1)",
					 1, argtypes, values, 2, types, false, TMAC_SNAPSHOT_LATEST, read_needed, out);
}

/*
 * Rewrite a table's label in place, never waiting: false when another
 * transaction is changing or removing it (its row is locked, updated or
 * deleted).  A table without the label keeps none.
 */
static bool
rewrite_label(Relation seclabels, Oid relid, const char *label)
{
	ScanKeyData keys[4];
	SysScanDesc scan;
	HeapTuple	oldtup;
	bool		done = true;

	ScanKeyInit(&keys[0], Anum_pg_seclabel_objoid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[1], Anum_pg_seclabel_classoid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&keys[2], Anum_pg_seclabel_objsubid, BTEqualStrategyNumber, F_INT4EQ,
				Int32GetDatum(0));
	ScanKeyInit(&keys[3], Anum_pg_seclabel_provider, BTEqualStrategyNumber, F_TEXTEQ,
				CStringGetTextDatum(NEEDED_PROVIDER));
	scan = systable_beginscan(seclabels, SecLabelObjectIndexId, true, NULL, 4, keys);
	oldtup = systable_getnext(scan);
	if (HeapTupleIsValid(oldtup))
	{
		bool		isnull;
		Datum		current = heap_getattr(oldtup, Anum_pg_seclabel_label,
										   RelationGetDescr(seclabels), &isnull);

		if (isnull || strcmp(TextDatumGetCString(current), label) != 0)
		{
			HeapTupleData locked;
			Buffer		buffer;
			TM_FailureData tmfd;
			TM_Result	result;

			locked.t_self = oldtup->t_self;
			result = heap_lock_tuple(seclabels, &locked, GetCurrentCommandId(true),
									 LockTupleExclusive, LockWaitSkip, false, &buffer, &tmfd);
			ReleaseBuffer(buffer);
			if (result == TM_Ok)
			{
				Datum		values[Natts_pg_seclabel] = {0};
				bool		nulls[Natts_pg_seclabel] = {0};
				bool		replace[Natts_pg_seclabel] = {0};
				HeapTuple	newtup;

				values[Anum_pg_seclabel_label - 1] = CStringGetTextDatum(label);
				replace[Anum_pg_seclabel_label - 1] = true;
				newtup = heap_modify_tuple(oldtup, RelationGetDescr(seclabels), values, nulls, replace);
				CatalogTupleUpdate(seclabels, &oldtup->t_self, newtup);
				heap_freetuple(newtup);
			}
			else
				done = false;
		}
	}
	systable_endscan(scan);
	return done;
}

/*
 * Statement trigger on tmac.level, tmac.compartment and tmac.org_group:
 * rewrites the label of every protected table (see the header).
 */
PG_FUNCTION_INFO_V1(tmac_vocabulary_needed_sync);
Datum
tmac_vocabulary_needed_sync(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const TmacExtension *ext;
	NeededState state;
	Relation	seclabels;
	StringInfoData skipped;
	int			i;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.vocabulary_needed_sync() must be called as a trigger")));
	ext = tmac_extension_required();
	if (RelationGetNamespace(trigdata->tg_relation) != ext->namespace_oid)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.vocabulary_needed_sync() fires on tmac's vocabulary tables only")));
	if (IsBinaryUpgrade || tmac_restore_window_open())
		return PointerGetDatum(NULL);	/* the dump carries the tables' labels */

	LockRelationOid(get_relname_relid("protected_table", ext->namespace_oid), ShareLock);
	needed_state(&state, InvalidOid);
	if (state.nrelids == 0)
		return PointerGetDatum(NULL);
	initStringInfo(&skipped);
	seclabels = table_open(SecLabelRelationId, RowExclusiveLock);
	for (i = 0; i < state.nrelids; i++)
	{
		if (!rewrite_label(seclabels, state.relids[i], state.text))
		{
			char	   *name = get_rel_name(state.relids[i]);

			appendStringInfo(&skipped, "%s%s", skipped.len ? ", " : "",
							 name ? quote_qualified_identifier(get_namespace_name(get_rel_namespace(state.relids[i])), name)
							 : "?");
		}
	}
	table_close(seclabels, RowExclusiveLock);
	CommandCounterIncrement();
	if (skipped.len > 0)
		ereport(WARNING,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("the tmac_vocabulary_needed label of %s is left as it was", skipped.data),
				 errdetail("Another transaction is changing or removing it (SECURITY LABEL or DROP by the table's owner); a vocabulary change does not wait for it."),
				 errhint("The next change of the vocabulary rewrites it.")));
	return PointerGetDatum(NULL);
}

/*
 * tmac.vocabulary_needed_label(tbl): gives a table the label of the current
 * vocabulary if it is registered in tmac.protected_table, removes it if not
 * (tmac.protection_register and _unregister call it after writing the
 * registry row, whose lock serialises them with vocabulary changes).  The
 * text is of the latest committed vocabulary, whatever the isolation level.
 */
PG_FUNCTION_INFO_V1(tmac_vocabulary_needed_label);
Datum
tmac_vocabulary_needed_label(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	NeededState state;
	ObjectAddress object;

	(void) tmac_extension_required();
	LockRelationOid(relid, AccessShareLock);	/* not dropped meanwhile */
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table with OID %u does not exist", relid)));
	needed_state(&state, relid);
	ObjectAddressSet(object, RelationRelationId, relid);
	SetSecurityLabel(&object, NEEDED_PROVIDER, state.nrelids > 0 ? state.text : NULL);
	PG_RETURN_VOID();
}

void
tmac_vocabulary_needed_init(void)
{
	register_label_provider(NEEDED_PROVIDER, vocabulary_needed_relabel);
}
