/*
 * access_cache.h — what a person may do, cached per backend.
 *
 * A TmacProfile is one row of tmac.access_profile() for one PostgreSQL role:
 * the person it maps to, their status, clearance, read and write
 * compartments (as bitmaps, so a membership test costs the same for 1 or
 * 1,000 grants), organisation group and prerequisites.  Profiles are cached
 * per role OID (so SET ROLE and SECURITY DEFINER never reuse another role's
 * decision); access_cache.c explains when a cached profile is used again.
 */
#ifndef TMAC_ACCESS_CACHE_H
#define TMAC_ACCESS_CACHE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/timestamp.h"
#include "access/xact.h"

#include "label.h"

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
	int			nread;
	int32	   *read;			/* sorted compartment ids */
	int			nwrite;
	int32	   *write;
	int32		read_bits_max;	/* highest id the bitmap can hold + 1 */
	uint64	   *read_bits;
	int32		write_bits_max;
	uint64	   *write_bits;
	TimestampTz valid_until;	/* DT_NOEND when time alone never changes it */
	/* freshness bookkeeping, see access_cache.c */
	uint64		generation;
	bool		durable;
	LocalTransactionId fill_lxid;
	TimestampTz fill_stmt;
	MemoryContext cxt;
} TmacProfile;

/* Why a row is not readable (or writable); TMAC_OK when it is. */
typedef enum TmacDenial
{
	TMAC_OK = 0,
	TMAC_DENY_INACTIVE,
	TMAC_DENY_PLEDGE,
	TMAC_DENY_TRAINING,
	TMAC_DENY_CLEARANCE,
	TMAC_DENY_COMPARTMENT,
	TMAC_DENY_GROUP
} TmacDenial;

extern PGDLLIMPORT uint64 tmac_access_generation;
extern PGDLLIMPORT TmacProfile *tmac_last_profile;
extern PGDLLIMPORT TimestampTz tmac_last_stmt;

extern TmacProfile *tmac_profile_lookup(Oid roleid);

/* The profile of the acting role (GetUserId()), fresh for this statement. */
static inline TmacProfile *
tmac_profile_current(void)
{
	TmacProfile *p = tmac_last_profile;
	Oid			role = GetUserId();

	if (likely(p != NULL && p->roleid == role &&
			   p->generation == tmac_access_generation &&
			   tmac_last_stmt == GetCurrentStatementStartTimestamp()))
		return p;
	return tmac_profile_lookup(role);
}

/*
 * An uncached profile of a person by person_id (for explain_access), in the
 * current memory context.  Returns false when no such person exists.
 */
extern bool tmac_profile_of_person(const char *person_id, TmacProfile *out);

/* The decisions. */
extern TmacDenial tmac_profile_read_denial(const TmacProfile *p, const TmacLabel *l);
extern TmacDenial tmac_profile_write_denial(const TmacProfile *p, const TmacLabel *l);

/* Run `query` through SPI as the owner of function `fn` (see access_cache.c). */
extern Oid	tmac_function_owner(const char *fname, int nargs, const Oid *argtypes);
extern void tmac_access_cache_init(void);

#endif							/* TMAC_ACCESS_CACHE_H */
