/*
 * login_gate.c — refuses the connections of terminated persons and persons on leave.
 *
 * A terminated person's login role is made NOLOGIN by the HR feed, but any
 * role with CREATEROLE can turn LOGIN back on, reset the password or add a
 * membership.  The gate is a ClientAuthentication_hook: after the password
 * (or whatever pg_hba.conf asks for) was accepted, a role that tmac says maps
 * to a terminated person, a person on leave or (with the setting
 * gate_prerequisites on) a person whose pledge or training lapsed is refused
 * with SQLSTATE 28000, whatever its LOGIN attribute says.
 *
 * The hook runs inside InitPostgres before the database is connected: only
 * shared catalogs are readable, so the decision comes from shared memory, a
 * table of (database, role, reason, since, refused count, last refusal).
 * The table lives in a DSA area created in place in the main shared memory
 * (tmac.login_gate_initial_entries entries fit there) and grows, by doubling,
 * into dynamic shared memory: there is no fixed capacity to fill, and a
 * company of 100,000 persons gated in three databases needs about 50 MB
 * (120 bytes an entry, 16 to 32 of index, and a quarter more of room).
 * The slots are dense; an open-addressing index keyed by role OID and by
 * mapped name (rebuilt at each change, which rewrites the file anyway) makes
 * the hook two probes, whatever the number of entries; a bit filter of the
 * same keys in the main shared memory lets a connection whose role is gated
 * nowhere through without attaching to the area at all.  The postmaster only
 * creates the area: the first backend after a (re)start attaches and loads
 * the file.
 * A role is gated only for connections to the database whose tmac
 * says so (it is a person there); a database without tmac has no entries.
 * Entries are keyed by the role's OID: a person's role is the role named by
 * tmac.person.login_role and the role recorded by OID when it was mapped
 * (login_role_oid), so renaming a terminated person's role opens nothing.
 * An entry also carries the name HR mapped the person to (login_role), and a
 * connection under that name is refused whatever role now has it: a role
 * created, or renamed, under a terminated person's name is refused at once,
 * not only once a recomputation has examined it.  A recorded role that was
 * dropped keeps its entry (by its dead OID) for its name.
 * A role may be gated in any number of databases: the hook looks up the
 * entry of the one database being connected to.  The bootstrap superuser is
 * never gated, so the DBA cannot lock themselves out; any other role, a
 * superuser included, is.
 *
 * Keeping the table true:
 *  - triggers on tmac.person, tmac.pledge, tmac.training_completion and
 *    tmac.setting note which login roles (by name or OID) or persons a
 *    transaction touched (tmac.login_gate_note); at PRE_COMMIT, under the
 *    database's gate lock (below), tmac.login_gate_wanted() computes their
 *    gate from the latest committed state plus the transaction's own changes.
 *  - One recomputation at a time in a database.  Before it computes, a
 *    transaction that noted something takes the gate lock of its database (a
 *    heavyweight ExclusiveLock, transaction-scoped, of an advisory class no
 *    SQL function can name, so no session can take it) and keeps it to its
 *    end: PostgreSQL releases a transaction's locks after its commit record,
 *    after it left the proc array (its changes visible to every new
 *    snapshot) and after the COMMIT or ABORT callback below.  The query
 *    reads with a snapshot taken after the lock was granted
 *    (GetLatestSnapshot(), owner_query.c), whatever the isolation level:
 *    login_gate_wanted and every function it calls are STABLE, so they read
 *    with that snapshot, never with a REPEATABLE READ transaction's own older
 *    one.  Why no gate is ever opened too early: every change that can move a
 *    role's gate is noted (persons, pledges and training are never deleted,
 *    settings are noted on any change; a role's rename or drop is met by the
 *    entry's OID and name keys, above), so
 *    every committed transaction that moved role r's gate examined r and held
 *    the lock.  Take the last of them, X.  Each one before X had committed
 *    and applied its gate (or aborted and undone it) before X was granted
 *    the lock, so X's snapshot holds its changes; none after X commits before
 *    X applied its own (they queue for the lock before computing).  So X
 *    computed r's gate from the committed state, which stays so until the
 *    next transaction that examines r, and the entry is what X applied: the
 *    gate at PRE_COMMIT (before the commit record), the opening at COMMIT,
 *    refusing more, never less, in between.  Only time moves a gate without
 *    a transaction (a lapse coming due): tmac.login_gate_sync() converges it.
 *    Locks are taken in one order: tmac.person in SHARE mode (a whole
 *    recomputation: an HR writer holding ROW EXCLUSIVE on it may be queued
 *    for the gate lock), the gate lock, then the audit chain's lock
 *    (audit_chain.c, whose PRE_COMMIT step runs after this file's: tmac.c
 *    registers it first); the computation only reads, and no code of the
 *    user's runs at PRE_COMMIT (deferred triggers ran before).  The cost: the
 *    commits that change one database's gate queue for one another as long
 *    as one computes, commits and applies (plus its audit re-chain, which
 *    already serialises audited commits).
 *  - Gate first, open after.  Still at PRE_COMMIT, under the gate's lock,
 *    every role the transaction gates (or gates for another reason) is gated
 *    in shared memory and written to the file before the commit record: room
 *    is reserved first (the one error, out of shared memory, comes before
 *    anything changed and before the commit), so a termination always
 *    commits gated, in any number of databases committing at once.  After
 *    the commit record (COMMIT) only what loosens is applied: gates opened or
 *    removed, reasons changed.  So a crash between the commit record and the
 *    callback, or in it, leaves the leaver gated after crash recovery (the
 *    file holds the entry); what it can leave is a gate that should have
 *    opened (a rehire, a return) or, for a crash between PRE_COMMIT and the
 *    commit record, one whose transaction never committed: both refuse too
 *    much, never too little, until tmac.login_gate_sync() (run by
 *    tmac.run_maintenance()) recomputes the database.
 *  - A gate set at PRE_COMMIT is pinned by its transaction until it ends: an
 *    abort undoes it unless a committed transaction confirmed it or another
 *    still pins it (the last pin undoes).  A second line behind the lock,
 *    for a transaction that would compute without it (none does): no
 *    transaction opens an entry that another pins, or that was gated or
 *    confirmed after it read the change counter, which it reads before its
 *    snapshot; a transaction's COMMIT callback counts the gates it confirms
 *    (it runs after the commit became visible), so one whose snapshot
 *    predates a tightening's commit never opens what that tightening gated.
 *    (This line alone would not stop two transactions that each computed
 *    "open" from a state without the other's change while both changes
 *    together gate: the lock does.)
 *  - tmac.login_gate_sync() (at CREATE EXTENSION, in tmac.run_maintenance()
 *    and by tmac_admin) recomputes every entry of the current database under
 *    a SHARE lock on tmac.person, so a lost file, a restored database or a
 *    lapse that merely came due converges.
 *  - DROP EXTENSION tmac and DROP DATABASE remove the database's entries.
 *  - the table is written to $PGDATA/tmac_login_gate (CRC-checked, written
 *    to a temporary file and moved with durable_rename) at every change, and
 *    loaded at startup, so a restart does not open the gate.  A refusal's
 *    count is appended to $PGDATA/tmac_login_gate.refusals (emptied at the
 *    next write of the file), so counts survive a restart without the
 *    postmaster, which cannot map the area's dynamic segments, writing it.
 *  - no recomputation at startup: what a crash can leave is a gate that
 *    refuses too much, which the maintenance job converges; a background
 *    worker connecting to every database at each start would add a moving
 *    part to fix what is already safe.
 *  - development builds (TMAC_DEV) have two fault-injection points:
 *    tmac.dev_crash_after_commit kills the backend right after the commit
 *    record of a transaction that changes the gate, and
 *    tmac.dev_fail_before_commit makes it fail once the gate was set
 *    (test/scripts/gate3_crash.sh).
 *
 * Every refused attempt is counted (tmac.login_gate_refusals()); an entry
 * whose gate opened again is kept while it has refusals, as evidence.
 */
