/*
 * vocabulary_fuzzer.c — libFuzzer harness for the vocabulary's text parser.
 *
 * Feeds arbitrary bytes to tmac_vocab_text_parse() (src/vocabulary_text.c,
 * the exact code that reads the copy on schema tmac and the
 * tmac_vocabulary_needed labels of protected tables): the first byte picks
 * the form (even: the copy, odd: the needed codes), the rest, up to its first
 * NUL, is the text.  It checks the parser's promises: every string it hands
 * out lies inside the input and holds no newline (nor a tab, in the copy
 * form: the needed form's code is the rest of its line); in the copy form,
 * kinds are L, C or G, identifiers are in range and ascending within a kind,
 * codes are valid codes and names 1-200 bytes without a colon, comma or
 * control character; in the needed form, codes are 1-63 bytes; an error
 * names a line of the input and says something; parsing twice (with and
 * without a callback) gives the same verdict.  Any broken promise calls
 * abort().  Built and run by test/fuzz/run_fuzz.sh with ASan and UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vocabulary_text.h"

typedef struct Seen
{
	const char *buf;
	size_t		len;
	TmacVocabTextForm form;
	int32_t		last[3];
	int			entries;
} Seen;

static void
fail(const char *what)
{
	fprintf(stderr, "vocabulary_fuzzer: invariant violated: %s\n", what);
	abort();
}

/* A string of the copy holds no tab; the needed form's code is the rest of its line. */
static void
check_string(const Seen *s, const char *p, size_t min, size_t max)
{
	size_t		n;

	if (p == NULL)
		fail("missing string");
	if (p < s->buf || p > s->buf + s->len)
		fail("string outside the input");
	n = strlen(p);
	if (p + n > s->buf + s->len)
		fail("string runs past the input");
	if (n < min || n > max)
		fail("string length out of range");
	if ((s->form == TMAC_VOCAB_TEXT_COPY && strchr(p, '\t') != NULL) || strchr(p, '\n') != NULL)
		fail("separator inside a string");
}

static int
is_code(const char *p)
{
	size_t		i,
				n = strlen(p);

	for (i = 0; i < n; i++)
	{
		char		c = p[i];
		int			alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return 0;
	}
	return n >= 1 && n <= 63;
}

static int
is_name(const char *p)
{
	size_t		i,
				n = strlen(p);

	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) p[i];

		if (c < 0x20 || c == 0x7f || c == ':' || c == ',')
			return 0;
	}
	return n >= 1 && n <= 200;
}

static void
on_entry(const TmacVocabEntry *e, void *arg)
{
	Seen	   *s = (Seen *) arg;
	int			k = e->kind == 'L' ? 0 : e->kind == 'C' ? 1 : e->kind == 'G' ? 2 : -1;
	int			i;

	if (k < 0)
		fail("unknown kind");
	s->entries++;
	if (s->form == TMAC_VOCAB_TEXT_NEEDED)
	{
		check_string(s, e->code, 1, 63);
		if (e->name != NULL || e->naliases != 0 || e->id != 0)
			fail("needed form entry carries more than a code");
		return;
	}
	check_string(s, e->code, 1, 63);
	check_string(s, e->name, 1, 200);
	if (!is_code(e->code) || !is_name(e->name))
		fail("invalid code or name accepted");
	if (e->id <= s->last[k])
		fail("identifiers not ascending");
	s->last[k] = e->id;
	if (k == 0 && e->id > 32767)
		fail("rank out of range");
	if (k > 0 && e->id < 1)
		fail("id out of range");
	if (e->parent_id < 0 || (k != 2 && e->parent_id != 0))
		fail("parent out of range");
	if (e->naliases < 0 || e->naliases > TMAC_VOCAB_TEXT_MAX_FIELDS || (k != 0 && e->naliases != 0))
		fail("alias count out of range");
	for (i = 0; i < e->naliases; i++)
	{
		check_string(s, e->aliases[i], 1, 200);
		if (!is_name(e->aliases[i]))
			fail("invalid alias accepted");
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TmacVocabTextForm form;
	char	   *a;
	char	   *b;
	size_t		len;
	size_t		i;
	int			lines = 1;
	Seen		seen;
	TmacVocabTextError err,
				err2;
	int			ok,
				ok2;

	if (size == 0)
		return 0;
	form = (data[0] & 1) ? TMAC_VOCAB_TEXT_NEEDED : TMAC_VOCAB_TEXT_COPY;
	data++, size--;
	len = strnlen((const char *) data, size);
	a = malloc(len + 1);
	b = malloc(len + 1);
	memcpy(a, data, len);
	a[len] = '\0';
	memcpy(b, a, len + 1);
	for (i = 0; i < len; i++)
		lines += a[i] == '\n';

	memset(&seen, 0, sizeof(seen));
	seen.buf = a;
	seen.len = len;
	seen.form = form;
	seen.last[0] = -1;
	memset(&err, 0xA5, sizeof(err));
	ok = tmac_vocab_text_parse(a, form, on_entry, &seen, &err);
	if (!ok)
	{
		if (err.line < 1 || err.line > lines)
			fail("error line outside the input");
		if (memchr(err.detail, '\0', sizeof(err.detail)) == NULL || err.detail[0] == '\0')
			fail("error without a detail");
	}
	else if (!tmac_vocab_text_header_ok(b, form))
		fail("accepted without its header");
	if (seen.entries > lines - 1)
		fail("more entries than lines");

	ok2 = tmac_vocab_text_parse(b, form, NULL, NULL, &err2);
	if (ok != ok2 || (!ok && (err.line != err2.line || strcmp(err.detail, err2.detail) != 0)))
		fail("verdict depends on the callback");
	free(a);
	free(b);
	return 0;
}
