/*
 * citus_profile.c — a protected table distributed by Citus, decided on every
 * worker from the profile the coordinator signs for each statement.
 *
 * Governance lives on the coordinator only (citus.c); a worker's tmac has
 * empty governance tables.  So the coordinator's tmac ships each statement's
 * decision material to the shards, the way parallel_handoff.c ships it to
 * parallel workers, in a form a worker session cannot forge:
 *
 *  - The shape.  A protected table Citus distributes carries one policy of
 *    tmac's and no other: tmac_shard_read, PERMISSIVE, FOR SELECT, to PUBLIC,
 *    USING (tmac.shard_row_readable(label)).  Citus copies policies to shards
 *    without AS RESTRICTIVE; a single permissive policy means the same thing
 *    either way, so the shards carry the whole decision.  No policy for
 *    INSERT, UPDATE or DELETE: a role under row security writes nothing on a
 *    shard (and the coordinator refuses such a write before it goes out).
 *  - The blob.  tmac's planner hook runs before Citus's (tmac is loaded
 *    after citus, so its hook is the outermost).  On the coordinator (Citus
 *    group 0) it finds the protected distributed tables a statement reads,
 *    and adds to the WHERE clause of the query level that reads them
 *    tmac.citus_statement('<blob>'), a STABLE function Citus deparses into
 *    every shard query as it is.  The blob is
 *        <HMAC-SHA256 hex>.v1|<expiry>|<vocabulary digest>|<database>|<role>|<tables>|<profile>
 *    (names in hex; the profile in profile.c's text form, the role's OID
 *    zeroed), the HMAC over everything after the dot, keyed with
 *    tmac.citus_key: a setting of postgresql.conf only (PGC_SIGHUP: SET and
 *    ALTER ROLE cannot set it), hidden from SHOW and pg_settings for all but
 *    superusers and pg_read_all_settings.  The same key on every node.
 *  - The worker.  The same planner hook, on a node where the statement
 *    carries a blob: verifies the HMAC (constant time), the database, the
 *    role (the statement's user: Citus connects as the same role), the
 *    expiry and the vocabulary digest, and fails the statement otherwise
 *    (42501); then keeps the profile for this statement and this role only.
 *    tmac.shard_row_readable decides from that profile and nothing else; in a
 *    statement without one it fails (42501): a direct query on a shard, or
 *    on the distributed table from a worker (whose registry is empty, so it
 *    adds no blob), is refused.  A statement carrying a blob is planned
 *    without parallel workers (the profile lives in this backend).  A plan
 *    that carries a profile is never run again for a later statement: the
 *    plan cache is reset after it (tmac_citus_statement_end).
 *    Every shard of a table the blob names, and every relation carrying
 *    tmac_shard_read, must have exactly the shape above (check_shard_shape):
 *    a shard whose policies were changed is refused, never read.
 *  - The vocabulary.  Labels travel between nodes as text and are decided
 *    by ids, so every node needs the coordinator's vocabulary with the same
 *    ids: tmac.citus_vocabulary_push() copies it to the workers, and the
 *    blob's digest (SHA-256 of vocabulary_copy.c's text form) must equal the
 *    worker's.
 *
 * What the binding is worth.  The blob appears in the worker's
 * pg_stat_activity and log to the role it was made for.  Replayed by another
 * role, on another database, after its expiry (TMAC_CITUS_BLOB_SECONDS), or
 * with one byte changed, it is refused.  Replayed by the same role within
 * its expiry it gives that role what the coordinator gave it moments before
 * (after a revocation: for at most the expiry).  Citus's distributed
 * transaction id is not bound: assign_distributed_transaction_id is callable
 * by any worker session, so it would add nothing.
 *
 * Refused rather than supported (README, "Running on Citus"): writes by
 * roles under row security, EXPLAIN, reads through views (decided for the
 * view's owner), reference and Citus local tables.  Handling events and
 * access statistics are not recorded for distributed reads.
 */
#include "postgres.h"
#include "message_catalog.h"