#include "postgres.h"
#include "message_catalog.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "common/hashfn.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/dsa.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

#include "extension.h"
#include "login_gate.h"
#include "shared_file.h"
#include "owner_query.h"

#define GATE_FILE		"tmac_login_gate"
#define GATE_JOURNAL	"tmac_login_gate.refusals"
#define GATE_MAGIC		0x746D6C67	/* "tmlg" */
#define GATE_VERSION	2		/* 2: entries carry the mapped name */

/* the gate lock of a database: an advisory lock tag no SQL function can name */
#define GATE_LOCK_KEY1	0x746D6163	/* "tmac" */
#define GATE_LOCK_KEY2	0x67617465	/* "gate" */
#define GATE_LOCK_CLASS	0x746D		/* field4: pg_advisory_lock() uses 1 and 2 */

/* reasons; GATE_OPEN keeps an entry only for its refusal count */
#define GATE_OPEN		'\0'
#define GATE_TERMINATED	'T'
#define GATE_ON_LEAVE	'L'
#define GATE_PLEDGE		'P'
#define GATE_TRAINING	'R'

/* what an abort undoes of a gate a transaction set before its commit */
#define UNDO_NONE		'\0'	/* confirmed by a committed transaction */
#define UNDO_REMOVE		'r'		/* added before commit: remove it */
#define UNDO_OPEN		'o'		/* was open before: open it again */

/* an entry, as in the file too (GATE_VERSION 2) */
typedef struct GateEntry
{
	Oid			dbid;
	Oid			roleid;
	char		reason;
	TimestampTz since;			/* 0: not known */
	int64		refused;
	TimestampTz last_refused;	/* 0: never */
	NameData	name;			/* the name HR mapped the person to, refused
								 * too; empty: none */
} GateEntry;

/* an entry in shared memory */
typedef struct GateSlot
{
	GateEntry	e;
	int32		pins;			/* transactions between their PRE_COMMIT and
								 * their end that want it to gate */
	char		undo;			/* UNDO_*: what the last unpinning abort undoes */
	uint64		changed;		/* gate->seq when last gated or confirmed */
} GateSlot;

/* a refusal count, appended to GATE_JOURNAL by the hook */
typedef struct GateRefusal
{
	Oid			dbid;
	Oid			roleid;
	int64		refused;
	TimestampTz last_refused;
} GateRefusal;

/* a filter of the index's keys in the main shared memory (a clear bit: no entry) */
#define FILTER_BITS		(1 << 20)

typedef struct GateShared
{
	LWLock	   *lock;			/* everything below, and the files */
	int			dsa_tranche;
	bool		loaded;			/* the file was read into the area */
	int			nentries;		/* slots[0 .. nentries-1] are in use */
	int			capacity;		/* of slots */
	uint32		index_mask;		/* index has index_mask + 1 cells */
	uint32		index_keys;		/* cells in use (some stale: a renamed slot's) */
	uint64		seq;			/* counts gatings and tightenings */
	dsa_pointer slots;			/* GateSlot[capacity] */
	dsa_pointer index;			/* uint32[index_mask + 1]: slot + 1, 0 empty */
	Size		area_size;
	uint64		filter[FILTER_BITS / 64];	/* role_hash and name_hash of every slot */
	char		area[FLEXIBLE_ARRAY_MEMBER];	/* the DSA area, created in place */
} GateShared;

static GateShared *gate = NULL;
static bool gate_enabled = true;
static int	gate_initial_entries = 10000;
#ifdef TMAC_DEV
static bool dev_crash_after_commit = false;
static bool dev_fail_before_commit = false;
#endif

/* this backend's view of the area (valid while the lock is held: see map_gate) */
static dsa_area *area = NULL;
static GateSlot *slots = NULL;
static uint32 *gindex = NULL;

/* this transaction's notes (TopMemoryContext) */
static bool note_all = false;
static List *note_roles = NIL;	/* of char * */
static List *note_role_oids = NIL;	/* of Oid */
static List *note_persons = NIL;	/* of char * */
static List *forget_dbs = NIL;	/* of Oid */
static List *ack_roles = NIL;	/* of Oid: refusals acknowledged in this database */
static List *ack_levels = NIL;	/* of int: the subtransaction level of each */

/* computed at PRE_COMMIT, applied at COMMIT */
static bool pending = false;
static bool pending_full = false;
static bool pinned = false;		/* wanted[] are pinned in the gate */
static uint64 pending_seq = 0;	/* gate->seq before this transaction computed */
static Oid	pending_db = InvalidOid;
static int	n_examined = 0;
static Oid *examined = NULL;
static int	n_examined_names = 0;
static char **examined_names = NULL;	/* the noted names, sorted (of note_roles) */
static int	n_wanted = 0;
static GateEntry *wanted = NULL;	/* sorted by roleid, as examined */

/* bytes of the area for n entries: slots, an index of 4 cells each, room to grow once */
static Size
entries_size(int n)
{
	return add_size(mul_size(sizeof(GateSlot), n), mul_size(sizeof(uint32), mul_size(4, n)));
}

static Size
area_size(void)
{
	return add_size(dsa_minimum_size(), add_size(mul_size(entries_size(gate_initial_entries), 2), 8192));
}

static Size
gate_size(void)
{
	return add_size(MAXALIGN(offsetof(GateShared, area)), area_size());
}

void
tmac_login_gate_shmem_request(void)
{
	RequestAddinShmemSpace(gate_size());
	RequestNamedLWLockTranche("tmac_login_gate", 1);
}

/*
 * The reasons the gate refuses a role: the code an entry holds, the name SQL
 * gives it (tmac.login_gate_wanted), the sentence a refused login reads.
 */
