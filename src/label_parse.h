/*
 * label_parse.h — the syntax of a classification label's text form.
 *
 * The parser splits "LEVEL[:COMPARTMENT,...[:GROUP,...]]" into trimmed tokens
 * without looking anything up.  It is plain C with no PostgreSQL dependency
 * so that the fuzz harness in test/fuzz/ can call exactly the code the server
 * runs.  Resolving tokens against the vocabulary happens in label.c.
 */
#ifndef TMAC_LABEL_PARSE_H
#define TMAC_LABEL_PARSE_H

#include <stddef.h>

#define TMAC_LABEL_MAX_INPUT		4096	/* bytes of text input */
#define TMAC_LABEL_MAX_COMPARTMENTS	128
#define TMAC_LABEL_MAX_GROUPS		32

typedef struct TmacToken
{
	const char *ptr;			/* points into the caller's input */
	int			len;			/* bytes, after trimming */
} TmacToken;

typedef enum TmacParseStatus
{
	TMAC_PARSE_OK = 0,
	TMAC_PARSE_EMPTY,			/* nothing but white space */
	TMAC_PARSE_TOO_LONG,		/* more than TMAC_LABEL_MAX_INPUT bytes */
	TMAC_PARSE_EMPTY_LEVEL,		/* ":PRJ-A" */
	TMAC_PARSE_EMPTY_COMPONENT, /* "SECRET:A,,B" or "SECRET:A," */
	TMAC_PARSE_TOO_MANY_PARTS,	/* "SECRET:A:G:X" */
	TMAC_PARSE_TOO_MANY_COMPARTMENTS,
	TMAC_PARSE_TOO_MANY_GROUPS,
	TMAC_PARSE_BAD_CHARACTER,	/* a control character inside a token */
	TMAC_PARSE_COMMA_IN_LEVEL	/* "SECRET,PRJ-A": a list where the level goes */
} TmacParseStatus;

typedef struct TmacLabelSyntax
{
	TmacToken	level;
	int			ncompartments;
	TmacToken	compartments[TMAC_LABEL_MAX_COMPARTMENTS];
	int			ngroups;
	TmacToken	groups[TMAC_LABEL_MAX_GROUPS];
	int			error_offset;	/* byte offset of the problem, on error */
} TmacLabelSyntax;

extern TmacParseStatus tmac_parse_label_syntax(const char *input, size_t len,
											   TmacLabelSyntax *out);
extern const char *tmac_parse_status_message(TmacParseStatus status);

#endif							/* TMAC_LABEL_PARSE_H */
