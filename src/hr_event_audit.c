/*
 * hr_event_audit.c — the audit entry of a bulk load of HR events, in one pass.
 *
 * tmac.audit_trigger records a statement that inserted several HR events by
 * their keys and the SHA-256 digest of their canonical text
 * (tmac.hr_event_canonical, 54_hr_feed.sql), which tmac.verify_audit_log()
 * recomputes from tmac.hr_event:
 *
 *   {"count": n, "key": "event_id", "rows": [{"new": {"event_id": …}}, …],
 *    "digest": sha256 hex, "digest_of": "tmac.hr_event_canonical"}
 *
 * with the rows in event_id order (COLLATE "C") and the digest over the
 * canonical texts in that order joined by a line feed.  The aggregate
 * tmac.hr_event_audit_detail(<the event's columns>) builds it in one pass
 * over the events in any order: each canonical text is written once (an
 * instant of the years 1 to 9999 digit by digit as to_char writes it, the
 * same instant's text reused; anything else through to_char; attributes by
 * jsonb's output) into large chunks that are never moved, its event_id is its
 * key, and the final call sorts the texts by key (bytes, as COLLATE "C"),
 * hashes them in that order and builds the list in place.  Before, a load of
 * 50,000 events was sorted as whole rows by a tuplesort, its texts went into
 * one buffer doubled and copied as it grew, and each of its 100,000 small
 * JSON objects was pushed with room for four pairs: 40 MB of fresh memory.
 * Byte for byte the same entry: test/pgtap/hrset4_audit_detail.sql and
 * hrset5_bulk_load.sql compare it with the SQL of tmac.hr_event_canonical.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/pg_collation.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/formatting.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" and its terminator, with room to spare */
#define INSTANT_TEXT_MAX 32

/*
 * The texts an aggregate keeps until its final call: each line stored whole
 * in one of a list of large chunks (never moved again, unlike one buffer
 * doubled and copied as a load grows), and where it is.
 */
typedef struct HrLine
{
	const char *line;			/* the line (its first key_len bytes are its key) */
	int			len;			/* -1: no line (a NULL text) */
	const char *key;			/* NULL: a NULL key */
	int			key_len;
	uint64		prefix;			/* the key's first 8 bytes, big-endian, zero-padded (text has no zero byte) */
	int64		seq;			/* arrival: the order of equal keys */
} HrLine;

typedef struct HrLines
{
	MemoryContext cxt;
	char	   *chunk;			/* the chunk being filled */
	Size		chunk_used;
	Size		chunk_size;
	HrLine	   *lines;
	int64		count;
	int64		capacity;
} HrLines;

#define HR_LINES_CHUNK (1024 * 1024)

/* Keeps a copy of len bytes in the chunks; returns it. */
static char *
hr_lines_store(HrLines *ls, const char *data, Size len)
{
	char	   *p;

	if (ls->chunk == NULL || ls->chunk_used + len > ls->chunk_size)
	{
		ls->chunk_size = Max(HR_LINES_CHUNK, len);
		ls->chunk = MemoryContextAllocHuge(ls->cxt, ls->chunk_size);
		ls->chunk_used = 0;
	}
	p = ls->chunk + ls->chunk_used;
	memcpy(p, data, len);
	ls->chunk_used += len;
	return p;
}

/* Adds a line (NULL: none) with its key (NULL: a NULL key; else it is kept as given). */
static HrLine *
hr_lines_add(HrLines *ls, const char *line, int len, const char *key, int key_len)
{
	HrLine	   *l;

	if (ls->count == ls->capacity)
	{
		ls->capacity = ls->capacity == 0 ? 1024 : ls->capacity * 2;
		ls->lines = ls->lines == NULL
			? MemoryContextAllocHuge(ls->cxt, ls->capacity * sizeof(HrLine))
			: repalloc_huge(ls->lines, ls->capacity * sizeof(HrLine));
	}
	l = &ls->lines[ls->count];
	l->seq = ls->count++;
	l->line = line == NULL ? NULL : hr_lines_store(ls, line, len);
	l->len = line == NULL ? -1 : len;
	l->key = key;
	l->key_len = key_len;
	return l;
}

/* the key's first 8 bytes as a number that orders as they do */
static uint64
hr_key_prefix(const char *key, int len)
{
	uint64		p = 0;
	int			i;

	for (i = 0; i < 8; i++)
		p = (p << 8) | (i < len ? (unsigned char) key[i] : 0);
	return p;
}

