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
 * canonical texts in that order joined by a line feed.  Written in SQL, a
 * load of 50,000 events built the list as JSON text and parsed it again, and
 * the digest as one string of every canonical text, each through its own
 * sort.  The aggregate tmac.hr_event_audit_detail(<the event's columns> ORDER
 * BY event_id COLLATE "C") builds the same entry in one pass over the sorted
 * events: the list as jsonb directly, each canonical text written by the same
 * functions the SQL uses (to_char of the instant in UTC, jsonb's output) into
 * one buffer that is hashed once at the end.  Byte for byte the same entry:
 * test/pgtap/hrset4_audit_detail.sql compares it with the SQL of
 * tmac.hr_event_canonical.
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

/* The aggregate's state: the events so far, in the aggregate's memory context. */
typedef struct HrEventAuditState
{
	int64		count;
	JsonbParseState *rows;		/* {"rows": [{"new": {"event_id": …}}, … so far */
	StringInfoData canonical;	/* the canonical texts so far, joined by a line feed */
} HrEventAuditState;

static void
push_string(JsonbParseState **state, JsonbIteratorToken token, const char *s, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = len;
	(void) pushJsonbValue(state, token, &v);
}

/* hex SHA-256 of the buffer */
static char *
sha256_hex(StringInfo buf)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (uint8 *) buf->data, buf->len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
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

/* An instant as tmac.hr_event_canonical writes it: to_char(t AT TIME ZONE 'UTC', …); false for NULL. */
static bool
append_instant(StringInfo buf, Datum t)
{
	Datum		utc = DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum("UTC"), t);
	Datum		text_datum;
	LOCAL_FCINFO(call, 2);

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
 * timestamptz, received_by name): adds one event (in event_id order).
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
	char	   *idcopy;
	int			idlen;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_event_audit_detail() is an aggregate")));
	old = MemoryContextSwitchTo(aggcontext);	/* (the state, the list and the buffer live there) */
	if (PG_ARGISNULL(0))
	{
		st = palloc0(sizeof(HrEventAuditState));
		initStringInfo(&st->canonical);
		(void) pushJsonbValue(&st->rows, WJB_BEGIN_OBJECT, NULL);
		push_string(&st->rows, WJB_KEY, "rows", 4);
		(void) pushJsonbValue(&st->rows, WJB_BEGIN_ARRAY, NULL);
	}
	else
		st = (HrEventAuditState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("an HR event without event_id cannot be recorded in the audit log")));
	buf = &st->canonical;
	if (st->count > 0)
		appendStringInfoChar(buf, '\n');
	st->count++;

	/* the key: {"new": {"event_id": …}} */
	id = PG_GETARG_TEXT_PP(1);
	idlen = VARSIZE_ANY_EXHDR(id);
	idcopy = palloc(idlen + 1);
	memcpy(idcopy, VARDATA_ANY(id), idlen);
	idcopy[idlen] = '\0';
	(void) pushJsonbValue(&st->rows, WJB_BEGIN_OBJECT, NULL);
	push_string(&st->rows, WJB_KEY, "new", 3);
	(void) pushJsonbValue(&st->rows, WJB_BEGIN_OBJECT, NULL);
	push_string(&st->rows, WJB_KEY, "event_id", 8);
	push_string(&st->rows, WJB_VALUE, idcopy, idlen);
	(void) pushJsonbValue(&st->rows, WJB_END_OBJECT, NULL);
	(void) pushJsonbValue(&st->rows, WJB_END_OBJECT, NULL);
	MemoryContextSwitchTo(old); /* (the text is written into the buffer, which stays where it is) */

	/*
	 * the canonical text, as tmac.hr_event_canonical: concat_ws(U+001F,
	 * event_id, person_id, kind, effective_at, attributes, received_at,
	 * received_by), NULL as U+0018 (an instant's NULL is skipped, as
	 * concat_ws skips it)
	 */
	appendBinaryStringInfo(buf, idcopy, idlen);
	appendStringInfoChar(buf, '\x1f');
	append_text_or_null(buf, fcinfo, 2);
	appendStringInfoChar(buf, '\x1f');
	append_text_or_null(buf, fcinfo, 3);
	if (!PG_ARGISNULL(4))
	{
		appendStringInfoChar(buf, '\x1f');
		if (!append_instant(buf, PG_GETARG_DATUM(4)))
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
		if (!append_instant(buf, PG_GETARG_DATUM(6)))
			buf->data[--buf->len] = '\0';
	}
	appendStringInfoChar(buf, '\x1f');
	if (PG_ARGISNULL(7))
		appendStringInfoChar(buf, '\x18');
	else
		appendStringInfoString(buf, NameStr(*PG_GETARG_NAME(7)));
	PG_RETURN_POINTER(st);
}

