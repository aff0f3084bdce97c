/*
 * profile.h — what a person may do: the access profile as a value.
 *
 * A TmacProfile is what tmac.access_profile() says about one PostgreSQL role
 * at the statement's start: the person it maps to, status, clearance, read
 * and write compartments and the organisation groups the person reaches
 * (bitmaps, so a membership test costs the same for 1 or 1,000 grants), and
 * the prerequisites.  This header and profile.c are a leaf: they know no
 * other tmac file.  Where a profile comes from is profile_fetch.c (the
 * query), profile_cache.c (the per-backend cache and why it is never stale),
 * shared_profiles.c (between backends) and parallel_handoff.c (to workers).
 */
#ifndef TMAC_PROFILE_H
#define TMAC_PROFILE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "storage/lock.h"

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

/* A sorted, unique set of the positive ids src[0..count) with its bitmap, in cxt. */
extern void tmac_idset_build(TmacIdSet *s, const int32 *src, int count, MemoryContext cxt);

static inline bool
tmac_idset_has(const TmacIdSet *s, int32 id)
{
	return id >= 0 && id < s->max && (s->bits[id / 64] & (UINT64CONST(1) << (id % 64))) != 0;
}

/* A copy of a profile (its sets in cxt), outside any cache. */
extern void tmac_profile_copy(TmacProfile *dst, const TmacProfile *src, MemoryContext cxt);

/* p := what both p and q allow (the decision at two snapshots, rule 2 of profile_cache.c). */
extern void tmac_profile_intersect(TmacProfile *p, const TmacProfile *q, MemoryContext cxt);

/*
 * A profile's text form (what a leader hands its parallel workers): append
 * p to buf; parse one from *s (advanced past it) into p, its sets in cxt.
 * tmac_profile_in returns false on malformed text.
 */
extern void tmac_profile_out(StringInfo buf, const TmacProfile *p);
extern bool tmac_profile_in(char **s, TmacProfile *p, MemoryContext cxt);

#endif							/* TMAC_PROFILE_H */
