/*
 * decision.c — the access decision: one routine, every check.
 *
 * A person may read (write) a row when they are active, their pledge and
 * training prerequisites hold, their clearance reaches the row's level, they
 * hold a current read (write) grant for every compartment of the row, and —
 * when the row names groups — their own group is one of them or encloses one.
 * The profile (profile_cache.c) carries everything needed: the compartments
 * as bitmaps and the groups the person reaches as a set, so a decision never
 * leaves this file, never queries, and never walks the group tree.
 *
 * The checks themselves are written once, in decision.h (tmac_decide_inline),
 * so that the row policies (policy.c) get a copy the compiler specialises for
 * "no sink, stop at the first failure" without a call per row; every other
 * caller comes through tmac_decide here.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "decision.h"

bool
tmac_decide(const TmacProfile *p, const TmacLabel *l, TmacMode mode,
			TmacCheck *failed, TmacCheckSink sink, void *arg)
{
	return tmac_decide_inline(p, l, mode, failed, sink, arg);
}

const char *
tmac_check_name(TmacCheck check)
{
	switch (check)
	{
		case TMAC_CHECK_ACTIVE:
			return "active";
		case TMAC_CHECK_PLEDGE:
			return "pledge";
		case TMAC_CHECK_TRAINING:
			return "training";
		case TMAC_CHECK_CLEARANCE:
			return "clearance";
		case TMAC_CHECK_COMPARTMENT:
			return "compartment";
		case TMAC_CHECK_GROUP:
			return "group";
	}
	return "unknown";
}

/*
 * The wording of the prerequisite checks, passed or failed, in the session's
 * language (lc_messages): the one source for explain_access (policy.c) and,
 * through tmac.decision_reason(), for tmac.access_prerequisites() and the
 * approval that refuses on it.
 */
const char *
tmac_check_reason(TmacCheck check, bool passed)
{
	switch (check)
	{
		case TMAC_CHECK_ACTIVE:
			return tmac_translate(passed ? gettext_noop("the person is active")
								  : gettext_noop("the person is not active (on leave or terminated)"));
		case TMAC_CHECK_PLEDGE:
			return tmac_translate(passed ? gettext_noop("a valid pledge (誓約書) is on file, or none is required")
								  : gettext_noop("no valid pledge (誓約書) is on file"));
		case TMAC_CHECK_TRAINING:
			return tmac_translate(passed ? gettext_noop("the required training is current, or none is required")
								  : gettext_noop("the required training is missing or has lapsed"));
		default:
			return NULL;		/* worded with the label's details by the caller */
	}
}

/* decision_reason(check text, passed boolean) RETURNS text: active, pledge or training */
PG_FUNCTION_INFO_V1(tmac_decision_reason);
Datum
tmac_decision_reason(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		passed = PG_GETARG_BOOL(1);
	static const TmacCheck worded[] = {TMAC_CHECK_ACTIVE, TMAC_CHECK_PLEDGE, TMAC_CHECK_TRAINING};
	int			i;

	for (i = 0; i < lengthof(worded); i++)
		if (strcmp(name, tmac_check_name(worded[i])) == 0)
			PG_RETURN_TEXT_P(cstring_to_text(tmac_check_reason(worded[i], passed)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("no fixed wording for check \"%s\"", name),
			 errhint("The checks with a fixed wording are active, pledge and training.")));
	PG_RETURN_NULL();			/* not reached */
}
