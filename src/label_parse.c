/*
 * label_parse.c — split a label's text form into tokens.
 *
 * Grammar:  label := level [ ':' [ compartments ] [ ':' [ groups ] ] ]
 *           compartments, groups := token { ',' token }
 * White space (ASCII and the ideographic space U+3000) around every token is
 * ignored.  An empty section means "none"; an empty token inside a list is an
 * error, as are a control character anywhere in a token and a comma in the
 * level.  The parser never allocates and never reads past `len`, so it is
 * safe on arbitrary bytes.
 */
#include "label_parse.h"

/* Marks a message for tmac's catalog (po/extract.sh); label.c translates it. */
#ifndef gettext_noop
#define gettext_noop(x) (x)
#endif

static int
space_width(const unsigned char *p, const unsigned char *end)
{
	if (p >= end)
		return 0;
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		*p == '\v' || *p == '\f')
		return 1;
	/* U+3000 IDEOGRAPHIC SPACE, common in Japanese input */
	if (end - p >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

/*
 * Trim [start, end) and store the token.  Returns the status for a token that
 * contains a control character, else OK.  An empty result has len == 0.
 */
static TmacParseStatus
make_token(const char *base, const unsigned char *start,
		   const unsigned char *end, TmacToken *tok, int *error_offset)
{
	const unsigned char *p;
	int			w;

	while (start < end && (w = space_width(start, end)) > 0)
		start += w;
	/* trim from the right: step back over trailing spaces */
	for (;;)
	{
		if (end - start >= 1 && space_width(end - 1, end) == 1)
			end -= 1;
		else if (end - start >= 3 && space_width(end - 3, end) == 3)
			end -= 3;
		else
			break;
	}
	for (p = start; p < end; p++)
	{
		if (*p < 0x20 || *p == 0x7F)
		{
			*error_offset = (int) ((const char *) p - base);
			return TMAC_PARSE_BAD_CHARACTER;
		}
	}
	tok->ptr = (const char *) start;
	tok->len = (int) (end - start);
	return TMAC_PARSE_OK;
}

/* Parse a comma-separated list in [start, end) into toks. */
static TmacParseStatus
parse_list(const char *base, const unsigned char *start,
		   const unsigned char *end, TmacToken *toks, int max, int *ntoks,
		   TmacParseStatus too_many, int *error_offset)
{
	const unsigned char *p = start;
	TmacToken	whole;
	TmacParseStatus st;

	*ntoks = 0;
	/* an all-blank section means "none" */
	st = make_token(base, start, end, &whole, error_offset);
	if (st != TMAC_PARSE_OK)
		return st;
	if (whole.len == 0)
		return TMAC_PARSE_OK;

	while (p <= end)
	{
		const unsigned char *comma = p;

		while (comma < end && *comma != ',')
			comma++;
		if (*ntoks >= max)
		{
			*error_offset = (int) ((const char *) p - base);
			return too_many;
		}
		st = make_token(base, p, comma, &toks[*ntoks], error_offset);
		if (st != TMAC_PARSE_OK)
			return st;
		if (toks[*ntoks].len == 0)
		{
			*error_offset = (int) ((const char *) p - base);
			return TMAC_PARSE_EMPTY_COMPONENT;
		}
		(*ntoks)++;
		if (comma >= end)
			break;
		p = comma + 1;
	}
	return TMAC_PARSE_OK;
}

TmacParseStatus
tmac_parse_label_syntax(const char *input, size_t len, TmacLabelSyntax *out)
{
	const unsigned char *s = (const unsigned char *) input;
	const unsigned char *end = s + len;
	const unsigned char *colon1 = NULL,
			   *colon2 = NULL,
			   *p;
	TmacParseStatus st;

	out->level.ptr = input;
	out->level.len = 0;
	out->ncompartments = 0;
	out->ngroups = 0;
	out->error_offset = 0;

	if (len > TMAC_LABEL_MAX_INPUT)
	{
		out->error_offset = TMAC_LABEL_MAX_INPUT;
		return TMAC_PARSE_TOO_LONG;
	}

	for (p = s; p < end; p++)
	{
		if (*p != ':')
			continue;
		if (colon1 == NULL)
			colon1 = p;
		else if (colon2 == NULL)
			colon2 = p;
		else
		{
			out->error_offset = (int) (p - s);
			return TMAC_PARSE_TOO_MANY_PARTS;
		}
	}

	st = make_token(input, s, colon1 ? colon1 : end, &out->level,
					&out->error_offset);
	if (st != TMAC_PARSE_OK)
		return st;
	if (out->level.len == 0)
	{
		out->error_offset = 0;
		return colon1 == NULL ? TMAC_PARSE_EMPTY : TMAC_PARSE_EMPTY_LEVEL;
	}
	/* a label has one level: a comma there is a mistyped colon, not a name */
	for (p = (const unsigned char *) out->level.ptr;
		 p < (const unsigned char *) out->level.ptr + out->level.len; p++)
	{
		if (*p == ',')
		{
			out->error_offset = (int) (p - s);
			return TMAC_PARSE_COMMA_IN_LEVEL;
		}
	}
	if (colon1 == NULL)
		return TMAC_PARSE_OK;

	st = parse_list(input, colon1 + 1, colon2 ? colon2 : end,
					out->compartments, TMAC_LABEL_MAX_COMPARTMENTS,
					&out->ncompartments, TMAC_PARSE_TOO_MANY_COMPARTMENTS,
					&out->error_offset);
	if (st != TMAC_PARSE_OK || colon2 == NULL)
		return st;

	return parse_list(input, colon2 + 1, end,
					  out->groups, TMAC_LABEL_MAX_GROUPS,
					  &out->ngroups, TMAC_PARSE_TOO_MANY_GROUPS,
					  &out->error_offset);
}

const char *
tmac_parse_status_message(TmacParseStatus status)
{
	switch (status)
	{
		case TMAC_PARSE_OK:
			return "no error";
		case TMAC_PARSE_EMPTY:
			return gettext_noop("A label cannot be empty");
		case TMAC_PARSE_TOO_LONG:
			return gettext_noop("Label text is too long");
		case TMAC_PARSE_EMPTY_LEVEL:
			return gettext_noop("The level before the first colon is missing");
		case TMAC_PARSE_COMMA_IN_LEVEL:
			return gettext_noop("A label has one level; compartments follow a colon");
		case TMAC_PARSE_EMPTY_COMPONENT:
			return gettext_noop("Empty name in a comma-separated list");
		case TMAC_PARSE_TOO_MANY_PARTS:
			return gettext_noop("Too many colons: a label has at most three parts");
		case TMAC_PARSE_TOO_MANY_COMPARTMENTS:
			return gettext_noop("Too many compartments");
		case TMAC_PARSE_TOO_MANY_GROUPS:
			return gettext_noop("Too many groups");
		case TMAC_PARSE_BAD_CHARACTER:
			return gettext_noop("Control character in label");
	}
	return "unknown parse status";
}
