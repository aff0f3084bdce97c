/*
 * label_fuzzer.c — libFuzzer harness for the label text parser.
 *
 * Feeds arbitrary bytes to tmac_parse_label_syntax() (src/label_parse.c, the
 * exact code the server's tmac.label input function runs) and checks the
 * parser's promises: every token lies inside the input, lengths are >= 0, no
 * token begins or ends with white space, holds a control character or a
 * separator (a colon, or a comma in the level or a list), the counts stay within the limits, an error offset lies inside
 * the input, and status OK implies a non-empty level.  Any broken promise
 * calls abort(), which libFuzzer reports as a crash.  Built and run by
 * test/fuzz/run_fuzz.sh (`make fuzz`) with ASan and UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label_parse.h"

static void
fail(const char *what)
{
	fprintf(stderr, "label_fuzzer: invariant violated: %s\n", what);
	abort();
}

static int
is_space_at(const unsigned char *p, const unsigned char *end)
{
	if (p >= end)
		return 0;
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		*p == '\v' || *p == '\f')
		return 1;
	return end - p >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80;
}

static int
ends_with_space(const unsigned char *p, const unsigned char *end)
{
	if (end - p >= 1 && is_space_at(end - 1, end))
		return 1;
	return end - p >= 3 && end[-3] == 0xE3 && end[-2] == 0x80 && end[-1] == 0x80;
}

/* Check one token: inside [data, data+size), trimmed, no forbidden bytes. */
static void
check_token(const TmacToken *t, const uint8_t *data, size_t size,
			int in_list, int allow_empty)
{
	const unsigned char *p = (const unsigned char *) t->ptr;
	const unsigned char *end;
	int			i;

	if (t->len < 0)
		fail("negative token length");
	if (t->len == 0)
	{
		if (!allow_empty)
			fail("empty token in a list");
		return;
	}
	if (p < data || p > data + size || (size_t) t->len > size ||
		(size_t) (p - data) > size - (size_t) t->len)
		fail("token outside the input");
	end = p + t->len;
	if (is_space_at(p, end))
		fail("token has leading white space");
	if (ends_with_space(p, end))
		fail("token has trailing white space");
	for (i = 0; i < t->len; i++)
	{
		if (p[i] < 0x20 || p[i] == 0x7F)
			fail("control character inside a token");
		if (p[i] == ':')
			fail("colon inside a token");
		if (in_list && p[i] == ',')
			fail("comma inside a list token");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TmacLabelSyntax out;
	TmacParseStatus st;
	int			i;

	/* poison the output so that fields the parser fails to set show up */
	memset(&out, 0xA5, sizeof(out));
	st = tmac_parse_label_syntax((const char *) data, size, &out);

	/* every status the parser returns has its own message */
	if (tmac_parse_status_message(st) == NULL ||
		strcmp(tmac_parse_status_message(st), "unknown parse status") == 0)
		fail("status without a message");
	if (out.ncompartments < 0 || out.ncompartments > TMAC_LABEL_MAX_COMPARTMENTS)
		fail("compartment count out of range");
	if (out.ngroups < 0 || out.ngroups > TMAC_LABEL_MAX_GROUPS)
		fail("group count out of range");

	if (st != TMAC_PARSE_OK)
	{
		if (out.error_offset < 0 || (size_t) out.error_offset > size)
			fail("error offset outside the input");
		if (size > TMAC_LABEL_MAX_INPUT && st != TMAC_PARSE_TOO_LONG)
			fail("over-long input not rejected");
		return 0;
	}

	if (size > TMAC_LABEL_MAX_INPUT)
		fail("over-long input accepted");
	if (out.level.len <= 0)
		fail("status OK with an empty level");
	check_token(&out.level, data, size, 1, 0);	/* no comma in the level */
	if (out.ncompartments > 0 || out.ngroups > 0)
	{
		if (memchr(data, ':', size) == NULL)
			fail("compartments or groups without a colon");
	}
	for (i = 0; i < out.ncompartments; i++)
		check_token(&out.compartments[i], data, size, 1, 0);
	for (i = 0; i < out.ngroups; i++)
		check_token(&out.groups[i], data, size, 1, 0);
	/* tokens come in input order */
	for (i = 1; i < out.ncompartments; i++)
		if (out.compartments[i].ptr <= out.compartments[i - 1].ptr)
			fail("compartments out of order");
	for (i = 1; i < out.ngroups; i++)
		if (out.groups[i].ptr <= out.groups[i - 1].ptr)
			fail("groups out of order");
	if (out.ngroups > 0 && out.ncompartments > 0 &&
		out.groups[0].ptr <= out.compartments[out.ncompartments - 1].ptr)
		fail("groups before compartments");
	return 0;
}