#include <time.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "common/cryptohash.h"
#include "common/hmac.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rowsecurity.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/rls.h"
#include "utils/timestamp.h"

#include "citus.h"
#include "decision.h"
#include "extension.h"
#include "label.h"
#include "profile.h"
#include "profile_cache.h"
#include "tree_walk.h"
#include "vocabulary.h"
#include "vocabulary_copy.h"

/* how long a blob is good for, from when it is signed (the statement is planned) */
#define TMAC_CITUS_BLOB_SECONDS 60
#define TMAC_CITUS_KEY_MIN 32

static char *CitusKey = NULL;

/* the profile of the statement being executed on a worker */
static struct
{
	bool		valid;
	TimestampTz stmt;
	LocalTransactionId lxid;
	Oid			roleid;
	char	   *blob;			/* exactly as verified */
	char	   *tables;			/* the protected tables it names, "schema.table" comma separated */
	TmacProfile profile;
	MemoryContext cxt;
} Shard;

/* the vocabulary digest, for one vocabulary generation */
static uint64 DigestGeneration = 0;
static char Digest[65];

static bool in_explain = false;

/* a profile was signed into a plan since the plan cache was last reset */
static bool Signed = false;

void
tmac_citus_profile_init(void)
{
	DefineCustomStringVariable("tmac.citus_key",
							   "Key with which a Citus coordinator's tmac signs the profiles it ships to the workers.",
							   "The same secret of at least 32 characters in postgresql.conf on every node.",
							   &CitusKey, "", PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);
}

void
tmac_citus_explain(bool on)
{
	in_explain = on;
}

static void
hex_append(StringInfo buf, const char *s)
{
	for (; *s; s++)
		appendStringInfo(buf, "%02x", (unsigned char) *s);
}

static void
hex_of(const uint8 *d, int n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int			i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* hex text back to a string (NULL when malformed) */
static int
hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *
unhex(const char *s, int len)
{
	char	   *out;
	int			i;

	if (len % 2 != 0)
		return NULL;
	out = palloc(len / 2 + 1);
	for (i = 0; i < len / 2; i++)
	{
		int			hi = hexdigit(s[2 * i]),
					lo = hexdigit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return NULL;
		out[i] = (char) (hi * 16 + lo);
		if (out[i] == '\0')
			return NULL;
	}
	out[len / 2] = '\0';
	return out;
}

static void
key_required(void)
{
	if (CitusKey == NULL || strlen(CitusKey) < TMAC_CITUS_KEY_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac.citus_key is not set on this node"),
				 errdetail("A protected table distributed by Citus is read only with the profiles the coordinator signs with that key."),
				 errhint("Set the same tmac.citus_key of at least 32 characters in postgresql.conf on every node, and reload.")));
}

static void
hmac_hex(const char *payload, char *out)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);
	uint8		mac[32];

	if (ctx == NULL || pg_hmac_init(ctx, (const uint8 *) CitusKey, strlen(CitusKey)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) payload, strlen(payload)) < 0 ||
		pg_hmac_final(ctx, mac, sizeof(mac)) < 0)
	{
		if (ctx != NULL)
			pg_hmac_free(ctx);
		elog(ERROR, "tmac: HMAC-SHA256 failed");
	}
	pg_hmac_free(ctx);
	hex_of(mac, 32, out);
}

/* SHA-256 of the vocabulary's text form, for this node's current vocabulary */
static const char *
vocabulary_digest(void)
{
	TmacVocabulary *v = tmac_vocabulary();

	if (v->generation != DigestGeneration || Digest[0] == '\0')
	{
		char	   *text = tmac_vocabulary_copy_generate();
		pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
		uint8		d[32];

		if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
			pg_cryptohash_update(ctx, (const uint8 *) text, strlen(text)) < 0 ||
			pg_cryptohash_final(ctx, d, sizeof(d)) < 0)
		{
			if (ctx != NULL)
				pg_cryptohash_free(ctx);
			elog(ERROR, "tmac: SHA-256 failed");
		}
		pg_cryptohash_free(ctx);
		hex_of(d, 32, Digest);
		DigestGeneration = v->generation;
	}
	return Digest;
}

