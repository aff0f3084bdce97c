/*
 * audit_chain.c — the audit log's hash chain is closed when a transaction
 * commits.
 *
 * tmac.audit_append (50_audit_log.sql) writes an entry at once, so that the
 * transaction sees its own entries, but takes no lock: it chains from the
 * head of tmac.audit_head as it read it (the transaction's base) and keeps
 * its running end in the transaction-local setting tmac.audit_state
 * ("xid:base id:base hash:last id:last hash").  Any session may thus record
 * (an employee's copy lands in the handling ledger, and that entry in the
 * audit log) and then keep its transaction open without making anybody else
 * wait: before, the first append locked the head row until commit, and a
 * revocation of that employee's own grant waited for the employee.
 *
 * At XACT_EVENT_PRE_COMMIT — after every deferred trigger and every other
 * piece of user code of the transaction has run, so nothing the user wrote
 * runs while the lock is held — this file locks tmac.audit_head (an
 * ExclusiveLock, which nobody but tmac takes: the table is granted to no
 * one) for the rest of the commit, reads the head with the latest snapshot,
 * and either moves it to the transaction's last entry (nobody committed
 * entries since the base: the common case, one row updated) or, when another
 * transaction did, first re-chains this transaction's entries behind it
 * (tmac.audit_rechain: new positions and hashes, the same content).  Commits
 * that appended are serialised only for those few statements, the chain is
 * in commit order, and a rolled-back transaction or subtransaction leaves
 * neither entries nor a gap.  The queries run as tmac's owner with the latest
 * snapshot (owner_query.c), so a REPEATABLE READ or SERIALIZABLE transaction
 * sees the head another transaction moved after its snapshot instead of
 * failing on it.
 *
 * A transaction that appended cannot be prepared (two-phase commit): its
 * prepared state would hold the head's lock until COMMIT PREPARED, which is
 * exactly the wait this file removes.  (Except in the transaction that
 * created the extension, whose head nobody else can see: a Citus coordinator
 * creates tmac on its workers in a prepared transaction.)
 * tmac.audit_entry_pending() tells
 * tmac's SQL (verify_audit_log, audit_rechain) which rows are this
 * transaction's.
 *
 * A statement whose caller records it itself: tmac.audit_cover_next_update(tbl)
 * tells the statement trigger tmac.audit_trigger that the next UPDATE of tbl
 * is recorded by the tmac function that runs it (tmac.end_grants_of writes
 * one entry for the grants a termination ends, built from the UPDATE's own
 * RETURNING rows instead of a comparison of 10,000 old and new rows); the
 * trigger takes the mark (tmac.audit_covered) and appends nothing.  The mark
 * lives here, not in a setting, so that nobody can set it but the extension
 * owner (the functions are executable by nobody else, and only the owner and
 * superusers may UPDATE tmac's tables at all, or disable their triggers); it
 * names one table, is taken once, and is
 * cleared at every transaction end and subtransaction abort, so an error
 * between setting and taking it never leaves a later statement unaudited.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "audit_chain.h"
#include "extension.h"
#include "owner_query.h"

/* This transaction's pending entries, parsed from tmac.audit_state. */
typedef struct PendingChain
{
	int64		base_id;
	bytea	   *base_hash;
	int64		last_id;
	bytea	   *last_hash;
} PendingChain;

static bytea *
hex_bytea(const char *hex)
{
	return DatumGetByteaPP(DirectFunctionCall2(binary_decode, CStringGetTextDatum(hex),
											   CStringGetTextDatum("hex")));
}

/*
 * True when this transaction appended entries that still have to be chained
 * for good; fills *chain.  The setting is transaction-local (set_config(…,
 * true)) and carries the top-level transaction id, as tmac.audit_append
 * checks; a state of another shape (a library newer than the installed
 * extension, whose SQL still locks the head itself) is left alone.
 */
