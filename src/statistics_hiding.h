/*
 * statistics_hiding.h — default estimates for those who cannot read every row.
 */
#ifndef TMAC_STATISTICS_HIDING_H
#define TMAC_STATISTICS_HIDING_H

#include "postgres.h"

#include "nodes/pathnodes.h"
#include "utils/selfuncs.h"

/*
 * Must the planner use default estimates for this relation, read as
 * check_as_user (InvalidOid: the current user)?
 */
extern bool tmac_statistics_hidden(Oid relid, Oid check_as_user);

/* The same for the table of an index, for each role the query reads it as. */
extern bool tmac_statistics_hidden_index(PlannerInfo *root, Oid indexoid);

/* Answer a statistics hook with "no statistics"; returns true. */
extern bool tmac_statistics_withhold(VariableStatData *vardata);

#endif							/* TMAC_STATISTICS_HIDING_H */
