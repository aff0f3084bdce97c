/*
 * audit_chain.h — the audit log's hash chain, closed at commit (audit_chain.c).
 *
 * Entries are appended without a lock while a transaction runs; its
 * pre-commit step takes tmac.audit_head's lock for the commit alone and puts
 * the transaction's entries at the end of the chain.
 */
#ifndef TMAC_AUDIT_CHAIN_H
#define TMAC_AUDIT_CHAIN_H

extern void tmac_audit_chain_init(void);

#endif							/* TMAC_AUDIT_CHAIN_H */
