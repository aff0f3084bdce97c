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
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "commands/seclabel.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "extension.h"
#include "vocabulary.h"
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

static void
append_missing(StringInfo buf, const char *kind, StringInfo codes)
{
	if (codes->len == 0)
		return;
	appendStringInfo(buf, "%s%s: %s", buf->len ? "; " : "", kind, codes->data);
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
		appendStringInfo(&c->missing[k], "%s%s", c->missing[k].len ? ", " : "", e->code);
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
		bad_label(1, "the first line must be \"" TMAC_VOCAB_NEEDED_HEADER "\"");
	check.v = tmac_vocabulary();
	for (i = 0; i < 3; i++)
		initStringInfo(&check.missing[i]);
	err = palloc(sizeof(TmacVocabTextError));
	if (!tmac_vocab_text_parse(pstrdup(seclabel), TMAC_VOCAB_TEXT_NEEDED, check_entry, &check, err))
		bad_label(err->line, err->detail);
	initStringInfo(&all);
	append_missing(&all, "levels", &check.missing[0]);
	append_missing(&all, "compartments", &check.missing[1]);
	append_missing(&all, "groups", &check.missing[2]);
	if (all.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the labels of table %s name vocabulary this database does not define",
						quote_qualified_identifier(get_namespace_name(get_rel_namespace(object->objectId)),
												   get_rel_name(object->objectId))),
				 errdetail("Missing %s.", all.data),
				 errhint("Define them before restoring the table's rows (tmac.define_level, tmac.define_compartment, tmac.define_group, with the codes and names of the source database's tmac.level, tmac.compartment and tmac.org_group), then restore the table again.")));
}

void
tmac_vocabulary_needed_init(void)
{
	register_label_provider(NEEDED_PROVIDER, vocabulary_needed_relabel);
}
