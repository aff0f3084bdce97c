/*
 * statistics_hiding.c — planner statistics never reveal hidden rows.
 *
 * ANALYZE summarises every row of a table, hidden or not, in pg_statistic
 * (most common values, histograms, distinct counts, correlation) and in the
 * extended statistics.  PostgreSQL keeps those away from a user whom row
 * security applies to only where an operator is not leakproof; tmac's label
 * operators and the built-in comparison operators are leakproof, so without
 * this file `EXPLAIN ... WHERE secret = 'launch-3'` would estimate how many
 * hidden rows hold 'launch-3'.  With tmac.configure('hide_statistics', 'on')
 * (the default), a query whose acting role cannot read every row of a
 * tmac-protected relation is planned with PostgreSQL's default estimates for
 * that relation's columns: the get_relation_stats and get_index_stats hooks
 * answer "no statistics" (a NULL stats tuple), and the get_relation_info hook
 * drops the relation's extended statistics (rel->statlist), which the
 * planner reads for clause lists and group counts without either hook.
 * PostgreSQL only looks for a histogram's actual end values in an index when
 * there is a histogram, so that probe goes too.  What stays: the table's
 * size (pg_class.reltuples and relpages) and a column's average width.
 *
 * Who gets the real statistics: a role that row security does not apply to
 * (a superuser, a BYPASSRLS role: check_enable_rls), and a person who may
 * read every label the vocabulary can form — active with the prerequisites,
 * cleared for the highest level, holding a read grant for every compartment
 * and reaching every organisation group — decided by the one decision
 * routine (decision.c).  Both the role the rows are read as (the relation's
 * checkAsUser, a view's owner) and the current user — who sees the
 * estimates in EXPLAIN — must be such a role: a cleared person's view
 * granted to an uncleared one would otherwise show the uncleared one
 * estimates of rows only the view's owner may read (issue 17's second
 * review, S-1).  PostgreSQL's own statistics check asks the checkAsUser
 * only.  A table's own classification (SECURITY LABEL FOR tmac)
 * is not used as a ceiling: nothing stops a row above it.
 *
 * Cost: the planner asks per column and index several times a query.  The
 * relation test is a relcache look at its policies; the setting is read once
 * per governance generation (one query as tmac's owner; like a profile, with
 * the committed state only once the acting role changed governance data in
 * this transaction, so an administrator's own uncommitted "off" never
 * widens what their statements show — rule 6 of profile_cache.c), kept across
 * statements only when the generation is settled (profile_cache.c, rule 2);
 * the person's answer is memoised per role and generation, for the statement
 * and for as long as the profile cache keeps the same fetch of the profile,
 * and the profile comes from the profile cache.  Every invalidation that could
 * change an answer bumps the generation (a setting, a grant, the vocabulary
 * are governance tables) or the relcache (policies), so a memo is never
 * stale.
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/index.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/pathnodes.h"
#include "utils/rls.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"

#include "decision.h"
#include "extension.h"
#include "label.h"
#include "owner_query.h"
#include "profile_cache.h"
#include "statistics_hiding.h"
#include "vocabulary.h"

/* hide_statistics as last read: -1 unknown, else 0/1 */
static int	HideSetting = -1;
static bool HideCommitted = false;
static uint64 HideGeneration = 0;
static bool HideSettled = false;
static TimestampTz HideStmt = 0;

/* the last role answered, and the profile fetch it was answered from */
static Oid	MemoRole = InvalidOid;
static uint64 MemoGeneration = 0;
static TimestampTz MemoStmt = 0;
static bool MemoReadsAll = false;
static const TmacProfile *MemoProfile = NULL;
static LocalTransactionId MemoFillLxid = InvalidLocalTransactionId;
static TimestampTz MemoFillStmt = 0;

static void
read_setting(SPITupleTable *rows, uint64 n, void *arg)
{
	bool		isnull;
	Datum		d;

	if (n > 1)
		elog(ERROR, "tmac: hide_statistics lookup returned " UINT64_FORMAT " rows", n);
	if (n == 0)
	{
		*(bool *) arg = true;	/* no such setting: hide, as a NULL value does */
		return;
	}
	d = SPI_getbinval(rows->vals[0], rows->tupdesc, 1, &isnull);
	*(bool *) arg = isnull || DatumGetBool(d);
}

static bool
hide_setting_on(void)
{
	TimestampTz stmt = GetCurrentStatementStartTimestamp();
	static const Oid types[] = {BOOLOID};
	bool		committed = tmac_committed_state_only();
	uint64		gen;
	bool		on = true;

	if (HideSetting >= 0 && HideGeneration == tmac_access_generation &&
		HideCommitted == committed && (HideSettled || HideStmt == stmt))
		return HideSetting == 1;
	gen = tmac_access_generation;
	/*
	 * The value in force as tmac.settings defines it, read in plain SQL: not
	 * through tmac.setting_value(), which is PL/pgSQL — a new connection's
	 * first protected statement would load and compile PL/pgSQL for it, most
	 * of what protection added to a connection's cold start (issue 23).
	 */
	tmac_owner_query("SELECT s.value::pg_catalog.bool FROM tmac.settings s"
					 " WHERE s.key OPERATOR(pg_catalog.=) 'hide_statistics'",
					 0, NULL, NULL, lengthof(types), types, true,
					 committed ? TMAC_SNAPSHOT_CURRENT_COMMITTED : TMAC_SNAPSHOT_CURRENT,
					 read_setting, &on);
	HideSetting = on ? 1 : 0;
	HideCommitted = committed;
	HideGeneration = gen;
	HideSettled = tmac_generation_settled();
	HideStmt = stmt;
	return on;
}