static bool
pending_chain(PendingChain *chain)
{
	const char *state = GetConfigOption("tmac.audit_state", true, false);
	FullTransactionId top = GetTopFullTransactionIdIfAny();
	char	   *copy;
	char	   *fields[5];
	char	   *p;
	int			n = 0;

	if (state == NULL || state[0] == '\0' || !FullTransactionIdIsValid(top))
		return false;
	copy = pstrdup(state);
	for (p = copy; n < 5; n++)
	{
		fields[n] = p;
		p = strchr(p, ':');
		if (p == NULL)
		{
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n != 5 || p != NULL)
		return false;
	if (strcmp(fields[0], psprintf(UINT64_FORMAT, U64FromFullTransactionId(top))) != 0)
		return false;
	chain->base_id = pg_strtoint64(fields[1]);
	chain->base_hash = hex_bytea(fields[2]);
	chain->last_id = pg_strtoint64(fields[3]);
	chain->last_hash = hex_bytea(fields[4]);
	return chain->last_id > chain->base_id;
}

/* Reads one (bigint, bytea) row: the head. */
typedef struct Head
{
	bool		found;
	int64		last_id;
	bytea	   *last_hash;
} Head;

static void
read_head(SPITupleTable *rows, uint64 nrows, void *arg)
{
	Head	   *head = (Head *) arg;
	bool		isnull1,
				isnull2;
	Datum		id,
				hash;

	if (nrows != 1)
		return;
	id = SPI_getbinval(rows->vals[0], rows->tupdesc, 1, &isnull1);
	hash = SPI_getbinval(rows->vals[0], rows->tupdesc, 2, &isnull2);
	if (isnull1 || isnull2)
		return;
	head->found = true;
	head->last_id = DatumGetInt64(id);
	head->last_hash = DatumGetByteaPP(SPI_datumTransfer(hash, false, -1));	/* outlives SPI_finish */
}

/*
 * Moves the head from (from_id, from_hash) to (to_id, to_hash); false when
 * the head is elsewhere (another transaction committed entries).
 */
static bool
move_head(int64 from_id, bytea *from_hash, int64 to_id, bytea *to_hash)
{
	Oid			argtypes[4] = {INT8OID, BYTEAOID, INT8OID, BYTEAOID};
	Oid			types[2] = {INT8OID, BYTEAOID};
	Datum		values[4];
	Head		head = {false, 0, NULL};

	/* the head's trigger lets tmac's own writes through (saved in close_chain's GUC level) */
	(void) set_config_option("tmac.audit_writing", "on", PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	values[0] = Int64GetDatum(from_id);
	values[1] = PointerGetDatum(from_hash);
	values[2] = Int64GetDatum(to_id);
	values[3] = PointerGetDatum(to_hash);
	tmac_owner_query("UPDATE tmac.audit_head SET last_id = $3, last_hash = $4 "
					 "WHERE last_id = $1 AND last_hash = $2 RETURNING last_id, last_hash",
					 4, argtypes, values, 2, types, false, TMAC_SNAPSHOT_LATEST, read_head, &head);
	return head.found;
}

static void
close_chain(PendingChain *chain)
{
	const TmacExtension *ext = tmac_extension();
	Oid			head_rel;
	int			guc_level;
	Head		head = {false, 0, NULL};
	Oid			types[2] = {INT8OID, BYTEAOID};

	if (!ext->installed)
		return;
	head_rel = get_relname_relid("audit_head", ext->namespace_oid);
	if (!OidIsValid(head_rel))
		return;
	LockRelationOid(head_rel, ExclusiveLock);	/* until the commit is done */

	guc_level = NewGUCNestLevel();
	if (!move_head(chain->base_id, chain->base_hash, chain->last_id, chain->last_hash))
	{
		Oid			argtypes[3] = {INT8OID, INT8OID, BYTEAOID};
		Oid			hashtype[1] = {BYTEAOID};
		Datum		values[3];
		TmacOneValue last_hash;

		tmac_owner_query("SELECT last_id, last_hash FROM tmac.audit_head", 0, NULL, NULL,
						 2, types, false, TMAC_SNAPSHOT_LATEST, read_head, &head);
		if (!head.found)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("tmac.audit_head has no row"),
					 errdetail("The end of the audit chain is missing, so this transaction's audit entries cannot be chained."),
					 errhint("Restore tmac.audit_head from a dump, then check the log with tmac.verify_audit_log().")));
		values[0] = Int64GetDatum(chain->base_id);
		values[1] = Int64GetDatum(head.last_id);
		values[2] = PointerGetDatum(head.last_hash);
		tmac_owner_query("SELECT tmac.audit_rechain($1, $2, $3)", 3, argtypes, values,
						 1, hashtype, false, TMAC_SNAPSHOT_LATEST, tmac_read_one_value, &last_hash);
		if (!last_hash.found ||	/* (audit_rechain left tmac.audit_writing off) */
			!move_head(head.last_id, head.last_hash,
					   head.last_id + (chain->last_id - chain->base_id),
					   DatumGetByteaPP(last_hash.value)))
			elog(ERROR, "tmac: the audit chain's head moved while it was locked");
	}
	AtEOXact_GUC(true, guc_level);
}

/* The table whose next UPDATE its caller records itself (InvalidOid: none). */
static Oid	covered_relid = InvalidOid;

void
tmac_audit_chain_xact_callback(XactEvent event, void *arg)
{
	PendingChain chain;

	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT
		|| event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT
		|| event == XACT_EVENT_PREPARE)
		covered_relid = InvalidOid;
	if (event == XACT_EVENT_PRE_COMMIT)
	{
		if (pending_chain(&chain))
			close_chain(&chain);
	}
	else if (event == XACT_EVENT_PRE_PREPARE)
	{
		if (pending_chain(&chain) && tmac_extension_created_here())
			close_chain(&chain);
		else if (pending_chain(&chain))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot prepare a transaction that appended to tmac's audit log"),
					 errdetail("tmac chains the transaction's audit entries when it commits; a prepared transaction would hold the chain's lock until it is resolved."),
					 errhint("Run the statement in an ordinary transaction.")));
	}
}

/* A subtransaction that aborts takes the mark with it (set inside it or not). */
void
tmac_audit_chain_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		covered_relid = InvalidOid;
}

/* tmac.audit_cover_next_update(tbl): the next UPDATE of tbl is recorded by its caller. */
PG_FUNCTION_INFO_V1(tmac_audit_cover_next_update);
Datum
tmac_audit_cover_next_update(PG_FUNCTION_ARGS)
{
	covered_relid = PG_GETARG_OID(0);
	PG_RETURN_VOID();
}

/* tmac.audit_covered(tbl): true once, when the mark names tbl; clears it. */
PG_FUNCTION_INFO_V1(tmac_audit_covered);
Datum
tmac_audit_covered(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	bool		covered = OidIsValid(covered_relid) && covered_relid == relid;

	covered_relid = InvalidOid;
	PG_RETURN_BOOL(covered);
}

PG_FUNCTION_INFO_V1(tmac_audit_entry_pending);
Datum
tmac_audit_entry_pending(PG_FUNCTION_ARGS)
{
	TransactionId xmin = DatumGetTransactionId(PG_GETARG_DATUM(0));

	PG_RETURN_BOOL(TransactionIdIsNormal(xmin) && TransactionIdIsCurrentTransactionId(xmin));
}