static const struct
{
	char		code;
	const char *name;
	const char *sentence;
}			gate_reasons[] =
{
	{GATE_TERMINATED, "terminated", gettext_noop("the person it belongs to is terminated")},
	{GATE_ON_LEAVE, "on_leave", gettext_noop("the person it belongs to is on leave")},
	{GATE_PLEDGE, "pledge_lapsed", gettext_noop("the pledge of the person it belongs to has lapsed")},
	{GATE_TRAINING, "training_lapsed", gettext_noop("the training of the person it belongs to has lapsed")},
};

static char
reason_code(const char *reason)
{
	if (reason == NULL)
		return GATE_OPEN;
	for (int i = 0; i < lengthof(gate_reasons); i++)
		if (strcmp(reason, gate_reasons[i].name) == 0)
			return gate_reasons[i].code;
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("tmac: unknown login gate reason \"%s\"", reason),
			 errhint("The tmac extension is damaged; reinstall it.")));
	return GATE_OPEN;			/* keep compiler quiet */
}

/* The name of a reason, or NULL (open). */
static const char *
reason_name(char code)
{
	for (int i = 0; i < lengthof(gate_reasons); i++)
		if (gate_reasons[i].code == code)
			return gate_reasons[i].name;
	return NULL;
}

static const char *
reason_sentence(char code)
{
	for (int i = 0; i < lengthof(gate_reasons); i++)
		if (gate_reasons[i].code == code)
			return gate_reasons[i].sentence;
	return gettext_noop("the person it belongs to may not log in");
}

/* ---- the store: slots and their index in the DSA area ---- */

/* Attach this backend to the area (once; kept for the session). */
static void
attach_area(void)
{
	MemoryContext old;

	Assert(gate != NULL);
	if (area != NULL)
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	LWLockRegisterTranche(gate->dsa_tranche, "tmac_login_gate_area");
	area = dsa_attach_in_place(gate->area, NULL);
	dsa_pin_mapping(area);
	on_shmem_exit(dsa_on_shmem_exit_release_in_place, PointerGetDatum(gate->area));
	MemoryContextSwitchTo(old);
}

/* Resolve the slots and the index; after taking the lock (a growth moves them). */
static void
map_gate(void)
{
	slots = DsaPointerIsValid(gate->slots) ? dsa_get_address(area, gate->slots) : NULL;
	gindex = DsaPointerIsValid(gate->index) ? dsa_get_address(area, gate->index) : NULL;
}

static inline uint32
role_hash(Oid roleid)
{
	return murmurhash32(roleid);
}

static inline uint32
name_hash(const char *name)
{
	return hash_bytes((const unsigned char *) name, strlen(name)) ^ 0x5bd1e995;
}

static void
index_put(uint32 h, int i)
{
	gate->filter[(h % FILTER_BITS) / 64] |= UINT64CONST(1) << (h % 64);
	while (gindex[h & gate->index_mask] != 0)
		h++;
	gindex[h & gate->index_mask] = (uint32) i + 1;
	gate->index_keys++;
}

static void index_rebuild(void);

/*
 * Index a slot added at the end, or whose name changed (the old name's cell
 * stays, harmless: a lookup compares the slot's fields), without rebuilding;
 * rebuilt when half the cells are in use.
 */
static void
index_add(int i)
{
	if ((gate->index_keys + 2) * 2 > gate->index_mask + 1)
	{
		index_rebuild();
		return;
	}
	index_put(role_hash(slots[i].e.roleid), i);
	if (NameStr(slots[i].e.name)[0] != '\0')
		index_put(name_hash(NameStr(slots[i].e.name)), i);
}

static inline bool
filter_has(uint32 h)
{
	return (gate->filter[(h % FILTER_BITS) / 64] & (UINT64CONST(1) << (h % 64))) != 0;
}

/*
 * Rebuild the index of every slot, under its role and (if any) its mapped
 * name.  Linear probing without deletions: every slot put under a hash lies
 * between the hash's cell and the next empty one.
 */
static void
index_rebuild(void)
{
	int			i;

	memset(gate->filter, 0, sizeof(gate->filter));
	gate->index_keys = 0;
	if (gindex == NULL)
		return;
	memset(gindex, 0, sizeof(uint32) * ((Size) gate->index_mask + 1));
	for (i = 0; i < gate->nentries; i++)
	{
		index_put(role_hash(slots[i].e.roleid), i);
		if (NameStr(slots[i].e.name)[0] != '\0')
			index_put(name_hash(NameStr(slots[i].e.name)), i);
	}
}

/*
 * Room for n entries, or ERROR (before anything changed): the area grows in
 * dynamic shared memory, to n and a quarter more (every change rebuilds the
 * index and rewrites the file anyway, so growing by more saves nothing).
 * Exclusive lock held.
 */
static void
gate_reserve(int n)
{
	int			cap;
	uint32		cells = 64;
	dsa_pointer ns,
				ni;

	if (n <= gate->capacity)
		return;
	cap = n + n / 4 + 64;
	while (cells < (uint32) cap * 4)
		cells *= 2;
	ns = dsa_allocate_extended(area, sizeof(GateSlot) * (Size) cap, DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM);
	ni = DsaPointerIsValid(ns) ?
		dsa_allocate_extended(area, sizeof(uint32) * (Size) cells, DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM) :
		InvalidDsaPointer;
	if (!DsaPointerIsValid(ni))
	{
		if (DsaPointerIsValid(ns))
			dsa_free(area, ns);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("tmac's login gate cannot grow to %d entries", cap),
				 errdetail("The server has no shared memory left for %zu more bytes; nothing was committed.",
						   sizeof(GateSlot) * (Size) cap + sizeof(uint32) * (Size) cells),
				 errhint("Free memory (or raise the limits on dynamic shared memory) and run the transaction again.")));
	}
	if (gate->nentries > 0)
		memcpy(dsa_get_address(area, ns), slots, sizeof(GateSlot) * gate->nentries);
	if (DsaPointerIsValid(gate->slots))
		dsa_free(area, gate->slots);
	if (DsaPointerIsValid(gate->index))
		dsa_free(area, gate->index);
	gate->slots = ns;
	gate->index = ni;
	gate->capacity = cap;
	gate->index_mask = cells - 1;
	map_gate();
	index_rebuild();
	ereport(LOG,
			(errmsg("tmac: the login gate has room for %d entries (%zu kB of shared memory)",
					cap, (sizeof(GateSlot) * (Size) cap + sizeof(uint32) * (Size) cells) / 1024)));
}

/*
 * Write the entries to GATE_FILE (through its temporary file, shared_file.c),
 * then empty the refusal journal (the file holds the counts now).  Never
 * raises: it runs in the commit and abort callbacks.  The caller holds the lock.
 */