/* ---------------------------------------------------------------- coordinator */

typedef struct SignState
{
	List	   *citus;			/* the tables Citus manages (from pg_dist_partition) */
	bool		citus_read;		/* (read once, at the first protected relation) */
	StringInfoData tables;		/* the protected distributed tables read, hex names */
	List	   *levels;			/* the query levels that read one */
	bool		any;
} SignState;

/* a statement tmac does not support on a protected distributed table (0A000), with its reason */
#define REFUSE_DISTRIBUTED(relid, detail) \
	ereport(ERROR, \
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED), \
			 errmsg("tmac does not support this statement on protected distributed table \"%s\"", get_rel_name(relid)), \
			 detail, \
			 errhint("Read protected distributed tables with SELECT through the coordinator, as the reader; write them as the table's owner with row security bypassed.")))

static bool
blob_call_walker(Node *node, void *fn)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcid == *(Oid *) fn)
		return true;
	if (IsA(node, Query))
		return false;			/* (a sublink's query is a level of its own) */
	return expression_tree_walker(node, blob_call_walker, fn);
}

/* do these quals (of one query level, not below) call tmac.citus_statement? */
static bool
carries_blob(Node *quals)
{
	Oid			fn = tmac_extension()->citus_statement;

	return OidIsValid(fn) && blob_call_walker(quals, &fn);
}

static bool
sign_query(Query *q, void *arg)
{
	SignState  *st = (SignState *) arg;
	ListCell   *lc;
	bool		here = false;

	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		Oid			relid = rte->relid;
		char	   *qualified;

		if (rte->rtekind != RTE_RELATION || !tmac_relation_registered(relid))
			continue;
		if (!st->citus_read)
		{
			st->citus = tmac_citus_tables();
			st->citus_read = true;
		}
		if (!list_member_oid(st->citus, relid))
			continue;
		/* (a view's owner, even one past row security: Citus reads the shards as the current user) */
		if (OidIsValid(rte->checkAsUser) && rte->checkAsUser != GetUserId())
			REFUSE_DISTRIBUTED(relid, errdetail("It is read through a view, which decides for the view's owner; the shards decide only for the role that runs the statement."));
		if (check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED)
			continue;
		if (in_explain)
			REFUSE_DISTRIBUTED(relid, errdetail("EXPLAIN of a protected distributed table would show what the shards hide."));
		if (q->commandType != CMD_SELECT || q->rowMarks != NIL || rte->rellockmode > AccessShareLock)
			REFUSE_DISTRIBUTED(relid, errdetail("Writes to a protected distributed table by roles under row security are not supported: the shards carry a read policy only."));
		if (!tmac_citus_hash_distributed(relid))
			REFUSE_DISTRIBUTED(relid, errdetail("Only hash-distributed protected tables are supported."));
		qualified = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
		if (st->tables.len > 0)
			appendStringInfoChar(&st->tables, ',');
		hex_append(&st->tables, qualified);
		here = true;
	}
	/*
	 * (Citus plans parts of a statement again through the planner — a CTE, a
	 * subquery joined with a local table — and those already carry the
	 * profile this hook added when the whole statement was planned: one is
	 * enough, and a second signed a second later would differ.)
	 */
	if (here && !carries_blob(q->jointree->quals))
	{
		st->levels = lappend(st->levels, q);
		st->any = true;
	}
	return false;
}

