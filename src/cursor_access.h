/*
 * cursor_access.h — a cursor is decided with the access of its opening.
 */
#ifndef TMAC_CURSOR_ACCESS_H
#define TMAC_CURSOR_ACCESS_H

#include "postgres.h"

#include "executor/execdesc.h"

typedef struct CursorAccess CursorAccess;

/* After ExecutorStart (tmac.c): a portal's query over a protected table keeps its roles' profiles. */
extern void tmac_cursor_start(QueryDesc *queryDesc);

/*
 * Around each executor hook (tmac.c): pins the profiles of the cursor whose
 * query this is (`run`: its fetch; `row_limit`: ExecutorRun's count > 0) or under
 * whose snapshot it runs, else unpins.  Returns what tmac_cursor_leave puts
 * back.
 */
extern CursorAccess *tmac_cursor_enter(QueryDesc *queryDesc, bool run, bool row_limit);
extern void tmac_cursor_leave(CursorAccess *saved);

#endif							/* TMAC_CURSOR_ACCESS_H */
