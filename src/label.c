/*
 * label.c — the tmac.label type: construction and its text and binary forms.
 *
 * Text input accepts codes, Japanese names and aliases (codes and aliases are
 * matched without regard to ASCII case) and resolves them to identifiers
 * through the vocabulary cache; output is canonical: the level code, then the
 * compartment and group codes in code order, with no trailing colons.  The
 * binary form carries codes rather than identifiers, so it is portable
 * between databases, and is validated exactly like text input.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/rls.h"

#include "label.h"
#include "label_parse.h"
#include "vocabulary.h"
#include "vocabulary_copy.h"

#define BINARY_FORMAT_VERSION 1

TmacLabel *
tmac_label_make(int16 rank, const int32 *compartments, int ncompartments,
				const int32 *groups, int ngroups)
{
	Size		size = TMAC_LABEL_HDRSZ + sizeof(int32) * (ncompartments + ngroups);
	TmacLabel  *label = palloc0(size);

	SET_VARSIZE(label, size);
	label->rank = rank;
	label->ncompartments = (uint16) ncompartments;
	label->ngroups = (uint16) ngroups;
	if (ncompartments > 0)
		memcpy(label->ids, compartments, sizeof(int32) * ncompartments);
	if (ngroups > 0)
		memcpy(label->ids + ncompartments, groups, sizeof(int32) * ngroups);
	return label;
}

/* The input, cut to a length that fits in an error message. */
static char *
clipped(const char *input)
{
	int			len = strlen(input);
	int			keep = pg_mbcliplen(input, len, 120);

	if (keep < len)
		return psprintf("%.*s…", keep, input);
	return pstrdup(input);
}

static int
int32_cmp(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/*
 * The messages that name a kind of vocabulary entry, one full sentence per
 * kind so that each translates as a whole.
 */
typedef struct KindWording
{
	const char *unknown;		/* errmsg: token, input */
	const char *defined;		/* errdetail: codes */
	const char *use;			/* errhint: definer */
	const char *duplicate;		/* errmsg: token, input */
	const char *same;			/* errdetail: first, second */
	const char *once;			/* errhint */
	const char *stored;			/* errmsg: id (compartments and groups) */
} KindWording;

static const KindWording level_wording = {
	gettext_noop("unknown level \"%s\" in label \"%s\""),
	gettext_noop("Defined levels: %s."),
	gettext_noop("Use a code, name or alias of a defined level, or define it with %s."),
	gettext_noop("duplicate level \"%s\" in label \"%s\""),
	gettext_noop("\"%s\" and \"%s\" name the same level."),
	gettext_noop("Name each level once."),
	NULL,						/* a level is stored by rank: tmac_label_level_entry */
};

static const KindWording compartment_wording = {
	gettext_noop("unknown compartment \"%s\" in label \"%s\""),
	gettext_noop("Defined compartments: %s."),
	gettext_noop("Use a code, name or alias of a defined compartment, or define it with %s."),
	gettext_noop("duplicate compartment \"%s\" in label \"%s\""),
	gettext_noop("\"%s\" and \"%s\" name the same compartment."),
	gettext_noop("Name each compartment once."),
	gettext_noop("stored label refers to compartment id %d, which is not defined"),
};

static const KindWording group_wording = {
	gettext_noop("unknown group \"%s\" in label \"%s\""),
	gettext_noop("Defined groups: %s."),
	gettext_noop("Use a code, name or alias of a defined group, or define it with %s."),
	gettext_noop("duplicate group \"%s\" in label \"%s\""),
	gettext_noop("\"%s\" and \"%s\" name the same group."),
	gettext_noop("Name each group once."),
	gettext_noop("stored label refers to group id %d, which is not defined"),
};

static const KindWording *
kind_wording(TmacVocabKind kind)
{
	return kind == TMAC_VOCAB_LEVEL ? &level_wording :
		kind == TMAC_VOCAB_COMPARTMENT ? &compartment_wording : &group_wording;
}

static const char *
kind_definer(TmacVocabKind kind)
{
	return kind == TMAC_VOCAB_LEVEL ? "tmac.define_level(code, rank, name)" :
		kind == TMAC_VOCAB_COMPARTMENT ? "tmac.define_compartment(code, name)" :
		"tmac.define_group(code, name, parent)";
}

/* Resolve one token; raise 42704 naming the token when it is unknown. */
static int32
resolve_token(TmacVocabulary *v, TmacVocabKind kind, const TmacToken *tok,
			  const char *input)
{
	int32		id;

	if (!tmac_vocab_lookup(v, kind, tok->ptr, tok->len, &id))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg(kind_wording(kind)->unknown,
						clipped(pnstrdup(tok->ptr, tok->len)), clipped(input)),
				 errdetail(kind_wording(kind)->defined, tmac_vocab_codes(v, kind)),
				 errhint(kind_wording(kind)->use, kind_definer(kind))));
	return id;
}

