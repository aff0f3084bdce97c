/*
 * vocabulary_text.c — parse the vocabulary's text form (vocabulary_text.h).
 *
 * One parser for both forms: the copy schema tmac carries ("tmac vocabulary
 * 1": levels, compartments and groups with their identifiers, codes, names
 * and aliases) and the codes a protected table carries into a partial dump
 * ("tmac vocabulary needed 1").  It checks what a label provider must refuse
 * — the header, the shape of each line, identifiers in range and listed in
 * ascending order, codes and names as tmac.valid_code/valid_name allow
 * (without the trimming rule) — and hands each entry to a callback.  Plain C:
 * it never allocates, never reads past the terminating NUL, and writes only
 * the separators it splits at; test/fuzz/vocabulary_fuzzer.c runs it on
 * arbitrary bytes.
 */
#include "vocabulary_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RANK_MAX	32767		/* a level's rank is a smallint */
#define ID_MAX		2147483647

/* Marks a message for tmac's catalog (po/extract.sh); fail() translates it. */
#ifndef gettext_noop
#define gettext_noop(x) (x)
#endif

const char *(*tmac_vocab_text_translate) (const char *msgid) = NULL;

static bool fail(TmacVocabTextError *err, int line, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
fail(TmacVocabTextError *err, int line, const char *fmt,...)
{
	va_list		ap;

	err->line = line;
	if (tmac_vocab_text_translate)
		fmt = tmac_vocab_text_translate(fmt);
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return false;
}

/* The same for a message without arguments chosen at run time (translated here, not as a format). */
static bool
fail_with(TmacVocabTextError *err, int line, const char *msgid)
{
	return fail(err, line, "%s", tmac_vocab_text_translate ? tmac_vocab_text_translate(msgid) : msgid);
}

/* A code's byte at position i: an ASCII letter or digit, or (not first) _ . - */
static bool
code_byte(unsigned char c, size_t i)
{
	bool		alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

	return alnum || (i > 0 && (c == '_' || c == '.' || c == '-'));
}

/* A name's or alias's byte: no colon, comma or control character. */
static bool
name_byte(unsigned char c, size_t i)
{
	(void) i;
	return !(c < 0x20 || c == 0x7f || c == ':' || c == ',');
}

/* 1..max bytes, each one `ok`. */
static bool
valid_spelling(const char *s, size_t max, bool (*ok) (unsigned char c, size_t i))
{
	size_t		n = strlen(s);
	size_t		i;

	if (n < 1 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!ok((unsigned char) s[i], i))
			return false;
	return true;
}

/* A code: 1-63 ASCII letters, digits, _ . -, starting with a letter or digit. */
static bool
valid_code(const char *s)
{
	return valid_spelling(s, 63, code_byte);
}

/* A name or alias: 1-200 bytes, no colon, comma or control character. */
static bool
valid_name(const char *s)
{
	return valid_spelling(s, 200, name_byte);
}

/* A decimal number in lo..hi; false (with *err) otherwise. */
static bool
parse_id(const char *s, int32_t lo, int32_t hi, const char *not_a_number,
		 int32_t *out, int line, TmacVocabTextError *err)
{
	char	   *end;
	long		x;

	errno = 0;
	x = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || x < lo || x > hi)
		return fail(err, line, not_a_number, s, (int) lo, (int) hi);
	*out = (int32_t) x;
	return true;
}

/* Split a line at tabs, in place; the number of fields, MAX + 1 when too many. */
static int
split_fields(char *line, char **fields)
{
	int			n = 0;
	char	   *s = line;

	for (;;)
	{
		char	   *tab = strchr(s, '\t');

		if (n == TMAC_VOCAB_TEXT_MAX_FIELDS)
			return n + 1;
		fields[n++] = s;
		if (tab == NULL)
			return n;
		*tab = '\0';
		s = tab + 1;
	}
}

/* The code at fields[code_at], then every name or alias from fields[from]. */
static bool
check_names(char **fields, int from, int n, int code_at, int line, TmacVocabTextError *err)
{
	int			i;

	if (!valid_code(fields[code_at]))
		return fail(err, line, gettext_noop("\"%s\" is not a valid code"), fields[code_at]);
	for (i = from; i < n; i++)
		if (!valid_name(fields[i]))
			return fail(err, line, gettext_noop("\"%s\" is not a valid name or alias"), fields[i]);
	return true;
}

bool
tmac_vocab_text_header_ok(const char *text, TmacVocabTextForm form)
{
	const char *header = form == TMAC_VOCAB_TEXT_COPY ? TMAC_VOCAB_TEXT_HEADER : TMAC_VOCAB_NEEDED_HEADER;
	size_t		n = strlen(header);

	return strncmp(text, header, n) == 0 && (text[n] == '\0' || text[n] == '\n');
}