static void
gate_write_file(void)
{
	TmacFileWriter w;
	GateEntry	buf[256];
	int32		nentries = gate->nentries;
	int			i,
				n = 0;

	tmac_file_write_begin(&w, GATE_FILE, gettext_noop("login gate"), GATE_MAGIC, GATE_VERSION);
	tmac_file_write(&w, &nentries, sizeof(nentries));
	for (i = 0; i < gate->nentries; i++)
	{
		memset(&buf[n], 0, sizeof(GateEntry));	/* no stray padding on disk */
		buf[n].dbid = slots[i].e.dbid;
		buf[n].roleid = slots[i].e.roleid;
		buf[n].reason = slots[i].e.reason;
		buf[n].since = slots[i].e.since;
		buf[n].refused = slots[i].e.refused;
		buf[n].last_refused = slots[i].e.last_refused;
		buf[n].name = slots[i].e.name;
		if (++n == lengthof(buf) || i == gate->nentries - 1)
		{
			tmac_file_write(&w, buf, sizeof(GateEntry) * n);
			n = 0;
		}
	}
	if (!tmac_file_write_end(&w))
		ereport(WARNING,
				(errmsg("tmac: the login gate is in force but would not survive a restart"),
				 errhint("tmac.login_gate_sync() restores it.")));
	else if (unlink(GATE_JOURNAL) != 0 && errno != ENOENT)
		ereport(LOG,
				(errcode_for_file_access(),
				 errmsg("tmac: could not remove file \"%s\": %m", GATE_JOURNAL)));
}

static int	find_entry(Oid dbid, Oid roleid);

/* Apply the refusal counts appended since the file was written (the larger count wins). */
static void
gate_read_journal(void)
{
	GateRefusal r;
	int			fd = BasicOpenFile(GATE_JOURNAL, O_RDONLY | PG_BINARY);

	if (fd < 0)
		return;
	while (read(fd, &r, sizeof(r)) == sizeof(r))
	{
		int			i = find_entry(r.dbid, r.roleid);

		if (i < 0)
			continue;
		slots[i].e.refused = Max(slots[i].e.refused, r.refused);
		slots[i].e.last_refused = Max(slots[i].e.last_refused, r.last_refused);
	}
	close(fd);
}

/* Append a refusal count (cheap, not synced: the count is evidence, not a gate). */
static void
gate_append_journal(const GateEntry *e)
{
	GateRefusal r;
	int			fd = BasicOpenFile(GATE_JOURNAL, O_WRONLY | O_CREAT | O_APPEND | PG_BINARY);

	if (fd < 0)
		return;
	r.dbid = e->dbid;
	r.roleid = e->roleid;
	r.refused = e->refused;
	r.last_refused = e->last_refused;
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		ereport(LOG,
				(errcode_for_file_access(),
				 errmsg("tmac: could not write file \"%s\": %m", GATE_JOURNAL)));
	close(fd);
}

/*
 * Load GATE_FILE into the (empty) area; a missing file is an empty gate.
 * Exclusive lock held; raises only when the area cannot hold the file (the
 * gate then stays unloaded, and every connection but the bootstrap
 * superuser's is refused until it can).
 */