/*
 * Resolve a list of tokens into a sorted id array; a component named twice
 * (by code, name or alias) is an error naming the second occurrence.
 */
static void
resolve_list(TmacVocabulary *v, TmacVocabKind kind, const TmacToken *toks,
			 int n, int32 *ids, const char *input, int errcode_duplicate)
{
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		ids[i] = resolve_token(v, kind, &toks[i], input);
		for (j = 0; j < i; j++)
			if (ids[j] == ids[i])
				ereport(ERROR,
						(errcode(errcode_duplicate),
						 errmsg(kind_wording(kind)->duplicate,
								clipped(pnstrdup(toks[i].ptr, toks[i].len)),
								clipped(input)),
						 (toks[j].len != toks[i].len ||
						  memcmp(toks[j].ptr, toks[i].ptr, toks[i].len) != 0) ?
						 errdetail(kind_wording(kind)->same,
								   clipped(pnstrdup(toks[j].ptr, toks[j].len)),
								   clipped(pnstrdup(toks[i].ptr, toks[i].len))) : 0,
						 errhint("%s", tmac_translate(kind_wording(kind)->once))));
	}
	if (n > 1)
		qsort(ids, n, sizeof(int32), int32_cmp);
}

static TmacLabel *
label_from_syntax(TmacVocabulary *v, const TmacLabelSyntax *syn,
				  const char *input, int errcode_duplicate)
{
	int32		level_rank;
	int32		compartments[TMAC_LABEL_MAX_COMPARTMENTS];
	int32		groups[TMAC_LABEL_MAX_GROUPS];

	level_rank = resolve_token(v, TMAC_VOCAB_LEVEL, &syn->level, input);
	resolve_list(v, TMAC_VOCAB_COMPARTMENT, syn->compartments,
				 syn->ncompartments, compartments, input, errcode_duplicate);
	resolve_list(v, TMAC_VOCAB_GROUP, syn->groups, syn->ngroups, groups,
				 input, errcode_duplicate);
	return tmac_label_make((int16) level_rank, compartments, syn->ncompartments,
						   groups, syn->ngroups);
}

