/*
 * label_accessors.c — reading a label's parts, and its document marking.
 *
 * The accessors return codes (never identifiers), in the canonical order of
 * the text form.  tmac.marking() renders what a document carrying the label
 * must show (seed ②: 識別のための表示): the level's Japanese name in 【】,
 * then the compartment codes, then the groups the information is limited to,
 * e.g. 【極秘】PRJ-A,PRJ-B（開発部限り）.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "label.h"

PG_FUNCTION_INFO_V1(tmac_label_level);
Datum
tmac_label_level(PG_FUNCTION_ARGS)
{
	TmacLabel  *label = PG_GETARG_TMAC_LABEL(0);

	PG_RETURN_TEXT_P(cstring_to_text(tmac_label_level_entry(tmac_vocabulary(), label)->code));
}

PG_FUNCTION_INFO_V1(tmac_label_rank);
Datum
tmac_label_rank(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_TMAC_LABEL(0)->rank);
}

static Datum
codes_array(TmacLabel *label, TmacVocabKind kind)
{
	const char **codes;
	int			n = tmac_label_codes(tmac_vocabulary(), label, kind, &codes);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(codes[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(tmac_label_compartments);
Datum
tmac_label_compartments(PG_FUNCTION_ARGS)
{
	return codes_array(PG_GETARG_TMAC_LABEL(0), TMAC_VOCAB_COMPARTMENT);
}

PG_FUNCTION_INFO_V1(tmac_label_groups);
Datum
tmac_label_groups(PG_FUNCTION_ARGS)
{
	return codes_array(PG_GETARG_TMAC_LABEL(0), TMAC_VOCAB_GROUP);
}

PG_FUNCTION_INFO_V1(tmac_label_marking);
Datum
tmac_label_marking(PG_FUNCTION_ARGS)
{
	TmacLabel  *label = PG_GETARG_TMAC_LABEL(0);
	TmacVocabulary *v = tmac_vocabulary();
	const TmacLevel *level = tmac_label_level_entry(v, label);
	StringInfoData buf;
	const char **codes;
	int			n,
				i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "【%s】", level->name ? level->name : level->code);
	n = tmac_label_codes(v, label, TMAC_VOCAB_COMPARTMENT, &codes);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? "," : "", codes[i]);
	if (label->ngroups > 0)
	{
		const int32 *ids = TMAC_LABEL_GROUPS(label);

		appendStringInfoString(&buf, "（");
		for (i = 0; i < label->ngroups; i++)
		{
			const TmacGroup *g = tmac_vocab_group(v, ids[i]);

			appendStringInfo(&buf, "%s%s", i ? "・" : "",
							 g ? (g->name ? g->name : g->code) : "?");
		}
		appendStringInfoString(&buf, "限り）");
	}
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}