static char *
sign_blob(const char *tables)
{
	StringInfoData payload;
	StringInfoData blob;
	TmacProfile *p;
	TmacProfile copy;
	char		mac[65];
	int64		expiry;

	key_required();
	if (!tmac_citus_coordinator())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("protected distributed tables are read through the coordinator only"),
				 errdetail("Only the coordinator holds tmac's governance data; a worker cannot decide for a person."),
				 errhint("Connect to the coordinator.")));
	expiry = (int64) timestamptz_to_time_t(GetCurrentTimestamp()) + TMAC_CITUS_BLOB_SECONDS;
	initStringInfo(&payload);
	appendStringInfo(&payload, "v1|" INT64_FORMAT "|%s|", expiry, vocabulary_digest());
	hex_append(&payload, get_database_name(MyDatabaseId));
	appendStringInfoChar(&payload, '|');
	hex_append(&payload, GetUserNameFromId(GetUserId(), false));
	appendStringInfo(&payload, "|%s|", tables);
	p = tmac_profile_lookup(GetUserId());
	copy = *p;
	copy.roleid = InvalidOid;
	tmac_profile_out(&payload, &copy);
	hmac_hex(payload.data, mac);
	initStringInfo(&blob);
	appendStringInfo(&blob, "%s.%s", mac, payload.data);
	pfree(payload.data);
	return blob.data;
}

static void
add_blob_qual(Query *q, const char *blob)
{
	Oid			fn = tmac_extension()->citus_statement;
	FuncExpr   *f;
	Const	   *c;

	c = makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1, CStringGetTextDatum(blob), false, false);
	f = makeFuncExpr(fn, BOOLOID, list_make1(c), InvalidOid, DEFAULT_COLLATION_OID, COERCE_EXPLICIT_CALL);
	if (q->jointree->quals == NULL)
		q->jointree->quals = (Node *) f;
	else
		q->jointree->quals = (Node *) make_andclause(list_make2(q->jointree->quals, f));
}

static void
coordinator_sign(Query *parse)
{
	SignState	st;
	char	   *blob;
	ListCell   *lc;

	memset(&st, 0, sizeof(st));
	initStringInfo(&st.tables);
	(void) tmac_walk_queries((Node *) parse, sign_query, NULL, &st);
	if (!st.any)
		return;
	if (!OidIsValid(tmac_extension()->citus_statement))
		elog(ERROR, "tmac: tmac.citus_statement(text) is missing");
	blob = sign_blob(st.tables.data);
	foreach(lc, st.levels)
		add_blob_qual((Query *) lfirst(lc), blob);
	Signed = true;
}

/*
 * A plan carries the profile of the statement that planned it, and the plan
 * cache would run it again (a prepared statement's generic plan, PL/pgSQL's
 * plans) with that old profile.  So once a statement has run (or its
 * transaction ended) after one was signed, every cached plan is marked for
 * replanning: the next execution signs the profile of its own statement.
 */
void
tmac_citus_profile_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
		tmac_citus_statement_end();
}

void
tmac_citus_statement_end(void)
{
	if (Signed)
	{
		Signed = false;
		ResetPlanCache();
	}
}

/* ---------------------------------------------------------------- worker */

/* a profile that fails verification (42501), with what is wrong in the message */
#define BLOB_REFUSED(message) \
	ereport(ERROR, \
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), \
			 message, \
			 errdetail("A shard of a protected table is read only with a profile the coordinator's tmac signed for this role, this database and this moment."), \
			 errhint("Query the distributed table through the coordinator.")))

/* the next '|' field of *s (NUL-terminated in place), or NULL */
static char *
field(char **s)
{
	char	   *start = *s;
	char	   *bar;

	if (start == NULL)
		return NULL;
	bar = strchr(start, '|');
	if (bar == NULL)
		return NULL;
	*bar = '\0';
	*s = bar + 1;
	return start;
}