/* key order, as ORDER BY key COLLATE "C" (bytes, then length; NULL last), then arrival */
static int
hr_line_cmp(const void *a, const void *b)
{
	const HrLine *x = (const HrLine *) a;
	const HrLine *y = (const HrLine *) b;
	int			c;

	if (x->key == NULL || y->key == NULL)
		c = (x->key == NULL) - (y->key == NULL);
	else if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	else
	{
		c = memcmp(x->key, y->key, Min(x->key_len, y->key_len));
		if (c == 0)
			c = (x->key_len > y->key_len) - (x->key_len < y->key_len);
	}
	if (c == 0)
		c = (x->seq > y->seq) - (x->seq < y->seq);
	return c;
}

/* The lines in key order; the hex SHA-256 of those that are not NULL, joined by a line feed. */
static char *
hr_lines_sort_and_hash(HrLines *ls)
{
	pg_cryptohash_ctx *ctx;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	bool		any = false;
	bool		failed;
	int64		i;

	for (i = 0; i < ls->count; i++)
		if (ls->lines[i].key != NULL)
			ls->lines[i].prefix = hr_key_prefix(ls->lines[i].key, ls->lines[i].key_len);
	if (ls->count > 1)
		qsort(ls->lines, ls->count, sizeof(HrLine), hr_line_cmp);
	ctx = pg_cryptohash_create(PG_SHA256);
	failed = pg_cryptohash_init(ctx) < 0;
	for (i = 0; i < ls->count && !failed; i++)
	{
		if (ls->lines[i].len < 0)
			continue;			/* (as string_agg: a NULL text is skipped, and so is its line feed) */
		failed = (any && pg_cryptohash_update(ctx, (const uint8 *) "\n", 1) < 0) ||
			pg_cryptohash_update(ctx, (const uint8 *) ls->lines[i].line, ls->lines[i].len) < 0;
		any = true;
	}
	if (failed || pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
	{
		pg_cryptohash_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute the SHA-256 digest of the HR events")));
	}
	pg_cryptohash_free(ctx);
	hex[hex_encode((const char *) digest, sizeof(digest), hex)] = '\0';
	return hex;
}

/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" and its terminator, with room to spare */
#define INSTANT_TEXT_MAX 32

/* The aggregate's state: the events so far, in the aggregate's memory context. */
typedef struct HrEventAuditState
{
	HrLines		lines;			/* each event's canonical text, its event_id its key */
	StringInfoData scratch;		/* the event being written */
	/* the last instant of each column written, and its text (received_at is the same for a whole load) */
	TimestampTz last_instant[2];
	char		last_text[2][INSTANT_TEXT_MAX];
	int			last_len[2];
	bool		finished;
} HrEventAuditState;

static void
set_string(JsonbValue *v, const char *s, int len)
{
	v->type = jbvString;
	v->val.string.val = (char *) s;
	v->val.string.len = len;
}

static void
push_string(JsonbParseState **state, JsonbIteratorToken token, const char *s, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = len;
	(void) pushJsonbValue(state, token, &v);
}

/* n as exactly width decimal digits (0 <= n < 10^width) at p */
static void
put_digits(char *p, int n, int width)
{
	while (width-- > 0)
	{
		p[width] = '0' + n % 10;
		n /= 10;
	}
}

/*
 * An instant as tmac.hr_event_canonical writes it: to_char(t AT TIME ZONE
 * 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'); false for NULL.  An instant in the
 * years 1 to 9999 is written here, digit by digit, as to_char writes it (UTC
 * needs no zone: the instant is its own UTC time), with the text of the column's
 * last instant reused when it is the same (a load's received_at); any other (an
 * infinite one, BC, after 9999) goes through to_char itself.
 */
static bool
append_instant(StringInfo buf, Datum t, HrEventAuditState *st, int column)
{
	TimestampTz ts = DatumGetTimestampTz(t);
	struct pg_tm tm;
	fsec_t		fsec;
	Datum		utc;
	Datum		text_datum;
	LOCAL_FCINFO(call, 2);

	if (st->last_len[column] > 0 && st->last_instant[column] == ts)
	{
		appendBinaryStringInfo(buf, st->last_text[column], st->last_len[column]);
		return true;
	}
	if (!TIMESTAMP_NOT_FINITE(ts) && timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) == 0 &&
		tm.tm_year >= 1 && tm.tm_year <= 9999)
	{
		char	   *p = st->last_text[column];

		/* YYYY-MM-DDTHH:MM:SS.ffffffZ */
		put_digits(p, tm.tm_year, 4);
		p[4] = '-';
		put_digits(p + 5, tm.tm_mon, 2);
		p[7] = '-';
		put_digits(p + 8, tm.tm_mday, 2);
		p[10] = 'T';
		put_digits(p + 11, tm.tm_hour, 2);
		p[13] = ':';
		put_digits(p + 14, tm.tm_min, 2);
		p[16] = ':';
		put_digits(p + 17, tm.tm_sec, 2);
		p[19] = '.';
		put_digits(p + 20, fsec, 6);
		p[26] = 'Z';
		st->last_len[column] = 27;
		st->last_instant[column] = ts;
		appendBinaryStringInfo(buf, p, 27);
		return true;
	}

	utc = DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum("UTC"), t);
	/* (timestamp_to_char returns NULL for an infinite instant, which concat_ws skips) */
	InitFunctionCallInfoData(*call, NULL, 2, DEFAULT_COLLATION_OID, NULL, NULL);
	call->args[0].value = utc;
	call->args[0].isnull = false;
	call->args[1].value = CStringGetTextDatum("YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"");
	call->args[1].isnull = false;
	text_datum = timestamp_to_char(call);
	if (call->isnull)
		return false;
	appendBinaryStringInfo(buf, VARDATA_ANY(DatumGetTextPP(text_datum)),
						   VARSIZE_ANY_EXHDR(DatumGetTextPP(text_datum)));
	return true;
}