/* May the role read every label the vocabulary can form? */
static bool
reads_every_label(Oid role)
{
	TmacProfile *p;
	TmacVocabulary *v;
	int32	   *compartments;
	TmacLabel  *top;
	int			i;
	bool		all;
	uint64		gen = tmac_access_generation;
	TimestampTz stmt = GetCurrentStatementStartTimestamp();

	if (MemoRole == role && MemoGeneration == gen && MemoStmt == stmt)
		return MemoReadsAll;
	p = tmac_profile_for(role);

	/*
	 * A later statement: the answer stands while the profile is the same
	 * fetch, kept across statements (durable: the cache's own entry, neither
	 * a cursor's pinned copy, a parallel worker's adopted one nor one read
	 * with the committed state only) and the generation has not moved (the
	 * vocabulary is governance data too).  A fetch again — expiry, an
	 * invalidation, a new snapshot — stamps the entry with its own statement.
	 * This spares every statement's planning a label of every compartment and
	 * its decision (issue 23).
	 */
	if (MemoRole == role && MemoGeneration == gen && tmac_access_generation == gen &&
		p == MemoProfile && p->durable &&
		p->fill_lxid == MemoFillLxid && p->fill_stmt == MemoFillStmt)
	{
		MemoStmt = stmt;
		return MemoReadsAll;
	}
	v = tmac_vocabulary();
	compartments = palloc(sizeof(int32) * Max(v->ncompartments, 1));
	for (i = 0; i < v->ncompartments; i++)
		compartments[i] = v->compartments[i].id;
	top = tmac_label_make(v->nlevels > 0 ? v->levels[v->nlevels - 1].rank : 0,
						  compartments, v->ncompartments, NULL, 0);
	all = tmac_decide(p, top, TMAC_READ, NULL, NULL, NULL);
	pfree(top);
	/* a row may name any one group: the person must reach each */
	for (i = 0; all && i < v->ngroups; i++)
	{
		TmacLabel  *one = tmac_label_make(0, NULL, 0, &v->groups[i].id, 1);

		one->rank = (int16) (v->nlevels > 0 ? v->levels[0].rank : 0);
		all = tmac_decide(p, one, TMAC_READ, NULL, NULL, NULL);
		pfree(one);
	}
	pfree(compartments);
	MemoRole = role;
	MemoGeneration = gen;		/* an invalidation meanwhile leaves the memo stale */
	MemoStmt = stmt;
	MemoReadsAll = all;
	MemoProfile = p;
	MemoFillLxid = p->fill_lxid;
	MemoFillStmt = p->fill_stmt;
	return all;
}

/* Is row security on for the role, and some label beyond its reach? */
static bool
hidden_from(Oid relid, Oid role)
{
	return check_enable_rls(relid, role, true) == RLS_ENABLED && !reads_every_label(role);
}

bool
tmac_statistics_hidden(Oid relid, Oid check_as_user)
{
	Oid			user = GetUserId();
	const TmacExtension *ext = tmac_extension();

	if (!ext->installed || !OidIsValid(ext->label_type) || !OidIsValid(relid))
		return false;
	if (!tmac_relation_protected(relid))
		return false;
	/* the rows are read as the view's owner, but the estimates are shown to the current user */
	if (!hidden_from(relid, user) &&
		!(OidIsValid(check_as_user) && check_as_user != user && hidden_from(relid, check_as_user)))
		return false;
	return hide_setting_on();
}

bool
tmac_statistics_hidden_index(PlannerInfo *root, Oid indexoid)
{
	Oid			heap = IndexGetRelation(indexoid, true);
	bool		seen = false;
	int			i;

	if (!OidIsValid(heap))
		return false;
	/* decide for every role the query reads the table as */
	for (i = 1; root != NULL && root->simple_rte_array != NULL && i < root->simple_rel_array_size; i++)
	{
		RangeTblEntry *rte = root->simple_rte_array[i];

		if (rte != NULL && rte->rtekind == RTE_RELATION && rte->relid == heap)
		{
			seen = true;
			if (tmac_statistics_hidden(heap, rte->checkAsUser))
				return true;
		}
	}
	return !seen && tmac_statistics_hidden(heap, InvalidOid);
}

bool
tmac_statistics_withhold(VariableStatData *vardata)
{
	vardata->statsTuple = NULL;
	vardata->freefunc = ReleaseSysCache;
	vardata->acl_ok = false;
	return true;
}
