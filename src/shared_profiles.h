/*
 * shared_profiles.h — access profiles shared between backends.
 *
 * A fixed-size table in shared memory (tmac.shared_profiles entries) keeps
 * the profiles backends computed, so a new connection's first statement can
 * take one instead of running the profile query.  shared_profiles.c says
 * when that gives exactly what the backend's own query would return;
 * whenever it cannot tell, the caller computes as before.  With tmac.shared_profiles = 0 there is no table and
 * nothing is shared.
 */
#ifndef TMAC_SHARED_PROFILES_H
#define TMAC_SHARED_PROFILES_H

#include "postgres.h"

#include "nodes/nodes.h"

#include "profile.h"

/* What a backend saw before computing a profile it may then publish. */
typedef struct TmacSharedFill
{
	bool		eligible;
	uint64		state;			/* the shared generation word before the query */
} TmacSharedFill;

extern void tmac_shared_profiles_init(void);
extern void tmac_shared_profiles_xact_callback(XactEvent event, void *arg);
extern void tmac_shared_profiles_shmem_request(void);
extern void tmac_shared_profiles_shmem_startup(void);

/* This transaction changed governance data (the cache_invalidate trigger). */
extern void tmac_shared_profiles_note_change(void);

/* Around a utility statement (the ProcessUtility hook): end if begin says so. */
extern bool tmac_shared_profiles_utility_begin(Node *stmt);
extern void tmac_shared_profiles_utility_end(void);

/*
 * The profile of roleid (named rolname) for this statement from shared
 * memory, into *out with id sets allocated in cxt; false when none can be
 * used (the caller computes it).  committed: rule 6 of profile_cache.c holds.
 */
extern bool tmac_shared_profile_get(Oid roleid, const char *rolname, bool committed,
									TmacProfile *out, MemoryContext cxt);

/* Before computing the profile: note the shared state. */
extern void tmac_shared_profile_begin(TmacSharedFill *fill, bool committed);

/* After computing p with the statement's snapshot: publish it if it may be. */
extern void tmac_shared_profile_put(const TmacSharedFill *fill, Oid roleid,
									const char *rolname, const TmacProfile *p);

#endif							/* TMAC_SHARED_PROFILES_H */
