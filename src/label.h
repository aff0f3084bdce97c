/*
 * label.h — the on-disk form of tmac.label and the operations on it.
 *
 * A label is a varlena with 4-byte alignment and plain storage (never
 * compressed or toasted, so a datum points straight into the page): the
 * level's rank, then the compartment ids and the group ids, each sorted
 * ascending with no duplicates.  The form is canonical, so two equal labels
 * are equal byte for byte.
 */
#ifndef TMAC_LABEL_H
#define TMAC_LABEL_H

#include "postgres.h"
#include "fmgr.h"

#include "vocabulary.h"

typedef struct TmacLabel
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int16		rank;			/* the level's rank */
	uint16		ncompartments;
	uint16		ngroups;
	uint16		reserved;		/* always zero */
	int32		ids[FLEXIBLE_ARRAY_MEMBER]; /* compartments, then groups */
} TmacLabel;

#define TMAC_LABEL_HDRSZ		offsetof(TmacLabel, ids)
#define TMAC_LABEL_COMPARTMENTS(l)	((l)->ids)
#define TMAC_LABEL_GROUPS(l)		((l)->ids + (l)->ncompartments)

#define DatumGetTmacLabel(d)	((TmacLabel *) PG_DETOAST_DATUM(d))
#define PG_GETARG_TMAC_LABEL(n) DatumGetTmacLabel(PG_GETARG_DATUM(n))
#define PG_RETURN_TMAC_LABEL(l) PG_RETURN_POINTER(l)

/* Build a label from sorted, duplicate-free id arrays. */
extern TmacLabel *tmac_label_make(int16 rank, const int32 *compartments, int ncompartments,
								  const int32 *groups, int ngroups);

/* Parse text (codes, names or aliases) into a label, raising errors. */
extern TmacLabel *tmac_label_from_text(const char *text);

/*
 * SECURITY LABEL FOR tmac while tmac is not installed: true when a restore or
 * pg_upgrade sets it (resolved against the vocabulary copy, or checked for
 * syntax and resolved once tmac is installed); false when tmac is simply not
 * installed.
 */
extern bool tmac_object_label_before_install(const char *seclabel);

/* The canonical text form. */
extern char *tmac_label_to_text(const TmacLabel *label);

/* Total order used by btree; 0 when equal. */
extern int	tmac_label_cmp_internal(const TmacLabel *a, const TmacLabel *b);

/* a @> b: a dominates b (level, compartments, groups). */
extern bool tmac_label_dominates(const TmacLabel *a, const TmacLabel *b);

/* True when the sorted array `sub` is a subset of the sorted array `super`. */
extern bool tmac_sorted_subset(const int32 *sub, int nsub, const int32 *super, int nsuper);

/*
 * The codes of a label's compartments or groups, sorted by code (the
 * canonical display order).  Returns the count; *codes is palloc'd.
 */
extern int	tmac_label_codes(TmacVocabulary *v, const TmacLabel *label,
							 TmacVocabKind kind, const char ***codes);

/* The level entry of a label; raises data_corrupted if it is undefined. */
extern const TmacLevel *tmac_label_level_entry(TmacVocabulary *v, const TmacLabel *label);

/*
 * A hash of a label's words (its level, compartments and groups as stored),
 * for the small per-backend tables that remember labels already seen (the
 * access statistics' sites, the write-down mark's slots); not the type's hash
 * support function.
 */
static inline uint32
tmac_label_words_hash(const TmacLabel *l)
{
	const int32 *x = (const int32 *) l;
	int			n = VARSIZE(l) / sizeof(int32);
	uint32		h = 0;
	int			i;

	for (i = 1; i < n; i++)
		h = (h ^ (uint32) x[i]) * 0x9e3779b1;
	return h;
}

#endif							/* TMAC_LABEL_H */
