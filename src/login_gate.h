/*
 * login_gate.h — refusing connections of terminated persons and persons on leave.
 */
#ifndef TMAC_LOGIN_GATE_H
#define TMAC_LOGIN_GATE_H

#include "postgres.h"

#include "access/xact.h"

#include "catalog/objectaccess.h"

/*
 * libpq-be.h includes the GSSAPI headers when the server was built with GSSAPI,
 * and the server development package does not bring them.  struct Port holds
 * only a pointer to the GSSAPI state either way (void * without GSSAPI), so
 * its layout is the same: tmac reads user_name and database_name only.
 */
#ifdef ENABLE_GSS
#undef ENABLE_GSS
#endif
#include "libpq/auth.h"
#include "libpq/libpq-be.h"

extern void tmac_login_gate_init(void);
extern void tmac_login_gate_xact_callback(XactEvent event, void *arg);
extern void tmac_login_gate_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
											 SubTransactionId parentSubid, void *arg);
extern void tmac_login_gate_shmem_request(void);
extern void tmac_login_gate_shmem_startup(void);
extern void tmac_login_gate_client_auth(Port *port, int status);
extern void tmac_login_gate_object_access(ObjectAccessType access, Oid classId, Oid objectId);

#endif							/* TMAC_LOGIN_GATE_H */
