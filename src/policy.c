/*
 * policy.c — row decisions for protected tables, and explaining them.
 *
 * tmac.row_readable(label) and tmac.row_writable(label) are what the policies
 * that tmac.protect() creates call for every row: they take the row's label
 * only, find the acting role's profile in the per-backend cache
 * (profile_cache.c) and ask the one decision routine (decision.c).
 * tmac.can_read/can_write are the same functions for any label.  A row
 * allowed is counted for the access statistics (access_stats.c), which
 * ignores the calls of can_read/can_write.
 *
 * tmac.explain_access(person_id, label) lists every check with its outcome;
 * tmac.deny_reason_as(role, label) names the first failing check, and
 * tmac.hidden_rows_for(table, role) counts a table's rows by it.  They reveal
 * another person's decisions and check who is asking.  hidden_rows_for reads
 * the rows past the policies through owner_scan.c, which runs no code of the
 * table's owner.
 *
 * A refused row is counted for EXPLAIN ANALYZE (explain_withhold.c).
 *
 * An allowed row also raises the transaction's high-water mark, and a new
 * row written must dominate it (information_flow.c).
 */
#include "postgres.h"
#include "message_catalog.h"

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "access_stats.h"
#include "decision.h"
#include "explain_withhold.h"
#include "handling_events.h"
#include "information_flow.h"
#include "owner_scan.h"
#include "profile_cache.h"

/*
 * The acting role's profile.  In the policy quals of a table read through a
 * view without security_invoker, the planner hook (view_owner.c) has added
 * the view owner's OID as a second argument: decide for that role then.
 */
static inline TmacProfile *
acting_profile(FunctionCallInfo fcinfo)
{
	return tmac_profile_for(likely(PG_NARGS() < 2) ? GetUserId() : PG_GETARG_OID(1));
}

/*
 * One row's policy decision.  A row let through is noted for the statement:
 * the level of what it handles (handling_events.c) and the access counters
 * (access_stats.c); a refused row is only counted (explain_withhold.h).
 *
 * row_readable and row_writable are called on NULL (can_read and can_write,
 * the same C functions, are STRICT): a row without a label, which nobody may
 * read or write, is refused here and counted as hidden like any other, so
 * that EXPLAIN ANALYZE does not count the unlabelled rows.
 */
static pg_attribute_always_inline bool
decide_row(FunctionCallInfo fcinfo, TmacMode mode)
{
	Datum		d;
	TmacLabel  *l;
	TmacProfile *p;

	if (unlikely(PG_ARGISNULL(0)))
	{
		tmac_note_hidden_row();
		return false;
	}
	d = PG_GETARG_DATUM(0);

	/*
	 * A label is stored plain, with a 4-byte header: it is used in place.
	 * Only a label that reached us packed or toasted some other way (a
	 * record's field, say) goes through the detoaster, which is otherwise a
	 * call per row.
	 */
	l = likely(!VARATT_IS_EXTENDED(DatumGetPointer(d)))
		? (TmacLabel *) DatumGetPointer(d) : DatumGetTmacLabel(d);
	p = acting_profile(fcinfo);
	if (!tmac_decide_inline(p, l, mode, NULL, NULL, NULL))
	{
		tmac_note_hidden_row();
		return false;
	}
	tmac_handling_note_rank(l->rank);
	tmac_access_stats_count(fcinfo, p, l);
	if (mode == TMAC_READ)
		tmac_flow_row_read(fcinfo, l);
	else
		tmac_flow_row_write(fcinfo, l);
	return true;
}

/* The policy functions of a protected table's read and write policies (decide_row). */
PG_FUNCTION_INFO_V1(tmac_row_readable);
Datum
tmac_row_readable(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(decide_row(fcinfo, TMAC_READ));
}

PG_FUNCTION_INFO_V1(tmac_row_writable);
Datum
tmac_row_writable(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(decide_row(fcinfo, TMAC_WRITE));
}

/* Members of these roles may ask about other people's access. */
static bool
may_ask_about_others(void)
{
	static const char *roles[] = {"tmac_admin", "tmac_access_admin", "tmac_auditor"};
	int			i;

	for (i = 0; i < lengthof(roles); i++)
	{
		Oid			r = get_role_oid(roles[i], true);

		if (OidIsValid(r) && has_privs_of_role(GetUserId(), r))
			return true;
	}
	return false;
}

/* deny_reason_as(login_role name, label): NULL when readable, else the first failing check */
PG_FUNCTION_INFO_V1(tmac_deny_reason_as);
Datum
tmac_deny_reason_as(PG_FUNCTION_ARGS)
{
	Name		role = PG_GETARG_NAME(0);
	TmacLabel  *l = PG_GETARG_TMAC_LABEL(1);
	Oid			roleid = get_role_oid(NameStr(*role), false);
	TmacProfile *p;
	TmacCheck	failed = TMAC_CHECK_ACTIVE;

	if (roleid != GetUserId() && !may_ask_about_others())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to ask about the access of role \"%s\"",
						NameStr(*role)),
				 errhint("Membership of tmac_access_admin, tmac_auditor or tmac_admin is needed.")));
	p = tmac_profile_lookup(roleid);
	if (tmac_decide(p, l, TMAC_READ, &failed, NULL, NULL))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(p->mapped ? tmac_check_name(failed) : "unmapped"));
}

