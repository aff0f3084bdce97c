/*
 * own_act.h — an act of a person is that person's own top-level act.
 */
#ifndef TMAC_OWN_ACT_H
#define TMAC_OWN_ACT_H

#include "access/xact.h"
#include "fmgr.h"

extern void tmac_own_act_fmgr_hook(FmgrHookEventType event, FmgrInfo *flinfo, Datum *private,
								   fmgr_hook_type next_fmgr_hook);
extern void tmac_own_act_xact_callback(XactEvent event, void *arg);
extern Oid	tmac_own_act_role(const char *act, int trigger_allowance);
extern int	tmac_own_act_set_depth_credit(int credit);
extern void tmac_own_act_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
										  SubTransactionId parentSubid, void *arg);

#endif
