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

/* The name of a check as explain_access and deny_reason_as show it. */
extern const char *tmac_check_name(TmacCheck check);

/* The wording of the active, pledge and training checks (NULL for the others). */
extern const char *tmac_check_reason(TmacCheck check, bool passed);

#endif							/* TMAC_DECISION_H */