/* a text field of the canonical text, or U+0018 for NULL */
static void
append_text_or_null(StringInfo buf, FunctionCallInfo fcinfo, int arg)
{
	if (PG_ARGISNULL(arg))
		appendStringInfoChar(buf, '\x18');
	else
	{
		text	   *t = PG_GETARG_TEXT_PP(arg);

		appendBinaryStringInfo(buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
}

/*
 * tmac.hr_event_audit_detail_step(state internal, event_id text, person_id
 * text, kind text, effective_at timestamptz, attributes jsonb, received_at
 * timestamptz, received_by name): adds one event (in any order: the final
 * call sorts them by event_id).
 */
PG_FUNCTION_INFO_V1(tmac_hr_event_audit_detail_step);
Datum
tmac_hr_event_audit_detail_step(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	MemoryContext old;
	HrEventAuditState *st;
	StringInfo	buf;
	text	   *id;
	int			idlen;
	HrLine	   *l;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_event_audit_detail() is an aggregate")));
	if (PG_ARGISNULL(0))
	{
		old = MemoryContextSwitchTo(aggcontext);	/* (the state and its texts live there) */
		st = palloc0(sizeof(HrEventAuditState));
		st->lines.cxt = aggcontext;
		initStringInfo(&st->scratch);
		MemoryContextSwitchTo(old);
	}
	else
		st = (HrEventAuditState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("an HR event without event_id cannot be recorded in the audit log")));
	buf = &st->scratch;
	resetStringInfo(buf);

	/*
	 * the canonical text, as tmac.hr_event_canonical: concat_ws(U+001F,
	 * event_id, person_id, kind, effective_at, attributes, received_at,
	 * received_by), NULL as U+0018 (an instant's NULL is skipped, as
	 * concat_ws skips it)
	 */
	id = PG_GETARG_TEXT_PP(1);
	idlen = VARSIZE_ANY_EXHDR(id);
	appendBinaryStringInfo(buf, VARDATA_ANY(id), idlen);
	appendStringInfoChar(buf, '\x1f');
	append_text_or_null(buf, fcinfo, 2);
	appendStringInfoChar(buf, '\x1f');
	append_text_or_null(buf, fcinfo, 3);
	if (!PG_ARGISNULL(4))
	{
		appendStringInfoChar(buf, '\x1f');
		if (!append_instant(buf, PG_GETARG_DATUM(4), st, 0))
			buf->data[--buf->len] = '\0';
	}
	appendStringInfoChar(buf, '\x1f');
	if (PG_ARGISNULL(5))
		appendStringInfoChar(buf, '\x18');
	else
	{
		Jsonb	   *jb = PG_GETARG_JSONB_P(5);

		(void) JsonbToCString(buf, &jb->root, VARSIZE(jb));
	}
	if (!PG_ARGISNULL(6))
	{
		appendStringInfoChar(buf, '\x1f');
		if (!append_instant(buf, PG_GETARG_DATUM(6), st, 1))
			buf->data[--buf->len] = '\0';
	}
	appendStringInfoChar(buf, '\x1f');
	if (PG_ARGISNULL(7))
		appendStringInfoChar(buf, '\x18');
	else
		appendStringInfoString(buf, NameStr(*PG_GETARG_NAME(7)));

	/* kept whole; its event_id, the key, is where the text begins */
	l = hr_lines_add(&st->lines, buf->data, buf->len, NULL, 0);
	l->key = l->line;
	l->key_len = idlen;
	PG_RETURN_POINTER(st);
}

/*
 * The entry's detail: count, key, rows, digest, digest_of (NULL for no
 * events): the events sorted by event_id (COLLATE "C": their bytes), the rows
 * {"new": {"event_id": …}} in that order and the SHA-256 of their canonical
 * texts in that order, joined by a line feed.
 */
PG_FUNCTION_INFO_V1(tmac_hr_event_audit_detail_final);
Datum
tmac_hr_event_audit_detail_final(PG_FUNCTION_ARGS)
{
	HrEventAuditState *st;
	char	   *hex;
	JsonbValue	list;
	JsonbValue *elems;
	JsonbPair  *pairs;
	JsonbPair	top[5];
	JsonbValue	result;
	MemoryContext aggcontext;
	int64		n;
	int64		i;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_event_audit_detail() is an aggregate")));
	st = (HrEventAuditState *) PG_GETARG_POINTER(0);
	if (st->finished)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("tmac.hr_event_audit_detail() was finished twice")));
	st->finished = true;

	hex = hr_lines_sort_and_hash(&st->lines);

	/*
	 * The rows {"new": {"event_id": …}} as one array value, built in place
	 * (two one-pair objects per event from one allocation) rather than by
	 * pushJsonbValue, which allocates a parse state and room for four pairs
	 * per object: for 50,000 events that was 40 MB of fresh memory.
	 */
	n = st->lines.count;
	elems = palloc_extended(Max(n, 1) * sizeof(JsonbValue), MCXT_ALLOC_HUGE);
	pairs = palloc_extended(Max(n, 1) * 2 * sizeof(JsonbPair), MCXT_ALLOC_HUGE);
	for (i = 0; i < n; i++)
	{
		JsonbPair  *outer = &pairs[2 * i];
		JsonbPair  *inner = &pairs[2 * i + 1];

		set_string(&inner->key, "event_id", 8);
		set_string(&inner->value, st->lines.lines[i].key, st->lines.lines[i].key_len);
		inner->order = 0;
		set_string(&outer->key, "new", 3);
		outer->value.type = jbvObject;
		outer->value.val.object.nPairs = 1;
		outer->value.val.object.pairs = inner;
		outer->order = 0;
		elems[i].type = jbvObject;
		elems[i].val.object.nPairs = 1;
		elems[i].val.object.pairs = outer;
	}
	list.type = jbvArray;
	list.val.array.nElems = (int) n;
	list.val.array.elems = elems;
	list.val.array.rawScalar = false;

	/* {"key", "rows", "count", "digest", "digest_of"}: jsonb's order of keys (shorter first) */
	set_string(&top[0].key, "key", 3);
	set_string(&top[0].value, "event_id", 8);
	set_string(&top[1].key, "rows", 4);
	top[1].value = list;
	set_string(&top[2].key, "count", 5);
	top[2].value.type = jbvNumeric;
	top[2].value.val.numeric = int64_to_numeric(n);
	set_string(&top[3].key, "digest", 6);
	set_string(&top[3].value, hex, strlen(hex));
	set_string(&top[4].key, "digest_of", 9);
	set_string(&top[4].value, "tmac.hr_event_canonical", 23);
	for (i = 0; i < lengthof(top); i++)
		top[i].order = (uint32) i;
	result.type = jbvObject;
	result.val.object.nPairs = lengthof(top);
	result.val.object.pairs = top;
	PG_RETURN_JSONB_P(JsonbValueToJsonb(&result));
}

