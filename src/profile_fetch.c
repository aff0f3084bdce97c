/*
 * profile_fetch.c — fetching an access profile: tmac.access_profile_fetch()
 * (sql/install/56_access_profile.sql) run as tmac's owner (owner_query.c)
 * and read into a TmacProfile.
 *
 * Under READ COMMITTED the query runs once, with the statement's snapshot;
 * under REPEATABLE READ and SERIALIZABLE it runs with the statement's and
 * with the latest snapshot and only what both allow is kept (rule 2 of
 * profile_cache.c).  Rule 6 (committed state only) reads the committed
 * state.  Which profile to fetch when, and why a fetched one stays fresh, is
 * profile_cache.c's business; this file only fetches.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "extension.h"
#include "owner_query.h"
#include "profile_fetch.h"

void
tmac_idset_from_array(TmacIdSet *s, Datum d, bool isnull, MemoryContext cxt)
{
	ArrayType  *a;

	if (isnull)
	{
		tmac_idset_build(s, NULL, 0, cxt);
		return;
	}
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) == 0)
	{
		tmac_idset_build(s, NULL, 0, cxt);
		return;
	}
	if (ARR_NDIM(a) != 1 || ARR_HASNULL(a) || ARR_ELEMTYPE(a) != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("tmac: an access profile holds a malformed identifier array")));
	tmac_idset_build(s, (int32 *) ARR_DATA_PTR(a), ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)), cxt);
}

typedef struct FetchState
{
	TmacProfile *p;
	MemoryContext cxt;
	const char *key;
} FetchState;

static void
read_profile(SPITupleTable *rows, uint64 n, void *arg)
{
	FetchState *fs = (FetchState *) arg;
	TmacProfile *p = fs->p;
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;

	if (n != 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("tmac.access_profile returned %d rows for \"%s\"", (int) n, fs->key)));
	tup = rows->vals[0];
	desc = rows->tupdesc;

	d = SPI_getbinval(tup, desc, 1, &isnull);
	p->clearance_rank = isnull ? 0 : DatumGetInt32(d);	/* the lowest level */
	p->has_clearance = false;
	p->org_group_id = 0;
	p->person_id = NULL;
	p->valid_until = DT_NOEND;

	d = SPI_getbinval(tup, desc, 2, &isnull);
	p->mapped = !isnull;
	if (p->mapped)
		p->person_id = MemoryContextStrdup(fs->cxt, TextDatumGetCString(d));
	d = SPI_getbinval(tup, desc, 3, &isnull);
	p->active = !p->mapped || (!isnull && DatumGetBool(d));
	d = SPI_getbinval(tup, desc, 4, &isnull);
	if (p->mapped && !isnull)
	{
		p->has_clearance = true;
		p->clearance_rank = DatumGetInt32(d);
	}
	d = SPI_getbinval(tup, desc, 5, &isnull);
	tmac_idset_from_array(&p->read, d, isnull || !p->mapped, fs->cxt);
	d = SPI_getbinval(tup, desc, 6, &isnull);
	tmac_idset_from_array(&p->write, d, isnull || !p->mapped, fs->cxt);
	d = SPI_getbinval(tup, desc, 7, &isnull);
	p->org_group_id = (isnull || !p->mapped) ? 0 : DatumGetInt32(d);
	d = SPI_getbinval(tup, desc, 8, &isnull);
	p->pledge_ok = !p->mapped || (!isnull && DatumGetBool(d));
	d = SPI_getbinval(tup, desc, 9, &isnull);
	p->training_ok = !p->mapped || (!isnull && DatumGetBool(d));
	d = SPI_getbinval(tup, desc, 10, &isnull);
	p->valid_until = (isnull || !p->mapped) ? DT_NOEND : DatumGetTimestampTz(d);
	d = SPI_getbinval(tup, desc, 11, &isnull);
	tmac_idset_from_array(&p->reach, d, isnull || p->org_group_id == 0, fs->cxt);
}

bool
tmac_profile_fetch(TmacProfile *p, const char *key, bool by_person, bool committed, MemoryContext cxt,
				   TimestampTz at)
{
	static const char *q_role =
		"SELECT * FROM tmac.access_profile_fetch($1::pg_catalog.name, NULL, $2)";
	static const char *q_person =
		"SELECT * FROM tmac.access_profile_fetch(NULL, $1, $2)";

	/*
	 * A database still at 0.1.0's SQL (the library was replaced, ALTER
	 * EXTENSION tmac UPDATE not yet run) has no tmac.access_profile_fetch:
	 * the same query, written out over 0.1.0's functions.
	 */
#define LEGACY_PROFILE_QUERY(source) \
	"WITH RECURSIVE a AS MATERIALIZED (SELECT * FROM " source ")," \
	" d(id) AS (SELECT a.org_group_id FROM a UNION" \
	"   SELECT g.group_id FROM tmac.org_group g, d WHERE g.parent_id OPERATOR(pg_catalog.=) d.id)" \
	" SELECT (SELECT pg_catalog.min(l.rank) FROM tmac.level l)::pg_catalog.int4," \
	" a.person_id::pg_catalog.text, a.active, a.clearance_rank::pg_catalog.int4," \
	" a.read_compartments::pg_catalog.int4[], a.write_compartments::pg_catalog.int4[]," \
	" a.org_group_id::pg_catalog.int4, a.pledge_ok, a.training_ok, a.valid_until," \
	" (SELECT pg_catalog.array_agg(d.id) FROM d WHERE d.id IS NOT NULL)::pg_catalog.int4[]" \
	" FROM (SELECT) AS one LEFT JOIN a ON true"
	static const char *q_role_010 = LEGACY_PROFILE_QUERY("tmac.access_profile($1::pg_catalog.name, $2)");
	static const char *q_person_010 = LEGACY_PROFILE_QUERY("tmac.access_profile_of($1, $2)");
	bool		current = tmac_extension_required()->profile_fetch;
	const char *query = by_person ? (current ? q_person : q_person_010)
		: (current ? q_role : q_role_010);
	static const Oid types[] = {INT4OID, TEXTOID, BOOLOID, INT4OID, INT4ARRAYOID, INT4ARRAYOID,
	INT4OID, BOOLOID, BOOLOID, TIMESTAMPTZOID, INT4ARRAYOID};
	Oid			argtypes[2] = {TEXTOID, TIMESTAMPTZOID};
	Datum		values[2];
	FetchState	fs = {p, cxt, key};

	values[0] = CStringGetTextDatum(key);
	values[1] = TimestampTzGetDatum(at);
	tmac_owner_query(query, 2, argtypes, values,
					 lengthof(types), types, true,
					 committed ? TMAC_SNAPSHOT_CURRENT_COMMITTED : TMAC_SNAPSHOT_CURRENT,
					 read_profile, &fs);
	if (IsolationUsesXactSnapshot() && !IsInParallelMode())
	{
		TmacProfile latest;
		FetchState	fl = {&latest, cxt, key};

		memset(&latest, 0, sizeof(latest));
		tmac_owner_query(query, 2, argtypes, values,
						 lengthof(types), types, true,
						 committed ? TMAC_SNAPSHOT_LATEST_COMMITTED : TMAC_SNAPSHOT_LATEST,
						 read_profile, &fl);
		tmac_profile_intersect(p, &latest, cxt);
	}
	p->committed_only = committed;
	return p->mapped;
}