TmacLabel *
tmac_label_from_text(const char *input)
{
	TmacLabelSyntax *syn = palloc(sizeof(TmacLabelSyntax));
	size_t		len = strlen(input);
	TmacParseStatus st = tmac_parse_label_syntax(input, len, syn);

	switch (st)
	{
		case TMAC_PARSE_OK:
			break;
		case TMAC_PARSE_TOO_LONG:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("label text is too long"),
					 errdetail("The text form of a label is at most %d bytes; this one has %zu.",
							   TMAC_LABEL_MAX_INPUT, len)));
			break;
		case TMAC_PARSE_TOO_MANY_COMPARTMENTS:
		case TMAC_PARSE_TOO_MANY_GROUPS:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 st == TMAC_PARSE_TOO_MANY_GROUPS ?
					 errmsg("too many groups in label \"%s\"", clipped(input)) :
					 errmsg("too many compartments in label \"%s\"", clipped(input)),
					 errdetail("A label holds at most %d compartments and %d groups.",
							   TMAC_LABEL_MAX_COMPARTMENTS, TMAC_LABEL_MAX_GROUPS)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type tmac.label: \"%s\"",
							clipped(input)),
					 st == TMAC_PARSE_EMPTY ?
					 errdetail("%s.", tmac_translate(tmac_parse_status_message(st))) :
					 errdetail("%s, at byte %d.", tmac_translate(tmac_parse_status_message(st)),
							   syn->error_offset + 1),
					 errhint("A label is written LEVEL[:COMPARTMENT,...[:GROUP,...]], for example SECRET:PRJ-A,PRJ-B:DEV.")));
	}
	return label_from_syntax(tmac_vocabulary(), syn, input,
							 ERRCODE_INVALID_TEXT_REPRESENTATION);
}

/*
 * SECURITY LABEL FOR tmac while tmac is not installed.  A restore sets the
 * labels of every schema before it creates any extension, those of schemas
 * named before "tmac" even before the copy exists; pg_upgrade does the same.
 * With the copy at hand the label is resolved against it.  Without it, in
 * pg_upgrade or in a session that restores a dump (pg_dump's scripts and
 * pg_restore set row_security = off), only the syntax is checked now, and the
 * names are resolved when tmac is installed: by tmac.end_restore() at the end
 * of a restore, by CREATE EXTENSION tmac otherwise (80_restore.sql).  False
 * anywhere else: tmac is simply not installed, and the caller says so.
 */
bool
tmac_object_label_before_install(const char *seclabel)
{
	TmacLabelSyntax *syn;
	TmacParseStatus st;

	if (tmac_vocabulary_copy_present())
	{
		(void) tmac_label_from_text(seclabel);
		return true;
	}
	if (!IsBinaryUpgrade && row_security)
		return false;
	syn = palloc(sizeof(TmacLabelSyntax));
	st = tmac_parse_label_syntax(seclabel, strlen(seclabel), syn);
	if (st != TMAC_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type tmac.label: \"%s\"", seclabel),
				 errdetail("%s.", tmac_translate(tmac_parse_status_message(st))),
				 errhint("A label is written LEVEL[:COMPARTMENT,...[:GROUP,...]], for example SECRET:PRJ-A,PRJ-B:DEV.")));
	pfree(syn);
	return true;
}

const TmacLevel *
tmac_label_level_entry(TmacVocabulary *v, const TmacLabel *label)
{
	const TmacLevel *level = tmac_vocab_level(v, label->rank);

	if (level == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored label refers to level rank %d, which is not defined",
						label->rank),
				 errhint("Define the level again with tmac.define_level.")));
	return level;
}

static int
cstring_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int
tmac_label_codes(TmacVocabulary *v, const TmacLabel *label, TmacVocabKind kind,
				 const char ***codes)
{
	int			n = kind == TMAC_VOCAB_COMPARTMENT ? label->ncompartments : label->ngroups;
	const int32 *ids = kind == TMAC_VOCAB_COMPARTMENT ?
		TMAC_LABEL_COMPARTMENTS(label) : TMAC_LABEL_GROUPS(label);
	const char **out = palloc(sizeof(char *) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		const char *code = NULL;

		if (kind == TMAC_VOCAB_COMPARTMENT)
		{
			const TmacCompartment *c = tmac_vocab_compartment(v, ids[i]);

			code = c ? c->code : NULL;
		}
		else
		{
			const TmacGroup *g = tmac_vocab_group(v, ids[i]);

			code = g ? g->code : NULL;
		}
		if (code == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg(kind_wording(kind)->stored, ids[i])));
		out[i] = code;
	}
	if (n > 1)
		qsort(out, n, sizeof(char *), cstring_cmp);
	*codes = out;
	return n;
}