/* The entry's detail: count, key, rows, digest, digest_of (NULL for no events). */
PG_FUNCTION_INFO_V1(tmac_hr_event_audit_detail_final);
Datum
tmac_hr_event_audit_detail_final(PG_FUNCTION_ARGS)
{
	HrEventAuditState *st;
	char	   *hex;
	JsonbValue	v;
	JsonbValue *result;
	MemoryContext aggcontext;
	MemoryContext old;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_event_audit_detail() is an aggregate")));
	st = (HrEventAuditState *) PG_GETARG_POINTER(0);
	if (st->rows == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("tmac.hr_event_audit_detail() was finished twice")));

	hex = sha256_hex(&st->canonical);

	old = MemoryContextSwitchTo(aggcontext);
	(void) pushJsonbValue(&st->rows, WJB_END_ARRAY, NULL);
	push_string(&st->rows, WJB_KEY, "count", 5);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(st->count);
	(void) pushJsonbValue(&st->rows, WJB_VALUE, &v);
	push_string(&st->rows, WJB_KEY, "key", 3);
	push_string(&st->rows, WJB_VALUE, "event_id", 8);
	push_string(&st->rows, WJB_KEY, "digest", 6);
	push_string(&st->rows, WJB_VALUE, hex, strlen(hex));
	push_string(&st->rows, WJB_KEY, "digest_of", 9);
	push_string(&st->rows, WJB_VALUE, "tmac.hr_event_canonical", 23);
	result = pushJsonbValue(&st->rows, WJB_END_OBJECT, NULL);
	st->rows = NULL;
	MemoryContextSwitchTo(old);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}

/*
 * The audit entry of the persons a bulk load hires (tmac.audit_trigger's
 * argument hr_feed_keys, while the HR feed applies): {"count": n, "key":
 * <key column>, "keys": [the keys in order], "digest": SHA-256 hex of the rows'
 * text joined by a line feed, "digest_of": "row text", "content": "hr_event"},
 * as the SQL wrote it with jsonb_agg and string_agg; the aggregate
 * tmac.hr_feed_keys_detail(key column, key, row text ORDER BY key COLLATE "C")
 * builds it in one pass.
 */
typedef struct HrFeedKeysState
{
	int64		count;
	char	   *key_col;
	JsonbParseState *keys;		/* {"keys": [ … so far */
	StringInfoData lines;		/* the rows' text so far, joined by a line feed */
	bool		any_line;
} HrFeedKeysState;

PG_FUNCTION_INFO_V1(tmac_hr_feed_keys_detail_step);
Datum
tmac_hr_feed_keys_detail_step(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	MemoryContext old;
	HrFeedKeysState *st;
	JsonbValue	v;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_feed_keys_detail() is an aggregate")));
	old = MemoryContextSwitchTo(aggcontext);
	if (PG_ARGISNULL(0))
	{
		st = palloc0(sizeof(HrFeedKeysState));
		initStringInfo(&st->lines);
		st->key_col = PG_ARGISNULL(1) ? pstrdup("") : text_to_cstring(PG_GETARG_TEXT_PP(1));
		(void) pushJsonbValue(&st->keys, WJB_BEGIN_OBJECT, NULL);
		push_string(&st->keys, WJB_KEY, "keys", 4);
		(void) pushJsonbValue(&st->keys, WJB_BEGIN_ARRAY, NULL);
	}
	else
		st = (HrFeedKeysState *) PG_GETARG_POINTER(0);
	st->count++;
	if (PG_ARGISNULL(2))
	{
		v.type = jbvNull;
		(void) pushJsonbValue(&st->keys, WJB_ELEM, &v);
	}
	else
	{
		text	   *k = PG_GETARG_TEXT_PP(2);
		int			len = VARSIZE_ANY_EXHDR(k);
		char	   *copy = palloc(len + 1);

		memcpy(copy, VARDATA_ANY(k), len);
		copy[len] = '\0';
		push_string(&st->keys, WJB_ELEM, copy, len);
	}
	MemoryContextSwitchTo(old);
	/* (as string_agg: a NULL text is skipped, and so is its line feed) */
	if (!PG_ARGISNULL(3))
	{
		text	   *line = PG_GETARG_TEXT_PP(3);

		if (st->any_line)
			appendStringInfoChar(&st->lines, '\n');
		appendBinaryStringInfo(&st->lines, VARDATA_ANY(line), VARSIZE_ANY_EXHDR(line));
		st->any_line = true;
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_keys_detail_final);
Datum
tmac_hr_feed_keys_detail_final(PG_FUNCTION_ARGS)
{
	HrFeedKeysState *st;
	JsonbValue	v;
	JsonbValue *result;
	MemoryContext aggcontext;
	MemoryContext old;
	char	   *hex;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.hr_feed_keys_detail() is an aggregate")));
	st = (HrFeedKeysState *) PG_GETARG_POINTER(0);
	if (st->keys == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("tmac.hr_feed_keys_detail() was finished twice")));
	old = MemoryContextSwitchTo(aggcontext);
	hex = sha256_hex(&st->lines);
	(void) pushJsonbValue(&st->keys, WJB_END_ARRAY, NULL);
	push_string(&st->keys, WJB_KEY, "count", 5);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(st->count);
	(void) pushJsonbValue(&st->keys, WJB_VALUE, &v);
	push_string(&st->keys, WJB_KEY, "key", 3);
	push_string(&st->keys, WJB_VALUE, st->key_col, strlen(st->key_col));
	push_string(&st->keys, WJB_KEY, "digest", 6);
	push_string(&st->keys, WJB_VALUE, hex, strlen(hex));
	push_string(&st->keys, WJB_KEY, "digest_of", 9);
	push_string(&st->keys, WJB_VALUE, "row text", 8);
	push_string(&st->keys, WJB_KEY, "content", 7);
	push_string(&st->keys, WJB_VALUE, "hr_event", 8);
	result = pushJsonbValue(&st->keys, WJB_END_OBJECT, NULL);
	st->keys = NULL;
	MemoryContextSwitchTo(old);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}
