/*
 * restore.h — the restore window (restore.c): while a dump is restored,
 * label input reads the vocabulary copy and tmac's tables load as history.
 */
#ifndef TMAC_RESTORE_H
#define TMAC_RESTORE_H

#include "postgres.h"

#include "tcop/utility.h"

/* Is a restore window open in this database (cached)? */
extern bool tmac_restore_window_open(void);

/* tmac.c's utility hook, before (true: skip the statement) and after a statement. */
extern bool tmac_restore_utility_skip(PlannedStmt *pstmt, ProcessUtilityContext context);
extern void tmac_restore_utility_end(PlannedStmt *pstmt, ProcessUtilityContext context);

extern void tmac_restore_relcache_callback(Datum arg, Oid relid);

#endif							/* TMAC_RESTORE_H */
