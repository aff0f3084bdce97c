/*
 * vocabulary_id.c — the SQL face of the vocabulary lookup.
 *
 * tmac.vocabulary_id(kind, spelling) is the one way SQL turns a level,
 * compartment or group spelling (code, name or alias) into its identifier:
 * it asks the per-backend vocabulary cache (vocabulary.c), the same table
 * label input uses, so a spelling means the same entry in a label and in a
 * function argument.  tmac.vocabulary_fold(text) exposes the one
 * case-folding rule (tmac_vocab_fold) to the SQL that keeps spellings unique.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "vocabulary.h"

/* The kind named by SQL's text, with the wording of its "unknown" error. */
typedef struct KindInfo
{
	const char *sql;
	TmacVocabKind kind;
	const char *unknown;		/* errmsg: the spelling; as the existing messages say */
	const char *hint;
} KindInfo;

static const KindInfo kinds[] = {
	{"level", TMAC_VOCAB_LEVEL, gettext_noop("unknown level \"%s\""),
	gettext_noop("Levels are listed in tmac.level; define one with tmac.define_level.")},
	{"compartment", TMAC_VOCAB_COMPARTMENT, gettext_noop("unknown compartment \"%s\""),
	gettext_noop("Define it with tmac.define_compartment(code, name).")},
	{"group", TMAC_VOCAB_GROUP, gettext_noop("unknown organisation group \"%s\""),
	gettext_noop("Define it first with tmac.define_group(code, name, parent).")},
};

/*
 * vocabulary_id(kind text, spelling text, missing_ok boolean) RETURNS integer
 *
 * Surrounding spaces of the spelling are ignored.  An unknown spelling is
 * error 42704, or NULL with missing_ok.  Strict: a NULL spelling is NULL.
 */
PG_FUNCTION_INFO_V1(tmac_vocabulary_id);
Datum
tmac_vocabulary_id(PG_FUNCTION_ARGS)
{
	char	   *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *spelling = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		missing_ok = PG_GETARG_BOOL(2);
	const KindInfo *k = NULL;
	const char *start = spelling;
	int			len = strlen(spelling);
	int32		id;
	int			i;

	for (i = 0; i < lengthof(kinds); i++)
		if (strcmp(kind, kinds[i].sql) == 0)
			k = &kinds[i];
	if (k == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown vocabulary kind \"%s\"", kind),
				 errhint("The kind is level, compartment or group.")));

	while (len > 0 && *start == ' ')
	{
		start++;
		len--;
	}
	while (len > 0 && start[len - 1] == ' ')
		len--;

	if (tmac_vocab_lookup(tmac_vocabulary(), k->kind, start, len, &id))
		PG_RETURN_INT32(id);
	if (missing_ok)
		PG_RETURN_NULL();
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg(k->unknown, spelling),
			 errhint("%s", tmac_translate(k->hint))));
	PG_RETURN_NULL();			/* not reached */
}

/* vocabulary_fold(text) RETURNS text: the spelling as lookups compare it */
PG_FUNCTION_INFO_V1(tmac_vocabulary_fold);
Datum
tmac_vocabulary_fold(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	int			len = VARSIZE_ANY_EXHDR(in);
	text	   *out = (text *) palloc(VARHDRSZ + len);

	SET_VARSIZE(out, VARHDRSZ + len);
	tmac_vocab_fold(VARDATA(out), VARDATA_ANY(in), len);
	PG_RETURN_TEXT_P(out);
}