/* One line of the copy form. */
/*
 * The three lines of the copy form: a kind letter, an id (and, for a group,
 * its parent's id), a code, a name and, for a level, its aliases; each kind
 * listed by ascending id.
 */
typedef struct CopyForm
{
	char		kind;
	int			min_fields;
	int			max_fields;
	int32_t		id_lo;
	int32_t		id_hi;
	const char *id_error;
	const char *order_error;
	int			code_field;		/* the name follows it, then (levels) the aliases */
} CopyForm;

static const CopyForm copy_forms[3] = {
	{'L', 4, TMAC_VOCAB_TEXT_MAX_FIELDS, 0, RANK_MAX,
		gettext_noop("level rank \"%s\" is not a number in %d..%d"),
	gettext_noop("levels must be listed by ascending rank"), 2},
	{'C', 4, 4, 1, ID_MAX,
		gettext_noop("compartment id \"%s\" is not a number in %d..%d"),
	gettext_noop("compartments must be listed by ascending id"), 2},
	{'G', 5, 5, 1, ID_MAX,
		gettext_noop("group id \"%s\" is not a number in %d..%d"),
	gettext_noop("groups must be listed by ascending id"), 3},
};

static bool
copy_line(char *line, int lineno, int32_t *last, TmacVocabEntryFn fn, void *arg,
		  TmacVocabTextError *err)
{
	char	   *fields[TMAC_VOCAB_TEXT_MAX_FIELDS + 1];
	TmacVocabEntry e;
	int			n = split_fields(line, fields);
	const CopyForm *f = NULL;
	int			k;

	memset(&e, 0, sizeof(e));
	if (n > TMAC_VOCAB_TEXT_MAX_FIELDS)
		return fail(err, lineno, gettext_noop("too many fields"));
	for (k = 0; k < 3; k++)
		if (fields[0][0] == copy_forms[k].kind && fields[0][1] == '\0' &&
			n >= copy_forms[k].min_fields && n <= copy_forms[k].max_fields)
			f = &copy_forms[k];
	if (f == NULL)
		return fail(err, lineno, gettext_noop("expected \"L<tab>rank<tab>code<tab>name[<tab>alias...]\", \"C<tab>id<tab>code<tab>name\" or \"G<tab>id<tab>parent<tab>code<tab>name\""));
	k = (int) (f - copy_forms);
	if (!parse_id(fields[1], f->id_lo, f->id_hi, f->id_error, &e.id, lineno, err) ||
		(f->kind == 'G' &&
		 !parse_id(fields[2], 0, ID_MAX,
				   gettext_noop("group parent id \"%s\" is not a number in %d..%d"),
				   &e.parent_id, lineno, err)))
		return false;
	if (e.id <= last[k])
		return fail_with(err, lineno, f->order_error);
	if (!check_names(fields, f->code_field + 1, n, f->code_field, lineno, err))
		return false;
	last[k] = e.id;
	e.kind = f->kind;
	e.code = fields[f->code_field];
	e.name = fields[f->code_field + 1];
	if (f->kind == 'L')
	{
		e.naliases = n - 4;
		e.aliases = fields + 4;
	}
	if (fn)
		fn(&e, arg);
	return true;
}

/* One line of the needed form: a kind, a tab and a code (the rest of the line). */
static bool
needed_line(char *line, int lineno, TmacVocabEntryFn fn, void *arg, TmacVocabTextError *err)
{
	TmacVocabEntry e;
	char		kind = line[0];

	if ((kind != 'L' && kind != 'C' && kind != 'G') || line[1] != '\t' ||
		line[2] == '\0' || strlen(line + 2) > 63)
		return fail(err, lineno, gettext_noop("expected a kind (L, C or G), a tab and a code"));
	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.code = line + 2;
	if (fn)
		fn(&e, arg);
	return true;
}

bool
tmac_vocab_text_parse(char *text, TmacVocabTextForm form, TmacVocabEntryFn fn, void *arg,
					  TmacVocabTextError *err)
{
	int32_t		last[3] = {-1, 0, 0};	/* level rank, compartment id, group id */
	int			lineno = 1;
	char	   *line;
	char	   *next;

	if (!tmac_vocab_text_header_ok(text, form))
		return fail(err, 1, gettext_noop("the first line must be \"%s\""),
					form == TMAC_VOCAB_TEXT_COPY ? TMAC_VOCAB_TEXT_HEADER : TMAC_VOCAB_NEEDED_HEADER);
	next = strchr(text, '\n');
	if (next)
		*next++ = '\0';
	for (line = next; line != NULL; line = next)
	{
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (form == TMAC_VOCAB_TEXT_COPY ?
			!copy_line(line, lineno, last, fn, arg, err) :
			!needed_line(line, lineno, fn, arg, err))
			return false;
	}
	return true;
}
