/*
 * decision.h — whether a profile may read or write a label, check by check.
 *
 * One routine decides; the row policies, can_read/can_write, deny_reason_as
 * and explain_access all call it, so an explanation can never disagree with
 * the decision it explains.
 */
#ifndef TMAC_DECISION_H
#define TMAC_DECISION_H

#include "postgres.h"

#include "label.h"
#include "profile_cache.h"

/* The checks, in the order a decision evaluates them. */
typedef enum TmacCheck
{
	TMAC_CHECK_ACTIVE,
	TMAC_CHECK_PLEDGE,
	TMAC_CHECK_TRAINING,
	TMAC_CHECK_CLEARANCE,
	TMAC_CHECK_COMPARTMENT,		/* once per compartment of the label */
	TMAC_CHECK_GROUP
} TmacCheck;

typedef enum TmacMode
{
	TMAC_READ,
	TMAC_WRITE
} TmacMode;

/*
 * Told every check with its outcome; `id` is the compartment for
 * TMAC_CHECK_COMPARTMENT and otherwise 0.
 */
typedef void (*TmacCheckSink) (void *arg, TmacCheck check, int32 id, bool passed);

/*
 * Decide.  Returns true when every check passes.  With sink NULL it stops at
 * the first failing check and reports it in *failed (may be NULL); with a
 * sink it evaluates and reports every check.
 */
extern bool tmac_decide(const TmacProfile *p, const TmacLabel *l, TmacMode mode,
						TmacCheck *failed, TmacCheckSink sink, void *arg);

/*
 * The one body of the decision, which tmac_decide calls: inlined into the
 * per-row policy functions (policy.c) too, where sink and failed are NULL
 * constants and the compiler drops the reporting — same checks, same order,
 * no call per row.  Nothing else should call it.
 */
static pg_attribute_always_inline bool
tmac_decide_inline(const TmacProfile *p, const TmacLabel *l, TmacMode mode,
				   TmacCheck *failed, TmacCheckSink sink, void *arg)
{
	const TmacIdSet *grants = mode == TMAC_READ ? &p->read : &p->write;
	const int32 *ids;
	bool		ok = true;
	int			i;

#define CHECK(check, id, passed) \
	do { \
		bool		passed_ = (passed); \
		if (sink != NULL) \
			sink(arg, (check), (id), passed_); \
		if (!passed_) \
		{ \
			if (ok && failed != NULL) \
				*failed = (check); \
			ok = false; \
			if (sink == NULL) \
				return false; \
		} \
	} while (0)

	CHECK(TMAC_CHECK_ACTIVE, 0, p->active);
	CHECK(TMAC_CHECK_PLEDGE, 0, p->pledge_ok);
	CHECK(TMAC_CHECK_TRAINING, 0, p->training_ok);
	CHECK(TMAC_CHECK_CLEARANCE, 0, l->rank <= p->clearance_rank);
	ids = TMAC_LABEL_COMPARTMENTS(l);
	for (i = 0; i < l->ncompartments; i++)
		CHECK(TMAC_CHECK_COMPARTMENT, ids[i], tmac_idset_has(grants, ids[i]));
	if (l->ngroups > 0)
	{
		bool		reached = false;

		ids = TMAC_LABEL_GROUPS(l);
		for (i = 0; i < l->ngroups && !reached; i++)
			reached = tmac_idset_has(&p->reach, ids[i]);
		CHECK(TMAC_CHECK_GROUP, 0, reached);
	}
	return ok;
#undef CHECK
}

/* The name of a check as explain_access and deny_reason_as show it. */
extern const char *tmac_check_name(TmacCheck check);

/* The wording of the active, pledge and training checks (NULL for the others). */
extern const char *tmac_check_reason(TmacCheck check, bool passed);

#endif							/* TMAC_DECISION_H */
