/*
 * profile_cache.h — what a person may do, cached per backend.
 *
 * A TmacProfile is what tmac.access_profile() says about one PostgreSQL role
 * at the statement's start: the person it maps to, status, clearance, read
 * and write compartments and the organisation groups the person reaches
 * (bitmaps, so a membership test costs the same for 1 or 1,000 grants), and
 * the prerequisites.  Profiles are cached per role OID, so SET ROLE and
 * SECURITY DEFINER never reuse another role's decision; profile_cache.c says
 * when a cached profile is used again and why that is never stale.
 */
#ifndef TMAC_PROFILE_CACHE_H
#define TMAC_PROFILE_CACHE_H

#include "postgres.h"

#include "access/xact.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/timestamp.h"

typedef struct TmacIdSet
{
	int			n;
	int32	   *ids;			/* sorted, unique, all > 0 */
	int32		max;			/* the bitmap holds ids below max */
	uint64	   *bits;
} TmacIdSet;

typedef struct TmacProfile
{
	Oid			roleid;			/* hash key: the acting role */
	bool		filled;			/* false until the first fetch */
	bool		mapped;			/* the role maps to a person */
	bool		active;
	bool		pledge_ok;
	bool		training_ok;
	bool		has_clearance;	/* false: only the lowest level */
	int32		clearance_rank; /* effective: the lowest level without a clearance */
	int32		org_group_id;	/* 0 when none */
	char	   *person_id;		/* NULL when unmapped */
	TmacIdSet	read;			/* compartments readable */
	TmacIdSet	write;			/* compartments writable */
	TmacIdSet	reach;			/* the person's group and every group below it */
	TimestampTz valid_until;	/* DT_NOEND when time alone never changes it */
	bool		committed_only; /* ignores this transaction's governance changes */
	/* freshness bookkeeping, see profile_cache.c */
	uint64		generation;
	bool		durable;
	LocalTransactionId fill_lxid;
	TimestampTz fill_stmt;
	MemoryContext cxt;
} TmacProfile;

extern PGDLLIMPORT uint64 tmac_access_generation;
extern PGDLLIMPORT TmacProfile *tmac_last_profile;
extern PGDLLIMPORT TimestampTz tmac_last_stmt;

/* The profile of `roleid`, fresh for this statement. */
extern TmacProfile *tmac_profile_lookup(Oid roleid);

/* The profile of `roleid`, through a one-entry memo of the last lookup. */
static inline TmacProfile *
tmac_profile_for(Oid roleid)
{
	TmacProfile *p = tmac_last_profile;

	if (likely(p != NULL && p->roleid == roleid &&
			   p->generation == tmac_access_generation &&
			   tmac_last_stmt == GetCurrentStatementStartTimestamp()))
		return p;
	return tmac_profile_lookup(roleid);
}

/*
 * An uncached profile of a person by person_id (for explain_access), in the
 * current memory context.  Returns false when no such person exists.
 */
extern bool tmac_profile_of_person(const char *person_id, TmacProfile *out);

/* A sorted, unique set of the positive ids src[0..count) with its bitmap, in cxt. */
extern void tmac_idset_build(TmacIdSet *s, const int32 *src, int count, MemoryContext cxt);

static inline bool
tmac_idset_has(const TmacIdSet *s, int32 id)
{
	return id >= 0 && id < s->max && (s->bits[id / 64] & (UINT64CONST(1) << (id % 64))) != 0;
}

/*
 * True when something read now at generation tmac_access_generation may be
 * kept for later statements: the last invalidation did not arrive in this
 * statement (under REPEATABLE READ: this transaction), whose snapshot may
 * not yet see the commit that sent it (rule 2 of profile_cache.c).
 */
extern bool tmac_generation_settled(void);

/* A copy of a profile (its sets in cxt), outside the cache. */
extern void tmac_profile_copy(TmacProfile *dst, const TmacProfile *src, MemoryContext cxt);

/*
 * A cursor's profiles (rule 7, cursor_access.c): the profile of each role as
 * of the cursor's snapshot.  While a set is pinned, tmac_profile_lookup
 * answers from it, and a role not in it yet is read with the active snapshot
 * (the cursor's) and added to it, never to the cache.  NULL unpins.
 */
typedef struct TmacPinnedSet
{
	int			n;
	int			cap;
	TmacProfile **profiles;
	MemoryContext cxt;			/* the cursor's memory */
} TmacPinnedSet;

extern void tmac_profiles_pin(TmacPinnedSet *set);

/* Rule 6: must this transaction's governance changes be ignored right now? */
extern bool tmac_committed_state_only(void);

/* Governance data changed in this transaction (the tmac.cache_invalidate trigger). */
extern void tmac_note_governance_change(void);

/* Hand this statement's profiles to parallel workers (the executor hook). */
extern void tmac_profiles_for_workers(List *roles);

extern void tmac_profile_cache_init(void);
extern void tmac_profile_relcache_callback(Datum arg, Oid relid);
extern void tmac_profile_authid_callback(Datum arg, int cacheid, uint32 hashvalue);
extern void tmac_profile_xact_callback(XactEvent event, void *arg);

#endif							/* TMAC_PROFILE_CACHE_H */