static void
gate_read_file(void)
{
	TmacFileReader r;
	int32		nentries = 0;
	GateEntry  *buf = NULL;
	Size		len = 0;
	int			i;

	if (!tmac_file_read_begin(&r, GATE_FILE, gettext_noop("login gate"), GATE_MAGIC, GATE_VERSION, GATE_VERSION))
		return;
	if (tmac_file_read(&r, &nentries, sizeof(nentries)) && nentries >= 0 && nentries <= 50000000)
	{
		len = sizeof(GateEntry) * nentries;
		buf = (GateEntry *) palloc_extended(len + 1, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
		if (buf == NULL)
			r.ok = false;
		else
			tmac_file_read(&r, buf, len);
	}
	else
		r.ok = false;
	if (!tmac_file_read_end(&r, GATE_VERSION,
							tmac_translate(gettext_noop("Run SELECT tmac.login_gate_sync(); in every database with tmac to rebuild the gate."))))
	{
		if (buf)
			pfree(buf);
		return;
	}
	gate_reserve(nentries);
	for (i = 0; i < nentries; i++)
	{
		memset(&slots[i], 0, sizeof(GateSlot));
		slots[i].e = buf[i];
	}
	gate->nentries = nentries;
	pfree(buf);
	index_rebuild();
	gate_read_journal();
}

/*
 * Attach, and load the file into the area if this is the first backend since
 * the server (re)started: the postmaster only creates the area, it cannot
 * grow one.
 */
static void
gate_ready(void)
{
	attach_area();
	if (!gate->loaded)
	{
		LWLockAcquire(gate->lock, LW_EXCLUSIVE);
		map_gate();
		if (!gate->loaded)
		{
			gate_read_file();
			gate->loaded = true;
		}
		LWLockRelease(gate->lock);
	}
}

void
tmac_login_gate_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	gate = ShmemInitStruct("tmac login gate", gate_size(), &found);
	if (!found)
	{
		dsa_area   *a;

		memset(gate, 0, offsetof(GateShared, area));
		gate->lock = &(GetNamedLWLockTranche("tmac_login_gate"))->lock;
		gate->dsa_tranche = LWLockNewTrancheId();
		gate->area_size = area_size();
		gate->slots = InvalidDsaPointer;
		gate->index = InvalidDsaPointer;
		a = dsa_create_in_place(gate->area, gate->area_size, gate->dsa_tranche, NULL);
		dsa_pin(a);
		dsa_detach(a);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* ---- keeping the table true ---- */

/* Free a list (its cells' pointees too when deep) and leave it empty. */
static void
free_list(List **l, bool deep)
{
	if (deep)
		list_free_deep(*l);
	else
		list_free(*l);
	*l = NIL;
}

static void
forget_notes(void)
{
	note_all = false;
	free_list(&note_roles, true);
	free_list(&note_role_oids, false);
	free_list(&note_persons, true);
	free_list(&forget_dbs, false);
	free_list(&ack_roles, false);
	free_list(&ack_levels, false);
	pending = false;
	pending_full = false;
	pinned = false;
	n_examined = n_wanted = 0;
	if (examined)
		pfree(examined);
	if (examined_names)
		pfree(examined_names);
	examined_names = NULL;
	n_examined_names = 0;
	if (wanted)
		pfree(wanted);
	examined = NULL;
	wanted = NULL;
}

static bool
have_notes(void)
{
	return note_all || note_roles != NIL || note_role_oids != NIL || note_persons != NIL;
}

/*
 * Along the index's probe sequence from hash h, the first slot whose role is
 * roleid (user_name NULL) or whose name is user_name, and that is for dbid;
 * gating: that is not open and is for dbid or, with dbid InvalidOid, for any
 * database.  -1 when the sequence ends first.  Lock held, map_gate() done.
 */
static int
probe(uint32 h, Oid dbid, Oid roleid, const char *user_name, bool gating)
{
	if (gindex == NULL)
		return -1;
	for (;; h++)
	{
		uint32		v = gindex[h & gate->index_mask];
		const GateEntry *e;

		if (v == 0)
			return -1;
		e = &slots[v - 1].e;
		if ((user_name != NULL ? strcmp(NameStr(e->name), user_name) == 0 : e->roleid == roleid) &&
			(gating ? e->reason != GATE_OPEN && (!OidIsValid(dbid) || e->dbid == dbid) : e->dbid == dbid))
			return (int) v - 1;
	}
}

/* The slot of (dbid, roleid), or -1. */
static int
find_entry(Oid dbid, Oid roleid)
{
	return probe(role_hash(roleid), dbid, roleid, NULL, false);
}

/*
 * The slot that refuses a connection as roleid under user_name to dbid (any
 * database: InvalidOid), or -1: the role's own, else one that gates the name.
 * Two probes of the index, whatever the number of entries.
 */
static int
find_gating_entry(Oid dbid, Oid roleid, const char *user_name)
{
	int			i = probe(role_hash(roleid), dbid, roleid, NULL, true);

	return i >= 0 ? i : probe(name_hash(user_name), dbid, InvalidOid, user_name, true);
}

/* Remove a slot (the last one moves into it); the caller rebuilds the index. */
static void
remove_entry(int i)
{
	gate->nentries--;
	if (i != gate->nentries)
		slots[i] = slots[gate->nentries];
}

static int
entry_role_cmp(const void *a, const void *b)
{
	return oid_cmp(&((const GateEntry *) a)->roleid, &((const GateEntry *) b)->roleid);
}

static bool
examined_role(Oid roleid)
{
	return n_examined > 0 &&
		bsearch(&roleid, examined, n_examined, sizeof(Oid), oid_cmp) != NULL;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Was an entry's name noted?  Then its person was examined: an entry that
 * gates the name but whose role was not examined is no longer wanted (a
 * squatter's, dropped since), and must not keep refusing the name.
 */
static bool
examined_name(const NameData *name)
{
	const char *key = NameStr(*name);

	return n_examined_names > 0 && key[0] != '\0' &&
		bsearch(&key, examined_names, n_examined_names, sizeof(char *), name_cmp) != NULL;
}

/* index in wanted[] of the role, or -1 */
static int
wanted_index(Oid roleid)
{
	GateEntry	key;
	GateEntry  *w;

	if (n_wanted == 0)
		return -1;
	key.roleid = roleid;
	w = bsearch(&key, wanted, n_wanted, sizeof(GateEntry), entry_role_cmp);
	return w ? (int) (w - wanted) : -1;
}

static void
gate_reader(SPITupleTable *rows, uint64 nrows, void *arg)
{
	uint64		r;

	examined = MemoryContextAllocZero(TopMemoryContext, sizeof(Oid) * (nrows + 1));
	wanted = MemoryContextAllocZero(TopMemoryContext, sizeof(GateEntry) * (nrows + 1));
	for (r = 0; r < nrows; r++)
	{
		HeapTuple	tup = rows->vals[r];
		TupleDesc	desc = rows->tupdesc;
		bool		isnull;
		Datum		d;
		Oid			roleid;
		char		code;

		d = SPI_getbinval(tup, desc, 1, &isnull);
		if (isnull)
			continue;
		roleid = DatumGetObjectId(d);
		examined[n_examined++] = roleid;
		d = SPI_getbinval(tup, desc, 2, &isnull);
		code = isnull ? GATE_OPEN : reason_code(TextDatumGetCString(d));
		if (code == GATE_OPEN)
			continue;
		wanted[n_wanted].dbid = MyDatabaseId;
		wanted[n_wanted].roleid = roleid;
		wanted[n_wanted].reason = code;
		d = SPI_getbinval(tup, desc, 3, &isnull);
		wanted[n_wanted].since = isnull ? 0 : DatumGetTimestampTz(d);
		d = SPI_getbinval(tup, desc, 4, &isnull);
		if (!isnull)
			namestrcpy(&wanted[n_wanted].name, NameStr(*DatumGetName(d)));
		n_wanted++;
	}
	/* sorted for bsearch, one entry per role */
	qsort(examined, n_examined, sizeof(Oid), oid_cmp);
	qsort(wanted, n_wanted, sizeof(GateEntry), entry_role_cmp);
	if (n_wanted > 1)
	{
		int			i,
					k = 1;

		for (i = 1; i < n_wanted; i++)
			if (wanted[i].roleid != wanted[k - 1].roleid)
				wanted[k++] = wanted[i];
		n_wanted = k;
	}
}

/* A text[] of a List of char *, or (elemtype OIDOID) an oid[] of a List of Oid. */
static Datum
list_array(List *items, Oid elemtype)
{
	int			n = list_length(items);
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, items)
		elems[i++] = elemtype == OIDOID ? ObjectIdGetDatum(lfirst_oid(lc))
			: CStringGetTextDatum((char *) lfirst(lc));
	if (elemtype == OIDOID)
		return PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Take the gate lock of this database until the transaction ends (after the
 * COMMIT or ABORT callback).  A heavyweight lock, so that a waiter is seen
 * by the deadlock detector, lock_timeout and pg_locks; of an advisory class
 * (field4) that pg_advisory_lock() and its kin never use (they use 1 and 2),
 * so no session can take it, or hold it to stall every HR change.
 */
static void
lock_database_gate(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, GATE_LOCK_KEY1, GATE_LOCK_KEY2, GATE_LOCK_CLASS);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/*
 * PRE_COMMIT: compute the gate of every noted role of this database, as the
 * latest committed state plus this transaction's changes say.  May raise.
 */
static void
gate_precommit(void)
{
	const TmacExtension *ext;
	Oid			argtypes[4] = {TEXTARRAYOID, TEXTARRAYOID, BOOLOID, OIDARRAYOID};
	Oid			types[4] = {OIDOID, TEXTOID, TIMESTAMPTZOID, NAMEOID};
	Datum		args[4];
	int			i,
				added = 0;
	bool		installed;

	gate_ready();

	CommandCounterIncrement();	/* the last statement's own changes */

	/*
	 * Asked of the catalog, not of extension.c's answer: that one can be
	 * from before the extension's row was deleted in this transaction.
	 */
	installed = OidIsValid(get_extension_oid("tmac", true));
	/* DROP EXTENSION tmac in a subtransaction that rolled back: keep the entries */
	if (installed && list_member_oid(forget_dbs, MyDatabaseId))
		forget_dbs = list_delete_oid(forget_dbs, MyDatabaseId);
	if (!have_notes() || !installed)
		return;
	Assert(gate != NULL);
	ext = tmac_extension_required();

	if (note_all)
	{
		/*
		 * No HR change may commit between this query and our COMMIT (taken
		 * before the database's gate lock: an HR writer that holds its ROW
		 * EXCLUSIVE lock on the table may be waiting for that one).
		 */
		Oid			person = get_relname_relid("person", ext->namespace_oid);

		if (OidIsValid(person))
			LockRelationOid(person, ShareLock);
	}

	/*
	 * Compute, gate, commit and apply under the database's gate lock (see
	 * the header): every transaction that recomputed the gate of this
	 * database before has committed (or aborted) and applied its gate, and
	 * the snapshot below, taken after the wait, sees its changes.  The
	 * counter is read before that snapshot: whatever gates after it is newer.
	 */
	lock_database_gate();
	LWLockAcquire(gate->lock, LW_SHARED);
	pending_seq = gate->seq;
	LWLockRelease(gate->lock);

	args[0] = list_array(note_all ? NIL : note_roles, TEXTOID);
	args[1] = list_array(note_all ? NIL : note_persons, TEXTOID);
	args[2] = BoolGetDatum(note_all);
	args[3] = list_array(note_all ? NIL : note_role_oids, OIDOID);
	tmac_owner_query("SELECT w.role_oid, w.reason, w.since, w.role_name FROM tmac.login_gate_wanted($1, $2, $3, $4) w",
					 4, argtypes, args, 4, types, true, TMAC_SNAPSHOT_LATEST,
					 gate_reader, NULL);

	if (!note_all && note_roles != NIL)
	{
		ListCell   *lc;

		examined_names = MemoryContextAlloc(TopMemoryContext, sizeof(char *) * list_length(note_roles));
		foreach(lc, note_roles)
			examined_names[n_examined_names++] = (char *) lfirst(lc);
		qsort(examined_names, n_examined_names, sizeof(char *), name_cmp);
	}

	/*
	 * Gate first: before the commit record, every role this transaction
	 * gates (or gates for another reason) is gated in shared memory and in
	 * the file, pinned so that no other transaction opens it meanwhile.  The
	 * room is reserved here, so the commit callback never needs any; an abort
	 * undoes what no committed transaction confirmed.
	 */
	LWLockAcquire(gate->lock, LW_EXCLUSIVE);
	map_gate();
	for (i = 0; i < n_wanted; i++)
		if (find_entry(MyDatabaseId, wanted[i].roleid) < 0)
			added++;
	gate_reserve(gate->nentries + added);	/* may raise: nothing changed yet */
	pending = true;
	pending_full = note_all;
	pending_db = MyDatabaseId;
	pinned = true;
	added = 0;
	for (i = 0; i < n_wanted; i++)
	{
		int			k = find_entry(MyDatabaseId, wanted[i].roleid);
		GateSlot   *sl;

		if (k < 0)
		{
			sl = &slots[gate->nentries++];
			memset(sl, 0, sizeof(GateSlot));
			sl->e = wanted[i];
			sl->undo = UNDO_REMOVE;
			sl->changed = ++gate->seq;
			index_add(gate->nentries - 1);
			added++;
		}
		else
		{
			sl = &slots[k];
			if (sl->e.reason == GATE_OPEN)
			{
				bool		renamed = strcmp(NameStr(sl->e.name), NameStr(wanted[i].name)) != 0;

				sl->e.reason = wanted[i].reason;
				sl->e.since = wanted[i].since;
				sl->e.name = wanted[i].name;
				if (sl->undo == UNDO_NONE)
					sl->undo = UNDO_OPEN;
				sl->changed = ++gate->seq;
				if (renamed)
					index_add(k);
				added++;
			}
		}
		sl->pins++;
	}
	if (added > 0)
		gate_write_file();
	LWLockRelease(gate->lock);
#ifdef TMAC_DEV
	/* fault injection (development builds only): the transaction aborts after the gate was set */
	if (dev_fail_before_commit)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("tmac: tmac.dev_fail_before_commit: failing after the login gate was set")));
#endif
}

/*
 * COMMIT: after the commit record, apply what PRE_COMMIT computed and did not
 * apply yet: gates opened or removed, reasons changed.  An entry that another
 * transaction gated after this one computed (or still pins) is left gated.
 * No catalog access, no allocation, never raises.
 */
static void
gate_commit(void)
{
	ListCell   *lc;
	int			i;
	bool		changed = false;

	if (!pending && forget_dbs == NIL && ack_roles == NIL)
		return;
	if (area == NULL)
		return;					/* never attached: nothing of ours to apply */
	LWLockAcquire(gate->lock, LW_EXCLUSIVE);
	map_gate();
	foreach(lc, ack_roles)
	{
		i = find_entry(MyDatabaseId, lfirst_oid(lc));
		if (i < 0)
			continue;
		slots[i].e.refused = 0;
		slots[i].e.last_refused = 0;
		if (slots[i].e.reason == GATE_OPEN && slots[i].pins == 0)
		{
			remove_entry(i);
			index_rebuild();
		}
		changed = true;
	}
	foreach(lc, forget_dbs)
	{
		Oid			db = lfirst_oid(lc);

		for (i = gate->nentries - 1; i >= 0; i--)
			if (slots[i].e.dbid == db)
			{
				remove_entry(i);
				changed = true;
			}
	}
	if (pending)
	{
		/* entries in scope: kept with the new reason, opened, or removed */
		for (i = gate->nentries - 1; i >= 0; i--)
		{
			GateSlot   *sl = &slots[i];
			int			w;

			if (sl->e.dbid != pending_db ||
				!(pending_full || examined_role(sl->e.roleid) || examined_name(&sl->e.name)))
				continue;
			w = wanted_index(sl->e.roleid);
			if (w >= 0)
			{
				/*
				 * Set after this transaction computed: by its own gating at
				 * PRE_COMMIT (then as it wants it already), or by another.
				 */
				bool		newer = sl->changed > pending_seq;

				/*
				 * Pinned at PRE_COMMIT: confirmed now (pins are not in the
				 * file), and counted as a gating, so that a transaction that
				 * computed before this commit never opens it.
				 */
				if (pinned && sl->pins > 0)
					sl->pins--;
				sl->undo = UNDO_NONE;
				sl->changed = ++gate->seq;
				if (newer ||
					(sl->e.reason == wanted[w].reason && sl->e.since != 0 &&
					 strcmp(NameStr(sl->e.name), NameStr(wanted[w].name)) == 0))
					continue;	/* as this transaction wants it, or gated since */
				if (sl->e.reason != wanted[w].reason || sl->e.since == 0)
					sl->e.since = wanted[w].since;
				sl->e.reason = wanted[w].reason;
				sl->e.name = wanted[w].name;
			}
			else if (sl->pins > 0 || sl->changed > pending_seq)
				continue;		/* another transaction gates it: never opened here */
			else if (sl->e.refused > 0)
				sl->e.reason = GATE_OPEN;
			else
				remove_entry(i);
			changed = true;
		}
	}
	if (changed)
	{
		index_rebuild();
		gate_write_file();
	}
	LWLockRelease(gate->lock);
}

/*
 * ABORT after PRE_COMMIT gated: unpin, and undo the gates no committed
 * transaction confirmed (the last pin undoes).  Never raises.
 */
static void
gate_abort(void)
{
	int			i;
	bool		changed = false;

	if (!pinned || area == NULL)
		return;
	LWLockAcquire(gate->lock, LW_EXCLUSIVE);
	map_gate();
	for (i = 0; i < n_wanted; i++)
	{
		int			k = find_entry(pending_db, wanted[i].roleid);
		GateSlot   *sl;

		if (k < 0)
			continue;
		sl = &slots[k];
		if (sl->pins > 0)
			sl->pins--;
		if (sl->pins > 0 || sl->undo == UNDO_NONE)
			continue;
		if (sl->undo == UNDO_REMOVE && sl->e.refused == 0)
		{
			remove_entry(k);
			index_rebuild();
		}
		else
		{
			sl->e.reason = GATE_OPEN;
			sl->undo = UNDO_NONE;
		}
		changed = true;
	}
	if (changed)
	{
		index_rebuild();
		gate_write_file();
	}
	LWLockRelease(gate->lock);
}

/*
 * An acknowledgement made in a subtransaction that rolls back is forgotten
 * with its audit entry.  (Notes are kept: they only ask for a recomputation,
 * which reads what was committed.  A DROP EXTENSION that rolled back is
 * recognised at PRE_COMMIT.)
 */
void
tmac_login_gate_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								 SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	List	   *roles = NIL,
			   *levels = NIL;
	ListCell   *r,
			   *l;
	MemoryContext old;

	if (ack_roles == NIL || (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB))
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	forboth(r, ack_roles, l, ack_levels)
	{
		int			at = lfirst_int(l);

		if (at >= level && event == SUBXACT_EVENT_ABORT_SUB)
			continue;
		roles = lappend_oid(roles, lfirst_oid(r));
		levels = lappend_int(levels, at >= level ? level - 1 : at);
	}
	MemoryContextSwitchTo(old);
	list_free(ack_roles);
	list_free(ack_levels);
	ack_roles = roles;
	ack_levels = levels;
}

void
tmac_login_gate_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (have_notes() || forget_dbs != NIL)
				gate_precommit();
			break;
		case XACT_EVENT_COMMIT:
#ifdef TMAC_DEV
			/* fault injection (development builds only): die between the commit record and the gate's update */
			if (dev_crash_after_commit && pending)
			{
				ereport(LOG,
						(errmsg("tmac: tmac.dev_crash_after_commit: crashing after the commit record")));
				(void) kill(MyProcPid, SIGKILL);
				pg_usleep(10000000L);
			}
#endif
			gate_commit();
			forget_notes();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			gate_abort();
			forget_notes();
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (have_notes() || forget_dbs != NIL || ack_roles != NIL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot prepare a transaction that changes tmac's login gate"),
						 errdetail("tmac updates the login gate when the transaction commits, which a prepared transaction cannot do."),
						 errhint("Change persons, pledges, training and settings in an ordinary transaction.")));
			break;
		default:
			break;
	}
}

