/*
 * vocabulary.h — the per-backend cache of the label vocabulary.
 *
 * Levels, compartments and organisation groups live in the tables
 * tmac.level, tmac.compartment and tmac.org_group.  Every label operation
 * needs them, so each backend keeps a read-only copy, rebuilt lazily after
 * any committed (or own) change; see vocabulary.c for the invalidation rule.
 */
#ifndef TMAC_VOCABULARY_H
#define TMAC_VOCABULARY_H

#include "postgres.h"

typedef struct TmacLevel
{
	int16		rank;
	char	   *code;
	char	   *name;			/* Japanese name, used by tmac.marking() */
} TmacLevel;

typedef struct TmacCompartment
{
	int32		id;
	char	   *code;
	char	   *name;
} TmacCompartment;

typedef struct TmacGroup
{
	int32		id;
	int32		parent_id;		/* 0 for a root */
	char	   *code;
	char	   *name;
} TmacGroup;

typedef struct TmacVocabulary
{
	int			nlevels;
	TmacLevel  *levels;			/* sorted by rank */
	int			ncompartments;
	TmacCompartment *compartments;	/* sorted by id */
	int			ngroups;
	TmacGroup  *groups;			/* sorted by id */
	struct HTAB *by_token;		/* folded code/name/alias -> entry */
	uint64		generation;		/* differs for each copy a backend builds */
} TmacVocabulary;

typedef enum TmacVocabKind
{
	TMAC_VOCAB_LEVEL = 'L',
	TMAC_VOCAB_COMPARTMENT = 'C',
	TMAC_VOCAB_GROUP = 'G'
} TmacVocabKind;

/* The current vocabulary; valid until the next call that may rebuild it. */
extern TmacVocabulary *tmac_vocabulary(void);

/* The one case-folding rule of spellings (vocabulary.c): ASCII a-z to A-Z only. */
extern void tmac_vocab_fold(char *dst, const char *src, int len);

/* Token lookups (folded): return false when the token names nothing of that kind. */
extern bool tmac_vocab_lookup(TmacVocabulary *v, TmacVocabKind kind,
							  const char *token, int len, int32 *id);

extern const TmacLevel *tmac_vocab_level(TmacVocabulary *v, int16 rank);
extern const TmacCompartment *tmac_vocab_compartment(TmacVocabulary *v, int32 id);
extern const TmacGroup *tmac_vocab_group(TmacVocabulary *v, int32 id);

/* True when `ancestor` is `group` itself or one of its ancestors. */
extern bool tmac_vocab_group_within(TmacVocabulary *v, int32 group, int32 ancestor);

/* A comma-separated list of the codes of one kind, for error hints. */
extern char *tmac_vocab_codes(TmacVocabulary *v, TmacVocabKind kind);

extern void tmac_vocabulary_relcache_callback(Datum arg, Oid relid);

#endif							/* TMAC_VOCABULARY_H */
