/*
 * parallel_handoff.h — the leader hands its access profiles to its workers.
 */
#ifndef TMAC_PARALLEL_HANDOFF_H
#define TMAC_PARALLEL_HANDOFF_H

#include "postgres.h"

#include "nodes/plannodes.h"

extern void tmac_parallel_handoff_init(void);

/*
 * Called by tmac's ExecutorStart hook before the executor starts (tmac.c):
 * in a leader, hands the profiles over; in a worker, takes them.
 */
extern void tmac_parallel_handoff(PlannedStmt *stmt, int eflags);

#endif							/* TMAC_PARALLEL_HANDOFF_H */