/* Verifies a blob and keeps its profile for this statement and role; errors otherwise. */
static void
verify_blob(const char *blob)
{
	const char *dot;
	char		mac[65];
	char	   *payload,
			   *s,
			   *version,
			   *expiry,
			   *digest,
			   *db,
			   *role,
			   *tables;
	char	   *end;
	int			diff = 0;
	int			i;
	int64		exp;
	TmacProfile tmp;
	MemoryContext old;

	if (Shard.valid && Shard.stmt == GetCurrentStatementStartTimestamp() &&
		Shard.lxid == MyProc->lxid && Shard.roleid == GetUserId() && strcmp(Shard.blob, blob) == 0)
		return;					/* this statement's, verified already */
	Shard.valid = false;
	key_required();
	dot = strchr(blob, '.');
	if (dot == NULL || dot - blob != 64)
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it is malformed"));
	hmac_hex(dot + 1, mac);
	for (i = 0; i < 64; i++)
		diff |= mac[i] ^ blob[i];
	if (diff != 0)
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: its signature does not match"));
	payload = pstrdup(dot + 1);
	s = payload;
	version = field(&s);
	expiry = field(&s);
	digest = field(&s);
	db = field(&s);
	role = field(&s);
	tables = field(&s);
	if (tables == NULL || strcmp(version, "v1") != 0)
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it is malformed"));
	exp = strtoll(expiry, &end, 10);
	if (*end != '\0' || end == expiry)
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it is malformed"));
	if ((int64) timestamptz_to_time_t(GetCurrentTimestamp()) > exp)
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it has expired"));
	db = unhex(db, strlen(db));
	role = unhex(role, strlen(role));
	if (db == NULL || role == NULL)
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it is malformed"));
	if (strcmp(db, get_database_name(MyDatabaseId)) != 0)
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it was made for another database"));
	if (strcmp(role, GetUserNameFromId(GetUserId(), false)) != 0)
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it was made for another role"));
	if (strcmp(digest, vocabulary_digest()) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("this node's vocabulary differs from the coordinator's"),
				 errdetail("Labels are decided by the ids of levels, compartments and groups, which must be the same on every node."),
				 errhint("Run SELECT tmac.citus_vocabulary_push() on the coordinator.")));
	if (Shard.cxt == NULL)
		Shard.cxt = AllocSetContextCreate(TopMemoryContext, "tmac citus profile", ALLOCSET_SMALL_SIZES);
	MemoryContextReset(Shard.cxt);
	memset(&tmp, 0, sizeof(tmp));
	if (*s != ';' || !tmac_profile_in(&s, &tmp, Shard.cxt) || *s != '\0')
		BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it is malformed"));
	old = MemoryContextSwitchTo(Shard.cxt);
	Shard.profile = tmp;
	Shard.profile.roleid = GetUserId();
	Shard.profile.filled = true;
	Shard.blob = pstrdup(blob);
	Shard.tables = pstrdup(tables);
	MemoryContextSwitchTo(old);
	Shard.stmt = GetCurrentStatementStartTimestamp();
	Shard.lxid = MyProc->lxid;
	Shard.roleid = GetUserId();
	Shard.valid = true;
}

typedef struct FindState
{
	Oid			fn;
	const char *blob;
} FindState;

static bool
find_blob_walker(Node *node, FindState *st)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcid == st->fn)
	{
		FuncExpr   *f = (FuncExpr *) node;
		Const	   *c = (Const *) linitial(f->args);
		char	   *blob;

		if (list_length(f->args) != 1 || !IsA(c, Const) || c->constisnull)
			BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: it is not a constant"));
		blob = TextDatumGetCString(c->constvalue);
		if (st->blob != NULL && strcmp(st->blob, blob) != 0)
			BLOB_REFUSED(errmsg("the access profile attached to this statement is not valid: the statement carries more than one"));
		st->blob = blob;
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, find_blob_walker, st, 0);
	return expression_tree_walker(node, find_blob_walker, st);
}

/* is relid a shard of one of the tables the blob names (<table>_<digits> in its schema)? */
static bool
shard_of_named(Oid relid)
{
	char	   *name = get_rel_name(relid);
	char	   *nsp = get_namespace_name(get_rel_namespace(relid));
	char	   *list;
	char	   *tok;
	char	   *save;

	if (name == NULL || nsp == NULL || !Shard.valid)
		return false;
	list = pstrdup(Shard.tables);
	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
	{
		char	   *qualified = unhex(tok, strlen(tok));
		List	   *names;
		char	   *tname;
		size_t		n;
		const char *c;

		if (qualified == NULL)
			continue;
		names = stringToQualifiedNameList(qualified);
		if (list_length(names) != 2 || strcmp(strVal(linitial(names)), nsp) != 0)
			continue;
		tname = strVal(lsecond(names));
		n = strlen(tname);
		if (strncmp(name, tname, n) != 0 || name[n] != '_' || name[n + 1] == '\0')
			continue;
		for (c = name + n + 1; *c >= '0' && *c <= '9'; c++)
			;
		if (*c == '\0')
			return true;
	}
	return false;
}

