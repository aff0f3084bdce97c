/*
 * hr_feed_flag.c — a backend-local "the HR feed is applying an event" flag.
 *
 * While tmac.hr_event_receive applies an event, the changes it makes to
 * tmac.person and tmac.access_grant need not each invalidate every backend's
 * caches: the statement trigger on tmac.hr_event does that once, at the end of
 * the same statement.  The flag that says so must not be settable by users (a
 * custom GUC would be), or anyone could suppress invalidations; it lives here,
 * set only through tmac.hr_feed_set_applying(), which is executable by the
 * extension owner alone, and is cleared at every transaction end so an error
 * can never leave it set.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"

static bool hr_feed_applying = false;

static void
hr_feed_xact_callback(XactEvent event, void *arg)
{
	hr_feed_applying = false;
}

static void
hr_feed_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		hr_feed_applying = false;
}

void		tmac_hr_feed_flag_init(void);

void
tmac_hr_feed_flag_init(void)
{
	RegisterXactCallback(hr_feed_xact_callback, NULL);
	RegisterSubXactCallback(hr_feed_subxact_callback, NULL);
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_applying);
Datum
tmac_hr_feed_applying(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(hr_feed_applying);
}

PG_FUNCTION_INFO_V1(tmac_hr_feed_set_applying);
Datum
tmac_hr_feed_set_applying(PG_FUNCTION_ARGS)
{
	bool		previous = hr_feed_applying;

	hr_feed_applying = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
	PG_RETURN_BOOL(previous);
}
