/*
 * profile_cache.h — what a person may do, cached per backend.
 *
 * A TmacProfile (profile.h) is what tmac.access_profile() says about one
 * PostgreSQL role at the statement's start.  Profiles are cached per role
 * OID, so SET ROLE and SECURITY DEFINER never reuse another role's decision;
 * profile_cache.c says when a cached profile is used again and why that is
 * never stale.
 */
#ifndef TMAC_PROFILE_CACHE_H
#define TMAC_PROFILE_CACHE_H

#include "postgres.h"

#include "access/xact.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/timestamp.h"

#include "profile.h"

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

/*
 * The profile tmac.access_profile_of(person, at) gives for any instant (the
 * checks across registers: what the person could read when they handled,
 * borrowed or entered).  as_decided: read it as a live decision would (rule
 * 6: the committed state only while the acting role changed governance data
 * in this transaction), for a refusal; otherwise the current state, for a
 * finding.  Returns false when no such person exists.
 */
extern bool tmac_profile_of_person_at(const char *person_id, TimestampTz at, bool as_decided,
									  TmacProfile *out);

/*
 * True when something read now at generation tmac_access_generation may be
 * kept for later statements: the last invalidation did not arrive in this
 * statement (under REPEATABLE READ: this transaction), whose snapshot may
 * not yet see the commit that sent it (rule 2 of profile_cache.c).
 */
extern bool tmac_generation_settled(void);

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

/* In a parallel worker: the leader's profile, and its rule-6 answer (parallel_handoff.c). */
extern void tmac_profile_cache_adopt(const TmacProfile *p);
extern void tmac_profile_cache_leader_committed(bool committed_only);

extern void tmac_profile_relcache_callback(Datum arg, Oid relid);
extern void tmac_profile_authid_callback(Datum arg, int cacheid, uint32 hashvalue);
extern void tmac_profile_xact_callback(XactEvent event, void *arg);

#endif							/* TMAC_PROFILE_CACHE_H */
