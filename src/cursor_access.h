/*
 * cursor_access.h — a fetch after a revocation is refused.
 */
#ifndef TMAC_CURSOR_ACCESS_H
#define TMAC_CURSOR_ACCESS_H

#include "postgres.h"

#include "executor/execdesc.h"
#include "nodes/parsenodes.h"

/* Before each ExecutorRun (tmac.c): remember or recheck a cursor's access. */
extern void tmac_cursor_run(QueryDesc *queryDesc, uint64 count);

/* Before a FETCH or MOVE statement (tmac.c): recheck a persisted WITH HOLD cursor. */
extern void tmac_cursor_fetch(FetchStmt *stmt);

#endif							/* TMAC_CURSOR_ACCESS_H */
