/*
 * vocabulary_text.h — the one text form of the vocabulary, and its parser.
 *
 * The vocabulary travels as text in two places: the copy that schema tmac
 * carries for restores and pg_upgrade (security label provider
 * "tmac_vocabulary", vocabulary_copy.c) and the codes a protected table
 * carries into a partial dump ("tmac_vocabulary_needed",
 * vocabulary_needed.c).  Both are read by tmac_vocab_text_parse(), plain C
 * with no PostgreSQL dependency, so that the fuzz harness in test/fuzz/ runs
 * exactly the code the server runs.  What the entries mean (the per-backend
 * vocabulary, the lookups) is vocabulary.c's business.
 */
#ifndef TMAC_VOCABULARY_TEXT_H
#define TMAC_VOCABULARY_TEXT_H

#include <stdbool.h>
#include <stdint.h>

#define TMAC_VOCAB_TEXT_HEADER		"tmac vocabulary 1"
#define TMAC_VOCAB_NEEDED_HEADER	"tmac vocabulary needed 1"
#define TMAC_VOCAB_TEXT_MAX_FIELDS	1000

typedef enum TmacVocabTextForm
{
	/*
	 * The copy, one entry a line, fields separated by tabs:
	 *     tmac vocabulary 1
	 *     L <rank> <code> <name> [<alias> ...]     levels by rank
	 *     C <id> <code> <name>                     compartments by id
	 *     G <id> <parent id or 0> <code> <name>    groups by id
	 */
	TMAC_VOCAB_TEXT_COPY,

	/*
	 * The codes only:
	 *     tmac vocabulary needed 1
	 *     L <code>    C <code>    G <code>      kind TAB code, one a line
	 */
	TMAC_VOCAB_TEXT_NEEDED
} TmacVocabTextForm;

/* One entry; the strings point into the caller's (split) text. */
typedef struct TmacVocabEntry
{
	char		kind;			/* 'L', 'C' or 'G' (TmacVocabKind) */
	int32_t		id;				/* rank or id; 0 in the needed form */
	int32_t		parent_id;		/* a group's parent, 0 for a root or not a group */
	const char *code;
	const char *name;			/* NULL in the needed form */
	int			naliases;		/* levels of the copy only */
	char	  **aliases;
} TmacVocabEntry;

typedef void (*TmacVocabEntryFn) (const TmacVocabEntry *entry, void *arg);

typedef struct TmacVocabTextError
{
	int			line;			/* 1-based */
	char		detail[2048];	/* a sentence without its final full stop */
} TmacVocabTextError;

/*
 * A parse error's wording in the reader's language: NULL (the fuzz harness)
 * leaves it as written; tmac's library sets it to tmac_translate (_PG_init).
 */
extern const char *(*tmac_vocab_text_translate) (const char *msgid);

/* Does the first line of text read the header of this form? */
extern bool tmac_vocab_text_header_ok(const char *text, TmacVocabTextForm form);

/*
 * Parse text (NUL-terminated; split in place: tabs and newlines become NULs),
 * calling fn for each entry in order when fn is not NULL.  False on the first
 * error, with *err filled; entries before it were passed to fn already.
 */
extern bool tmac_vocab_text_parse(char *text, TmacVocabTextForm form,
								  TmacVocabEntryFn fn, void *arg,
								  TmacVocabTextError *err);

#endif							/* TMAC_VOCABULARY_TEXT_H */
