/*
 * parallel_handoff.h — the leader hands its access profiles to its workers.
 */
#ifndef TMAC_PARALLEL_HANDOFF_H
#define TMAC_PARALLEL_HANDOFF_H

#include "postgres.h"

#include "nodes/plannodes.h"

/* Called by tmac's ExecutorStart hook before the executor starts (tmac.c). */
extern void tmac_parallel_handoff(PlannedStmt *stmt, int eflags);

#endif							/* TMAC_PARALLEL_HANDOFF_H */
