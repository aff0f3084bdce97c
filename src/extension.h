/*
 * extension.h — tmac's identity in the current database.
 *
 * The library is preloaded into every database of the cluster, but the
 * extension is installed only in some.  Every hook asks tmac_extension()
 * first and does nothing where tmac is not installed.  The objects the C code
 * needs (the owner, the policy functions, the invalidation sentinel) are found
 * by OID in the extension's own schema and confirmed to be members of the
 * extension, with no permission check and no search_path involved.
 */
#ifndef TMAC_EXTENSION_H
#define TMAC_EXTENSION_H

#include "postgres.h"

typedef struct TmacExtension
{
	bool		installed;		/* false: every hook is inert */
	Oid			ext_oid;
	Oid			namespace_oid;	/* schema tmac */
	Oid			owner;			/* the role tmac's own queries run as */
	Oid			label_type;		/* tmac.label, or InvalidOid while installing */
	Oid			row_readable;	/* tmac.row_readable(tmac.label) */
	Oid			row_writable;	/* tmac.row_writable(tmac.label) */
	Oid			sentinel;		/* tmac.cache_sentinel */
	bool		profile_fetch;	/* tmac.access_profile_fetch exists (not before ALTER EXTENSION UPDATE from 0.1.0) */
	bool		citus;			/* the extension citus is installed here too (citus.c) */
} TmacExtension;

/* tmac in this database; never raises.  Valid until the next catalog change. */
extern const TmacExtension *tmac_extension(void);

/* The same, raising object_not_in_prerequisite_state when tmac is not installed. */
extern const TmacExtension *tmac_extension_required(void);

/*
 * The relation whose relcache invalidation means "governance data changed".
 * Remembered across catalog changes (only ever overwritten by a newer
 * lookup), so a relcache callback can compare without catalog access.
 */
extern PGDLLIMPORT Oid tmac_sentinel_relid;

/*
 * True for a table carrying tmac's protection: row security on and the
 * tmac_read policy tmac.protect() creates (a syscache and a relcache look).
 */
extern bool tmac_relation_registered(Oid relid);
extern bool tmac_relation_protected(Oid relid);

/*
 * Row security switched on for the relation (one syscache look; false when
 * there is no such relation), and its relkind in *relkind unless NULL.
 */
extern bool tmac_relation_row_security(Oid relid, char *relkind);

/*
 * True when this transaction created tmac here (CREATE EXTENSION tmac, not
 * yet committed): nobody else can see its tables yet.
 */
extern bool tmac_extension_created_here(void);

extern void tmac_extension_syscache_callback(Datum arg, int cacheid, uint32 hashvalue);
extern void tmac_extension_relcache_callback(Datum arg, Oid relid);

#endif							/* TMAC_EXTENSION_H */
