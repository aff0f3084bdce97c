/*
 * hr_feed_flag.h — the HR feed's per-statement state and row intake
 * (hr_feed_flag.c).
 */
#ifndef TMAC_HR_FEED_FLAG_H
#define TMAC_HR_FEED_FLAG_H

#include "postgres.h"

#include "access/xact.h"
#include "nodes/nodes.h"

struct QueryDesc;

extern void tmac_hr_feed_xact_callback(XactEvent event, void *arg);
extern void tmac_hr_feed_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
										  SubTransactionId parentSubid, void *arg);

/*
 * A COPY (ProcessUtility) or INSERT (ExecutorStart) into tmac.hr_event keeps
 * its rows for its statement triggers in memory: begin returns a GUC nest
 * level to end (or -1: nothing to end).
 */
extern int	tmac_hr_feed_work_mem_copy(Node *utility_stmt);
extern int	tmac_hr_feed_work_mem_insert(struct QueryDesc *query_desc);
extern void tmac_hr_feed_work_mem_end(int nest_level);

#endif