void
tmac_login_gate_init(void)
{
	DefineCustomBoolVariable("tmac.login_gate",
							 "Refuses connections of login roles whose person is terminated, on leave or (gate_prerequisites) lapsed.",
							 NULL, &gate_enabled, true, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("tmac.login_gate_initial_entries",
							"Entries of tmac's login gate held in the main shared memory; beyond them the gate grows in dynamic shared memory.",
							NULL, &gate_initial_entries, 10000, 16, 10000000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
#ifdef TMAC_DEV
	DefineCustomBoolVariable("tmac.dev_crash_after_commit",
							 "Development builds only: a transaction that changes the login gate kills its backend right after its commit record.",
							 NULL, &dev_crash_after_commit, false, PGC_SUSET,
							 GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL, NULL, NULL, NULL);
	DefineCustomBoolVariable("tmac.dev_fail_before_commit",
							 "Development builds only: a transaction that changes the login gate fails right after the gate was set, before its commit record.",
							 NULL, &dev_fail_before_commit, false, PGC_SUSET,
							 GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL, NULL, NULL, NULL);
#endif
}

/* DROP EXTENSION tmac and DROP DATABASE forget the database's entries at commit. */
void
tmac_login_gate_object_access(ObjectAccessType access, Oid classId, Oid objectId)
{
	MemoryContext old;
	Oid			db = InvalidOid;

	if (access != OAT_DROP)
		return;
	Assert(gate != NULL);
	if (classId == DatabaseRelationId)
		db = objectId;
	else if (classId == ExtensionRelationId)
	{
		char	   *name = get_extension_name(objectId);

		if (name != NULL && strcmp(name, "tmac") == 0)
			db = MyDatabaseId;
	}
	if (!OidIsValid(db))
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	forget_dbs = list_append_unique_oid(forget_dbs, db);
	MemoryContextSwitchTo(old);
}

/* ---- the gate ---- */

/* pg_database's OID of a name, before the relcache is fully built (as postinit.c). */
static Oid
database_oid(const char *name)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			db = InvalidOid;

	ScanKeyInit(&key, Anum_pg_database_datname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum(name));
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = systable_beginscan(rel, DatabaseNameIndexId, criticalSharedRelcachesBuilt,
							  NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		db = ((Form_pg_database) GETSTRUCT(tup))->oid;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return db;
}

void
tmac_login_gate_client_auth(Port *port, int status)
{
	Oid			roleid;
	bool		gated = false;
	int			i;
	Oid			db;
	char		reason = GATE_OPEN;
	TimestampTz since = 0;

	Assert(gate != NULL);
	if (status != STATUS_OK || !gate_enabled || (gate->loaded && gate->nentries == 0))
		return;
	roleid = get_role_oid(port->user_name, true);
	if (!OidIsValid(roleid) || roleid == BOOTSTRAP_SUPERUSERID)
		return;

	/* gated nowhere (the filter, under the lock: it is rebuilt with the index) */
	LWLockAcquire(gate->lock, LW_SHARED);
	gated = !gate->loaded || filter_has(role_hash(roleid)) || filter_has(name_hash(port->user_name));
	LWLockRelease(gate->lock);
	if (!gated)
		return;
	gate_ready();				/* the first connection after a start loads the file */

	/*
	 * Is the role gated anywhere?  Only then is pg_database read (not under
	 * the lock), and the entry of the database being connected to looked up
	 * below, however many databases gate the role.
	 */
	LWLockAcquire(gate->lock, LW_SHARED);
	map_gate();
	gated = find_gating_entry(InvalidOid, roleid, port->user_name) >= 0;
	LWLockRelease(gate->lock);
	if (!gated)
		return;
	db = database_oid(port->database_name);
	if (!OidIsValid(db))
		return;
	LWLockAcquire(gate->lock, LW_SHARED);
	map_gate();
	gated = find_gating_entry(db, roleid, port->user_name) >= 0;
	LWLockRelease(gate->lock);
	if (!gated)
		return;					/* gated in other databases only */

	/* count the attempt, then refuse */
	LWLockAcquire(gate->lock, LW_EXCLUSIVE);
	map_gate();
	i = find_gating_entry(db, roleid, port->user_name);
	if (i >= 0)
	{
		slots[i].e.refused++;
		slots[i].e.last_refused = GetCurrentTimestamp();
		reason = slots[i].e.reason;
		since = slots[i].e.since;
		gate_append_journal(&slots[i].e);
	}
	LWLockRelease(gate->lock);
	if (reason == GATE_OPEN)
		return;					/* opened meanwhile */
	ereport(FATAL,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("role \"%s\" may not connect to database \"%s\": %s",
					port->user_name, port->database_name,
					tmac_translate(reason_sentence(reason))),
			 since != 0 ?
			 errdetail("tmac's login gate refuses this role since %s, whatever its LOGIN attribute, password or memberships say.",
					   timestamptz_to_str(since)) :
			 errdetail("tmac's login gate refuses this role, whatever its LOGIN attribute, password or memberships say."),
			 errhint("The attempt was recorded. The gate opens when the HR feed records a return or a rehire.")));
}

/* ---- SQL interface ---- */

/* True when the gate holds an entry of the current database. */
static bool
database_has_entries(void)
{
	bool		found = false;
	int			i;

	gate_ready();
	LWLockAcquire(gate->lock, LW_SHARED);
	map_gate();
	for (i = 0; i < gate->nentries && !found; i++)
		found = slots[i].e.dbid == MyDatabaseId;
	LWLockRelease(gate->lock);
	return found;
}

/*
 * Trigger: note the login role (arguments 'login_role', by name, and
 * 'login_role_oid', by OID) or person (argument 'person_id') of each changed
 * row, old and new, or everything (no argument, or a statement trigger), for
 * the gate to be recomputed at commit.
 */
PG_FUNCTION_INFO_V1(tmac_login_gate_note);
Datum
tmac_login_gate_note(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tuples[2];
	int			a;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.login_gate_note() must be called as a trigger")));
	/*
	 * CREATE EXTENSION tmac's own script (the noted table was created in this
	 * transaction): the database has no person yet, so it has no gate to
	 * recompute, and a Citus coordinator propagates the command to its
	 * workers in a prepared transaction, which a note would refuse.
	 */
	if (creating_extension && tmac_extension_created_here())
		return PointerGetDatum(NULL);
	if (td->tg_trigger->tgnargs < 1 || TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
	{
		note_all = true;
		return PointerGetDatum(NULL);
	}
	tuples[0] = td->tg_trigtuple;
	tuples[1] = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : NULL;
	for (a = 0; a < td->tg_trigger->tgnargs; a++)
	{
		const char *column = td->tg_trigger->tgargs[a];
		int			attnum = SPI_fnumber(td->tg_relation->rd_att, column);
		bool		by_oid = strcmp(column, "login_role_oid") == 0;
		int			i;

		if (attnum <= 0 || (by_oid && TupleDescAttr(td->tg_relation->rd_att, attnum - 1)->atttypid != OIDOID))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 by_oid ?
					 errmsg("tmac.login_gate_note(): table \"%s\" has no column \"%s\" of type oid",
							RelationGetRelationName(td->tg_relation), column) :
					 errmsg("tmac.login_gate_note(): table \"%s\" has no column \"%s\"",
							RelationGetRelationName(td->tg_relation), column)));
		for (i = 0; i < 2; i++)
		{
			MemoryContext old;

			if (tuples[i] == NULL)
				continue;
			if (by_oid)
			{
				bool		isnull;
				Datum		d = SPI_getbinval(tuples[i], td->tg_relation->rd_att, attnum, &isnull);

				if (isnull)
					continue;
				old = MemoryContextSwitchTo(TopMemoryContext);
				note_role_oids = lappend_oid(note_role_oids, DatumGetObjectId(d));
			}
			else
			{
				char	   *v = SPI_getvalue(tuples[i], td->tg_relation->rd_att, attnum);

				if (v == NULL)
					continue;
				old = MemoryContextSwitchTo(TopMemoryContext);
				if (strcmp(column, "login_role") == 0)
					note_roles = lappend(note_roles, pstrdup(v));
				else
					note_persons = lappend(note_persons, pstrdup(v));
			}
			MemoryContextSwitchTo(old);
		}
	}
	return PointerGetDatum(NULL);
}

