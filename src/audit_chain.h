/*
 * audit_chain.h — the audit log's hash chain, closed at commit (audit_chain.c).
 *
 * Entries are appended without a lock while a transaction runs; its
 * pre-commit step takes tmac.audit_head's lock for the commit alone and puts
 * the transaction's entries at the end of the chain.
 */
#ifndef TMAC_AUDIT_CHAIN_H
#define TMAC_AUDIT_CHAIN_H

#include "access/xact.h"

/* tmac.c calls these last of tmac's steps: the pre-commit step chains what the others recorded */
extern void tmac_audit_chain_xact_callback(XactEvent event, void *arg);
extern void tmac_audit_chain_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
											  SubTransactionId parentSubid, void *arg);

#endif							/* TMAC_AUDIT_CHAIN_H */
