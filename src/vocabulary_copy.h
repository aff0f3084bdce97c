/*
 * vocabulary_copy.h — the copy of the vocabulary that schema tmac carries
 * (security label provider "tmac_vocabulary"), and the restore window.
 *
 * See vocabulary_copy.c (the copy) and restore.c (the window).
 */
#ifndef TMAC_VOCABULARY_COPY_H
#define TMAC_VOCABULARY_COPY_H

#include "postgres.h"

#include "catalog/objectaccess.h"
#include "tcop/utility.h"

#include "vocabulary.h"

#define TMAC_VOCABULARY_PROVIDER "tmac_vocabulary"

/* True while label input must use the copy: pg_upgrade, or a restore window. */
extern bool tmac_vocabulary_copy_in_use(void);

/* Fill v (token table already created) from the copy; allocations in target. */
extern void tmac_vocabulary_copy_load(TmacVocabulary *v, MemoryContext target);

/* The copy tmac would write now, from its tables (latest committed state plus own changes). */
extern char *tmac_vocabulary_copy_generate(void);

/*
 * SECURITY LABEL FOR tmac while tmac is not installed: true when a restore or
 * pg_upgrade sets it (resolved against the copy, or checked for syntax and
 * resolved once tmac is installed); false when tmac is simply not installed.
 */
extern bool tmac_object_label_before_install(const char *seclabel);

extern void tmac_vocabulary_copy_init(void);
extern void tmac_vocabulary_copy_object_access(ObjectAccessType access, Oid classId, Oid objectId);

/* restore.c: is a restore window open in this database (cached)? */
extern bool tmac_restore_window_open(void);

/* restore.c: tmac.c's utility hook, before (true: skip the statement) and after a statement. */
extern bool tmac_restore_utility_skip(PlannedStmt *pstmt, ProcessUtilityContext context);
extern void tmac_restore_utility_end(PlannedStmt *pstmt, ProcessUtilityContext context);

extern void tmac_restore_init(void);
extern void tmac_restore_relcache_callback(Datum arg, Oid relid);

#endif							/* TMAC_VOCABULARY_COPY_H */
