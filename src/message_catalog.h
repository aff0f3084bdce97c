/*
 * message_catalog.h — tmac's messages in the session's language (see
 * message_catalog.c): the catalog lookup and the argument filler behind
 * tmac.message().
 */
#ifndef TMAC_MESSAGE_CATALOG_H
#define TMAC_MESSAGE_CATALOG_H

#include "postgres.h"

#include "datatype/timestamp.h"

/*
 * Every C file of tmac includes this header right after postgres.h, so that
 * its ereports look their messages up in tmac's catalog ("tmac-15"), not
 * PostgreSQL's (elog.h defines TEXTDOMAIN as NULL).
 */
#undef TEXTDOMAIN
#define TEXTDOMAIN PG_TEXTDOMAIN("tmac")

/* One argument of a message: its value and type, after VARIADIC is unfolded. */
typedef struct MessageArg
{
	Datum		value;
	bool		isnull;
	Oid			typid;
} MessageArg;

/* msgid in the session's language (lc_messages), from tmac's catalog. */
extern const char *tmac_translate(const char *msgid);

/* format with its %s, %L, %I, %n$s and %% filled from args (palloc'd). */
extern char *tmac_message_format(const char *format, const MessageArg *args, int nargs);

/* A moment in the company's time zone, with the zone: "2026-12-07 09:52:00 JST". */
extern char *tmac_company_time_text(TimestampTz at);

/* Drops the company's time zone read for this statement (the sentinel's invalidation). */
extern void tmac_message_relcache_callback(Datum arg, Oid relid);

#endif							/* TMAC_MESSAGE_CATALOG_H */
