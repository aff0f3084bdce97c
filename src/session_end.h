/*
 * session_end.h — ending a terminated person's sessions after commit.
 */
#ifndef TMAC_SESSION_END_H
#define TMAC_SESSION_END_H

extern void tmac_session_end_init(void);

#endif