/* Recompute every entry of this database at commit (tmac.login_gate_sync). */
PG_FUNCTION_INFO_V1(tmac_login_gate_note_all);
Datum
tmac_login_gate_note_all(PG_FUNCTION_ARGS)
{
	/* CREATE EXTENSION tmac's own sync: nothing to converge without persons or entries */
	if (creating_extension && tmac_extension_created_here() && !database_has_entries())
		PG_RETURN_VOID();
	note_all = true;
	PG_RETURN_VOID();
}

/*
 * Acknowledge a role's refused attempts in this database (the finding was
 * looked into): its count is cleared when the transaction commits.  False
 * when the role has no entry.
 */
PG_FUNCTION_INFO_V1(tmac_login_gate_clear_refusals);
Datum
tmac_login_gate_clear_refusals(PG_FUNCTION_ARGS)
{
	Oid			roleid = PG_GETARG_OID(0);
	MemoryContext old;
	bool		found;

	gate_ready();
	LWLockAcquire(gate->lock, LW_SHARED);
	map_gate();
	found = find_entry(MyDatabaseId, roleid) >= 0;
	LWLockRelease(gate->lock);
	if (found)
	{
		old = MemoryContextSwitchTo(TopMemoryContext);
		ack_roles = lappend_oid(ack_roles, roleid);
		ack_levels = lappend_int(ack_levels, GetCurrentTransactionNestLevel());
		MemoryContextSwitchTo(old);
	}
	PG_RETURN_BOOL(found);
}

