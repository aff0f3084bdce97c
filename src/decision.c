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
