/*
 * hr_feed_flag.h — the HR feed's per-statement state and row intake
 * (hr_feed_flag.c).
 */
#ifndef TMAC_HR_FEED_FLAG_H
#define TMAC_HR_FEED_FLAG_H

#include "postgres.h"

#include "access/xact.h"

extern void tmac_hr_feed_xact_callback(XactEvent event, void *arg);
extern void tmac_hr_feed_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
										  SubTransactionId parentSubid, void *arg);

#endif