/* What tmac.hidden_rows_for() counts: rows by their first failing check. */
typedef struct HiddenCount
{
	Oid			roleid;
	int64		unmapped;
	int64		failed[TMAC_CHECK_GROUP + 1];
} HiddenCount;

static void
count_hidden(const TmacLabel *l, void *arg)
{
	HiddenCount *c = (HiddenCount *) arg;
	TmacProfile *p = tmac_profile_for(c->roleid);
	TmacCheck	failed = TMAC_CHECK_ACTIVE;

	if (tmac_decide(p, l, TMAC_READ, &failed, NULL, NULL))
		return;
	if (p->mapped)
		c->failed[failed]++;
	else
		c->unmapped++;
}

typedef struct ReasonCount
{
	const char *reason;
	int64		hidden;
} ReasonCount;

static int
reason_cmp(const void *a, const void *b)
{
	return strcmp(((const ReasonCount *) a)->reason, ((const ReasonCount *) b)->reason);
}

/*
 * hidden_rows_for(tbl regclass, login_role name) RETURNS TABLE (reason text,
 * hidden bigint): how many rows of a protected table (and of everything below
 * it) the role cannot read, by the first failing check, in reason order.
 * EXECUTE is granted to those who may ask about others; asking about another
 * role also needs their membership here, as deny_reason_as does.
 */
PG_FUNCTION_INFO_V1(tmac_hidden_rows_for);
Datum
tmac_hidden_rows_for(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HiddenCount c;
	ReasonCount out[TMAC_CHECK_GROUP + 2];
	int			n = 0;
	int			i;

	for (i = 0; i < 2; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("hidden_rows_for: %s must not be null", i == 0 ? "tbl" : "login_role")));
	memset(&c, 0, sizeof(c));
	c.roleid = get_role_oid(NameStr(*PG_GETARG_NAME(1)), false);
	if (c.roleid != GetUserId() && !may_ask_about_others())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to ask about the access of role \"%s\"",
						NameStr(*PG_GETARG_NAME(1))),
				 errhint("Membership of tmac_access_admin, tmac_auditor or tmac_admin is needed.")));

	tmac_scan_protected_labels(PG_GETARG_OID(0), count_hidden, &c);

	for (i = 0; i <= TMAC_CHECK_GROUP; i++)
		if (c.failed[i] > 0)
		{
			out[n].reason = tmac_check_name((TmacCheck) i);
			out[n++].hidden = c.failed[i];
		}
	if (c.unmapped > 0)
	{
		out[n].reason = "unmapped";
		out[n++].hidden = c.unmapped;
	}
	qsort(out, n, sizeof(ReasonCount), reason_cmp);

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < n; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(out[i].reason);
		values[1] = Int64GetDatum(out[i].hidden);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

static const char *
level_text(TmacVocabulary *v, int32 rank)
{
	const TmacLevel *lv = tmac_vocab_level(v, (int16) rank);

	return lv ? psprintf("%s (%d)", lv->code, rank) : psprintf(tmac_translate(gettext_noop("rank %d")), rank);
}

static void
put_row(Tuplestorestate *ts, TupleDesc desc, const char *check, bool passed, const char *reason)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = CStringGetTextDatum(check);
	values[1] = BoolGetDatum(passed);
	values[2] = CStringGetTextDatum(reason);
	tuplestore_putvalues(ts, desc, values, nulls);
}

/* What the decision reported, for explain_access to word. */
typedef struct Outcome
{
	bool		passed[TMAC_CHECK_GROUP + 1];
	int			ncompartments;
	int32	   *compartments;
	bool	   *compartment_passed;
} Outcome;

static void
collect(void *arg, TmacCheck check, int32 id, bool passed)
{
	Outcome    *o = (Outcome *) arg;

	if (check == TMAC_CHECK_COMPARTMENT)
	{
		o->compartments[o->ncompartments] = id;
		o->compartment_passed[o->ncompartments++] = passed;
	}
	else
		o->passed[check] = passed;
}

