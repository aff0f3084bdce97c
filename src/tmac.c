/*
 * tmac.c — module entry point and the shared cache-invalidation trigger.
 *
 * _PG_init registers the security label provider, the relcache callbacks
 * of tmac's per-backend caches (vocabulary, access profiles) and the
 * transaction callback that ends a terminated person's sessions after commit
 * (session_end.c).  tmac.cache_invalidate() is the statement
 * trigger that tmac's governance tables use to tell every backend that a
 * cached copy of that table is stale (the pattern pg_cron uses): it queues a
 * relcache invalidation for the trigger's table, delivered to all backends
 * when the transaction commits.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/inval.h"

#include "access_cache.h"
#include "own_act.h"
#include "session_end.h"
#include "vocabulary.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
extern void tmac_seclabel_init(void);
extern void tmac_hr_feed_flag_init(void);

/*
 * Settings tmac's SQL uses internally.  They are superuser-only (PGC_SUSET):
 * the audit log keeps its running end in tmac.audit_state and marks its own
 * writes with tmac.audit_writing, and tmac.restore turns on restore mode; a
 * user able to set any of them could fork the audit chain or replay rows.
 */
static char *tmac_audit_state = NULL;
static char *tmac_audit_writing = NULL;
static char *tmac_restore = NULL;

static void
define_internal_settings(void)
{
	DefineCustomStringVariable("tmac.audit_state",
							   "Running end of the audit chain in this transaction (internal).",
							   NULL, &tmac_audit_state, "", PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	DefineCustomStringVariable("tmac.audit_writing",
							   "Set while tmac itself appends to the audit log (internal).",
							   NULL, &tmac_audit_writing, "", PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	DefineCustomStringVariable("tmac.restore",
							   "Restore mode: tmac's triggers load restored rows as history (superusers only).",
							   NULL, &tmac_restore, "", PGC_SUSET,
							   GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	MarkGUCPrefixReserved("tmac");
}

void
_PG_init(void)
{
	define_internal_settings();
	tmac_seclabel_init();
	tmac_vocabulary_init();
	tmac_access_cache_init();
	tmac_session_end_init();
	tmac_hr_feed_flag_init();
	tmac_own_act_init();
}

PG_FUNCTION_INFO_V1(tmac_cache_invalidate);
Datum
tmac_cache_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("tmac.cache_invalidate() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