/* The gate's entries of this database with their refused attempts. */
PG_FUNCTION_INFO_V1(tmac_login_gate_refusals);
Datum
tmac_login_gate_refusals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GateEntry  *copy;
	int			n = 0;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	gate_ready();
	LWLockAcquire(gate->lock, LW_SHARED);
	map_gate();
	copy = palloc_extended(sizeof(GateEntry) * ((Size) gate->nentries + 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < gate->nentries; i++)
		if (slots[i].e.dbid == MyDatabaseId)
			copy[n++] = slots[i].e;
	LWLockRelease(gate->lock);
	for (i = 0; i < n; i++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		char	   *rolname = GetUserNameFromId(copy[i].roleid, true);
		const char *reason = reason_name(copy[i].reason);

		/* a dropped role: the name it was mapped as, which is gated still */
		if (rolname == NULL && NameStr(copy[i].name)[0] != '\0')
			rolname = NameStr(copy[i].name);

		values[0] = ObjectIdGetDatum(copy[i].roleid);
		nulls[1] = rolname == NULL;
		if (rolname)
		{
			Name		nm = (Name) palloc0(NAMEDATALEN);

			namestrcpy(nm, rolname);
			values[1] = NameGetDatum(nm);
		}
		nulls[2] = reason == NULL;
		if (reason)
			values[2] = CStringGetTextDatum(reason);
		nulls[3] = copy[i].since == 0;
		values[3] = TimestampTzGetDatum(copy[i].since);
		values[4] = Int64GetDatum(copy[i].refused);
		nulls[5] = copy[i].last_refused == 0;
		values[5] = TimestampTzGetDatum(copy[i].last_refused);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
