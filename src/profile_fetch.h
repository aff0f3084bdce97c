/*
 * profile_fetch.h — the one query on the decision path.
 */
#ifndef TMAC_PROFILE_FETCH_H
#define TMAC_PROFILE_FETCH_H

#include "profile.h"

/*
 * The profile of a login role (or, by_person, of a person) at the instant
 * `at` (the statement's start, except for the checks across registers) into
 * p, id sets in cxt; committed: rule 6 of profile_cache.c.  Returns whether the role or person is mapped.
 */
extern bool tmac_profile_fetch(TmacProfile *p, const char *key, bool by_person, bool committed,
							   MemoryContext cxt, TimestampTz at);

/*
 * The id set of an integer[] of a profile's query (NULL or empty: the empty
 * set), in cxt; a malformed array (NULLs, more dimensions) is an error.
 */
extern void tmac_idset_from_array(TmacIdSet *s, Datum d, bool isnull, MemoryContext cxt);

#endif							/* TMAC_PROFILE_FETCH_H */
