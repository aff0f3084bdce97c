/*
 * governance_change.h — "governance data changed", and what follows a change
 * at commit: the HR feed's suppression flag and the ending of terminated
 * persons' sessions (governance_change.c).
 */
#ifndef TMAC_GOVERNANCE_CHANGE_H
#define TMAC_GOVERNANCE_CHANGE_H

#include "postgres.h"

#include "access/xact.h"
#include "nodes/nodes.h"

extern void tmac_governance_xact_callback(XactEvent event, void *arg);
extern void tmac_governance_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
											 SubTransactionId parentSubid, void *arg);
extern bool tmac_governance_utility_begin(Node *stmt);
extern void tmac_governance_utility_end(void);

#endif
