/*
 * vocabulary_copy.h — the copy of the vocabulary that schema tmac carries
 * (security label provider "tmac_vocabulary").
 *
 * See vocabulary_copy.c (the copy), vocabulary_text.h (its form) and
 * restore.h (the window).
 */
#ifndef TMAC_VOCABULARY_COPY_H
#define TMAC_VOCABULARY_COPY_H

#include "postgres.h"

#include "catalog/objectaccess.h"
#include "executor/spi.h"

#include "vocabulary_text.h"

#define TMAC_VOCABULARY_PROVIDER "tmac_vocabulary"

/* True while label input must use the copy: pg_upgrade, or a restore window. */
extern bool tmac_vocabulary_copy_in_use(void);

/* Parse the copy label input uses, passing each entry to fn (an error if there is none). */
extern void tmac_vocabulary_copy_read(TmacVocabEntryFn fn, void *arg);

/* Does the schema named tmac carry a copy? */
extern bool tmac_vocabulary_copy_present(void);

/* The copy tmac would write now, from its tables (latest committed state plus own changes). */
extern char *tmac_vocabulary_copy_generate(void);

/*
 * The vocabulary text in the first column of the one row a query of it returned
 * (rows, n as tmac_owner_query gives them), copied into cxt; an error naming
 * "what" (the SQL function that writes it) when there is no row, more than one, or NULL.
 */
extern char *tmac_vocabulary_text_column(SPITupleTable *rows, uint64 n, const char *what,
										 MemoryContext cxt);

extern void tmac_vocabulary_copy_init(void);
extern void tmac_vocabulary_copy_object_access(ObjectAccessType access, Oid classId, Oid objectId);

#endif							/* TMAC_VOCABULARY_COPY_H */
