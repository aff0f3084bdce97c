/*
 * own_act.h — an act of a person is that person's own top-level act.
 */
#ifndef TMAC_OWN_ACT_H
#define TMAC_OWN_ACT_H

extern void tmac_own_act_init(void);
extern Oid	tmac_own_act_role(const char *act, int trigger_allowance);

#endif