static bool
check_shards_rte(RangeTblEntry *rte, void *arg)
{
	if (rte->rtekind == RTE_RELATION && shard_of_named(rte->relid) &&
		!tmac_citus_shard_shape(rte->relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("shard \"%s\" of a protected table does not carry tmac's policy as tmac installed it", get_rel_name(rte->relid)),
				 errdetail("A shard of a protected distributed table carries row security and exactly one policy, tmac_shard_read; with any other its rows would not be decided by tmac."),
				 errhint("Protect the table again on the coordinator (tmac.unprotect, then tmac.protect).")));
	return false;
}

/*
 * The planner hook's part: returns the cursor options to plan with (no
 * parallel plan for a statement that carries a profile).
 */
int
tmac_citus_plan(Query *parse, int cursorOptions)
{
	const TmacExtension *ext = tmac_extension();
	FindState	st;

	if (!ext->installed || !ext->citus)
		return cursorOptions;
	coordinator_sign(parse);
	if (!OidIsValid(ext->citus_statement))
		return cursorOptions;
	st.fn = ext->citus_statement;
	st.blob = NULL;
	(void) query_or_expression_tree_walker((Node *) parse, find_blob_walker, &st, 0);
	if (st.blob == NULL)
		return cursorOptions;
	if (in_explain)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("EXPLAIN of a statement carrying tmac's access profile is not supported"),
				 errdetail("EXPLAIN would show what the shards hide.")));
	verify_blob(st.blob);
	(void) tmac_walk_queries((Node *) parse, NULL, check_shards_rte, NULL);
	return cursorOptions & ~CURSOR_OPT_PARALLEL_OK;
}

/* The profile verified for this statement and the current role, or an error. */
static TmacProfile *
shard_profile(void)
{
	if (likely(Shard.valid && Shard.stmt == GetCurrentStatementStartTimestamp() &&
			   Shard.lxid == MyProc->lxid && Shard.roleid == GetUserId()))
		return &Shard.profile;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("no access profile from the coordinator for this statement"),
			 errdetail("A shard of a protected distributed table is decided only from the profile the coordinator's tmac signs for each statement; this node's governance data decides nothing."),
			 errhint("Query the distributed table through the coordinator.")));
	return NULL;				/* keep the compiler quiet */
}

/*
 * tmac.citus_statement(blob): true once the blob is verified for this
 * statement (the planner hook verified it already; verified again if the
 * call comes some other way).
 */
PG_FUNCTION_INFO_V1(tmac_citus_statement);
Datum
tmac_citus_statement(PG_FUNCTION_ARGS)
{
	char	   *blob = text_to_cstring(PG_GETARG_TEXT_PP(0));

	verify_blob(blob);
	PG_RETURN_BOOL(true);
}

/* tmac.shard_row_readable(label): the shard's read policy, from the statement's signed profile */
PG_FUNCTION_INFO_V1(tmac_shard_row_readable);
Datum
tmac_shard_row_readable(PG_FUNCTION_ARGS)
{
	TmacProfile *p = shard_profile();
	Datum		d;
	TmacLabel  *l;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	/* (as policy.c: a label stored plain is used in place, without the detoaster's call) */
	d = PG_GETARG_DATUM(0);
	l = likely(!VARATT_IS_EXTENDED(DatumGetPointer(d)))
		? (TmacLabel *) DatumGetPointer(d) : DatumGetTmacLabel(d);
	PG_RETURN_BOOL(tmac_decide_inline(p, l, TMAC_READ, NULL, NULL, NULL));
}

/* tmac.citus_vocabulary_digest(): this node's vocabulary digest (what a blob must carry) */
PG_FUNCTION_INFO_V1(tmac_citus_vocabulary_digest);
Datum
tmac_citus_vocabulary_digest(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(vocabulary_digest()));
}