/* explain_access(person_id text, label) RETURNS TABLE (check text, passed boolean, reason text) */
PG_FUNCTION_INFO_V1(tmac_explain_access);
Datum
tmac_explain_access(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *person_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TmacLabel  *l = PG_GETARG_TMAC_LABEL(1);
	TmacProfile prof;
	TmacProfile *self;
	TmacVocabulary *v;
	Outcome		o;
	const int32 *g;
	int			i;

	self = tmac_profile_for(GetUserId());
	/* one's own person may be named by one's login role too (e004 for E004), unless a person has that id */
	if (self->mapped && self->person_id && strcmp(self->person_id, person_id) != 0 &&
		strcmp(GetUserNameFromId(GetUserId(), false), person_id) == 0 &&
		!tmac_profile_of_person(person_id, &prof))
		person_id = pstrdup(self->person_id);
	if (!(self->mapped && self->person_id && strcmp(self->person_id, person_id) == 0) &&
		!may_ask_about_others())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to explain the access of person \"%s\"", person_id),
				 errdetail("A person may explain their own access only."),
				 errhint("Membership of tmac_access_admin, tmac_auditor or tmac_admin is needed to ask about others.")));

	if (!tmac_profile_of_person(person_id, &prof))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("person \"%s\" does not exist", person_id),
				 errhint("Persons are created by a hire event in tmac.hr_event.")));

	memset(&o, 0, sizeof(o));
	o.passed[TMAC_CHECK_GROUP] = true;	/* reported only when the label names groups */
	o.compartments = palloc(sizeof(int32) * Max(l->ncompartments, 1));
	o.compartment_passed = palloc(sizeof(bool) * Max(l->ncompartments, 1));
	(void) tmac_decide(&prof, l, TMAC_READ, NULL, collect, &o);

	InitMaterializedSRF(fcinfo, 0);
	v = tmac_vocabulary();

	put_row(rsinfo->setResult, rsinfo->setDesc, "active", o.passed[TMAC_CHECK_ACTIVE],
			tmac_check_reason(TMAC_CHECK_ACTIVE, o.passed[TMAC_CHECK_ACTIVE]));

	if (o.passed[TMAC_CHECK_CLEARANCE])
		put_row(rsinfo->setResult, rsinfo->setDesc, "clearance", true,
				prof.has_clearance
				? psprintf(tmac_translate(gettext_noop("clearance %s covers %s")), level_text(v, prof.clearance_rank), level_text(v, l->rank))
				: psprintf(tmac_translate(gettext_noop("no clearance is needed for the lowest level %s")), level_text(v, l->rank)));
	else
		put_row(rsinfo->setResult, rsinfo->setDesc, "clearance", false,
				prof.has_clearance
				? psprintf(tmac_translate(gettext_noop("clearance %s is below %s")), level_text(v, prof.clearance_rank), level_text(v, l->rank))
				: psprintf(tmac_translate(gettext_noop("no current clearance; %s needs one")), level_text(v, l->rank)));

	for (i = 0; i < o.ncompartments; i++)
	{
		const TmacCompartment *cc = tmac_vocab_compartment(v, o.compartments[i]);
		const char *code = cc ? cc->code : psprintf("#%d", o.compartments[i]);
		bool		ok = o.compartment_passed[i];

		put_row(rsinfo->setResult, rsinfo->setDesc, psprintf("compartment %s", code), ok,
				ok ? psprintf(tmac_translate(gettext_noop("a current read grant for %s")), code)
				: psprintf(tmac_translate(gettext_noop("no current read grant for %s")), code));
	}
	if (l->ncompartments == 0)
		put_row(rsinfo->setResult, rsinfo->setDesc, "compartments", true,
				tmac_translate(gettext_noop("the label names no compartment")));

	g = TMAC_LABEL_GROUPS(l);
	if (l->ngroups == 0)
		put_row(rsinfo->setResult, rsinfo->setDesc, "group", true,
				tmac_translate(gettext_noop("the label names no group")));
	else
	{
		const TmacGroup *pg = prof.org_group_id ? tmac_vocab_group(v, prof.org_group_id) : NULL;
		bool		gok = o.passed[TMAC_CHECK_GROUP];
		StringInfoData need;

		initStringInfo(&need);
		for (i = 0; i < l->ngroups; i++)
		{
			const TmacGroup *gg = tmac_vocab_group(v, g[i]);

			appendStringInfo(&need, "%s%s", i ? ", " : "", gg ? gg->code : "?");
		}
		put_row(rsinfo->setResult, rsinfo->setDesc, "group", gok,
				pg == NULL ? psprintf(tmac_translate(gettext_noop("the person belongs to no group; the label needs %s")), need.data)
				: gok ? psprintf(tmac_translate(gettext_noop("member of %s, which is or encloses %s")), pg->code, need.data)
				: psprintf(tmac_translate(gettext_noop("member of %s, which neither is nor encloses %s")), pg->code, need.data));
	}

	put_row(rsinfo->setResult, rsinfo->setDesc, "pledge", o.passed[TMAC_CHECK_PLEDGE],
			tmac_check_reason(TMAC_CHECK_PLEDGE, o.passed[TMAC_CHECK_PLEDGE]));
	put_row(rsinfo->setResult, rsinfo->setDesc, "training", o.passed[TMAC_CHECK_TRAINING],
			tmac_check_reason(TMAC_CHECK_TRAINING, o.passed[TMAC_CHECK_TRAINING]));
	return (Datum) 0;
}