char *
tmac_label_to_text(const TmacLabel *label)
{
	TmacVocabulary *v = tmac_vocabulary();
	StringInfoData buf;
	const char **codes;
	int			n,
				i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, tmac_label_level_entry(v, label)->code);
	if (label->ncompartments == 0 && label->ngroups == 0)
		return buf.data;
	appendStringInfoChar(&buf, ':');
	n = tmac_label_codes(v, label, TMAC_VOCAB_COMPARTMENT, &codes);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? "," : "", codes[i]);
	if (label->ngroups == 0)
		return buf.data;
	appendStringInfoChar(&buf, ':');
	n = tmac_label_codes(v, label, TMAC_VOCAB_GROUP, &codes);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? "," : "", codes[i]);
	return buf.data;
}

PG_FUNCTION_INFO_V1(tmac_label_in);
Datum
tmac_label_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_TMAC_LABEL(tmac_label_from_text(PG_GETARG_CSTRING(0)));
}

PG_FUNCTION_INFO_V1(tmac_label_out);
Datum
tmac_label_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(tmac_label_to_text(PG_GETARG_TMAC_LABEL(0)));
}

/*
 * Binary form: a version byte, the level code, the number of compartments
 * and their codes, the number of groups and their codes.
 */
PG_FUNCTION_INFO_V1(tmac_label_send);
Datum
tmac_label_send(PG_FUNCTION_ARGS)
{
	TmacLabel  *label = PG_GETARG_TMAC_LABEL(0);
	TmacVocabulary *v = tmac_vocabulary();
	StringInfoData buf;
	const char **codes;
	int			n,
				i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, BINARY_FORMAT_VERSION);
	pq_sendstring(&buf, tmac_label_level_entry(v, label)->code);
	n = tmac_label_codes(v, label, TMAC_VOCAB_COMPARTMENT, &codes);
	pq_sendint16(&buf, (uint16) n);
	for (i = 0; i < n; i++)
		pq_sendstring(&buf, codes[i]);
	n = tmac_label_codes(v, label, TMAC_VOCAB_GROUP, &codes);
	pq_sendint16(&buf, (uint16) n);
	for (i = 0; i < n; i++)
		pq_sendstring(&buf, codes[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
recv_tokens(StringInfo buf, TmacToken *toks, int *n, int max, const char *too_many)
{
	int			count = (int) pq_getmsgint(buf, 2);
	int			i;

	if (count > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg(too_many, count, max)));
	for (i = 0; i < count; i++)
	{
		toks[i].ptr = pq_getmsgstring(buf);
		toks[i].len = strlen(toks[i].ptr);
	}
	*n = count;
}

PG_FUNCTION_INFO_V1(tmac_label_recv);
Datum
tmac_label_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	TmacLabelSyntax *syn = palloc0(sizeof(TmacLabelSyntax));
	int			version = pq_getmsgbyte(buf);

	if (version != BINARY_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary tmac.label: unknown format version %d",
						version)));
	syn->level.ptr = pq_getmsgstring(buf);
	syn->level.len = strlen(syn->level.ptr);
	recv_tokens(buf, syn->compartments, &syn->ncompartments,
				TMAC_LABEL_MAX_COMPARTMENTS,
				gettext_noop("invalid binary tmac.label: %d compartments, at most %d allowed"));
	recv_tokens(buf, syn->groups, &syn->ngroups, TMAC_LABEL_MAX_GROUPS,
				gettext_noop("invalid binary tmac.label: %d groups, at most %d allowed"));
	PG_RETURN_TMAC_LABEL(label_from_syntax(tmac_vocabulary(), syn,
										   tmac_translate(gettext_noop("(binary input)")),
										   ERRCODE_INVALID_BINARY_REPRESENTATION));
}