/*
 * The audit entry of the persons a bulk load hires (tmac.audit_trigger's
 * argument hr_feed_keys, while the HR feed applies): {"count": n, "key":
 * <key column>, "keys": [the keys in order], "digest": SHA-256 hex of the rows'
 * text joined by a line feed, "digest_of": "row text", "content": "hr_event"},
 * as the SQL wrote it with jsonb_agg and string_agg in key order (COLLATE
 * "C"); the aggregate tmac.hr_feed_keys_detail(key column, key, row text)
 * builds it in one pass over the rows in any order, sorting them by key at
 * the end (NULL keys last, equal keys in arrival order).
 */
typedef struct HrFeedKeysState
{
	HrLines		lines;			/* each row's text, with its key */
	char	   *key_col;
	bool		finished;
} HrFeedKeysState;

PG_FUNCTION_INFO_V1(tmac_hr_feed_keys_detail_step);
Datum
tmac_hr_feed_keys_detail_step(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	MemoryContext old;
	HrFeedKeysState *st;
	char	   *key = NULL;
	int			key_len = 0;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_feed_keys_detail() is an aggregate")));
	if (PG_ARGISNULL(0))
	{
		old = MemoryContextSwitchTo(aggcontext);
		st = palloc0(sizeof(HrFeedKeysState));
		st->lines.cxt = aggcontext;
		st->key_col = PG_ARGISNULL(1) ? pstrdup("") : text_to_cstring(PG_GETARG_TEXT_PP(1));
		MemoryContextSwitchTo(old);
	}
	else
		st = (HrFeedKeysState *) PG_GETARG_POINTER(0);
	if (!PG_ARGISNULL(2))
	{
		text	   *k = PG_GETARG_TEXT_PP(2);

		key_len = VARSIZE_ANY_EXHDR(k);
		key = hr_lines_store(&st->lines, VARDATA_ANY(k), key_len);
	}
	if (PG_ARGISNULL(3))
		(void) hr_lines_add(&st->lines, NULL, 0, key, key_len);
	else
	{
		text	   *line = PG_GETARG_TEXT_PP(3);

		(void) hr_lines_add(&st->lines, VARDATA_ANY(line), VARSIZE_ANY_EXHDR(line), key, key_len);
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_keys_detail_final);
Datum
tmac_hr_feed_keys_detail_final(PG_FUNCTION_ARGS)
{
	HrFeedKeysState *st;
	JsonbParseState *keys = NULL;
	JsonbValue	v;
	JsonbValue *result;
	MemoryContext aggcontext;
	char	   *hex;
	int64		i;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_feed_keys_detail() is an aggregate")));
	st = (HrFeedKeysState *) PG_GETARG_POINTER(0);
	if (st->finished)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("tmac.hr_feed_keys_detail() was finished twice")));
	st->finished = true;
	hex = hr_lines_sort_and_hash(&st->lines);
	(void) pushJsonbValue(&keys, WJB_BEGIN_OBJECT, NULL);
	push_string(&keys, WJB_KEY, "keys", 4);
	(void) pushJsonbValue(&keys, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < st->lines.count; i++)
	{
		if (st->lines.lines[i].key == NULL)
		{
			v.type = jbvNull;
			(void) pushJsonbValue(&keys, WJB_ELEM, &v);
		}
		else
			push_string(&keys, WJB_ELEM, st->lines.lines[i].key, st->lines.lines[i].key_len);
	}
	(void) pushJsonbValue(&keys, WJB_END_ARRAY, NULL);
	push_string(&keys, WJB_KEY, "count", 5);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(st->lines.count);
	(void) pushJsonbValue(&keys, WJB_VALUE, &v);
	push_string(&keys, WJB_KEY, "key", 3);
	push_string(&keys, WJB_VALUE, st->key_col, strlen(st->key_col));
	push_string(&keys, WJB_KEY, "digest", 6);
	push_string(&keys, WJB_VALUE, hex, strlen(hex));
	push_string(&keys, WJB_KEY, "digest_of", 9);
	push_string(&keys, WJB_VALUE, "row text", 8);
	push_string(&keys, WJB_KEY, "content", 7);
	push_string(&keys, WJB_VALUE, "hr_event", 8);
	result = pushJsonbValue(&keys, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}
