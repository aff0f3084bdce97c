/*
 * owner_query.h — run one of tmac's own queries as the owner of tmac.
 *
 * Every query the C code runs goes through tmac_owner_query(): as the
 * extension's owner, in a security-restricted operation, with search_path
 * pinned to pg_catalog then pg_temp, and with the result's column types
 * checked before anything is read.  Nothing the calling session planted
 * (types, functions, operators in pg_temp or public) can take part.
 */
#ifndef TMAC_OWNER_QUERY_H
#define TMAC_OWNER_QUERY_H

#include "postgres.h"

#include "executor/spi.h"

/* Which snapshot a query reads governance data with. */
typedef enum TmacSnapshotMode
{
	TMAC_SNAPSHOT_CURRENT,		/* the statement's own (sees this transaction's changes) */
	TMAC_SNAPSHOT_CURRENT_COMMITTED,	/* the same without this transaction's changes */
	TMAC_SNAPSHOT_LATEST,		/* the latest committed state plus this transaction's changes */
	TMAC_SNAPSHOT_LATEST_COMMITTED	/* the latest committed state, without this transaction's changes */
} TmacSnapshotMode;

/* Called with the result while the query's SPI connection is still open. */
typedef void (*TmacRowReader) (SPITupleTable *rows, uint64 nrows, void *arg);

/*
 * A TmacRowReader for a query of one row and one column: `arg` is a
 * TmacOneValue, found when there was exactly one row and its value is not
 * NULL; the value is copied out of SPI into the caller's memory context.
 */
typedef struct TmacOneValue
{
	bool		found;
	Datum		value;
} TmacOneValue;

extern void tmac_read_one_value(SPITupleTable *rows, uint64 nrows, void *arg);

/*
 * A TmacRowReader that copies every row into a set-returning function's
 * tuplestore: `arg` is its ReturnSetInfo (setResult and setDesc made, the
 * query's columns those of setDesc); tuplestore_putvalues copies the values
 * into the tuplestore's context before the SPI connection closes.
 */
extern void tmac_rows_to_tuplestore(SPITupleTable *rows, uint64 nrows, void *arg);

/*
 * Run `sql` (parameters $1..$nargs) as tmac's owner.  `types` lists the
 * expected result column types (ncols of them; ncols < 0: do not check, for
 * statements whose result is ignored).  `read_only` false allows writes (the
 * audit log).  `reader` may be NULL.
 */
extern void tmac_owner_query(const char *sql, int nargs, const Oid *argtypes, Datum *values,
							 int ncols, const Oid *types, bool read_only,
							 TmacSnapshotMode snapshot, TmacRowReader reader, void *arg);

/*
 * The same as `role` instead of tmac's owner; read_only_transaction also sets
 * transaction_read_only for the query (a registered check, check_runner.c).
 */
extern void tmac_query_as(Oid role, bool read_only_transaction, const char *sql, int nargs,
						  const Oid *argtypes, Datum *values, int ncols, const Oid *types,
						  bool read_only, TmacSnapshotMode snapshot, TmacRowReader reader,
						  void *arg);

#endif							/* TMAC_OWNER_QUERY_H */
