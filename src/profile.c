/*
 * profile.c — the access profile as a value: id sets, copy, intersection and
 * the text form a leader hands its parallel workers.
 *
 * A leaf: it depends on no other tmac file (test/scripts/prof_leaf.sh checks
 * that with nm), so the cache, the shared table and the hand-off can all use
 * it without depending on one another.  What the fields mean is profile.h.
 */
#include "postgres.h"
#include "message_catalog.h"

#include <ctype.h>

#include "utils/memutils.h"

#include "profile.h"

void
tmac_idset_build(TmacIdSet *s, const int32 *src, int count, MemoryContext cxt)
{
	int			i,
				j;
	int32		hi = 0;

	s->n = 0;
	s->ids = MemoryContextAlloc(cxt, sizeof(int32) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		int32		x = src[i];

		if (x <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("tmac: an access profile holds the identifier %d", x)));
		for (j = s->n; j > 0 && s->ids[j - 1] > x; j--)
			s->ids[j] = s->ids[j - 1];
		if (j > 0 && s->ids[j - 1] == x)
		{
			memmove(&s->ids[j], &s->ids[j + 1], sizeof(int32) * (s->n - j));
			continue;
		}
		s->ids[j] = x;
		s->n++;
	}
	for (i = 0; i < s->n; i++)
	{
		Assert(i == 0 || s->ids[i - 1] < s->ids[i]);
		hi = Max(hi, s->ids[i]);
	}
	s->max = hi + 1;
	s->bits = MemoryContextAllocZero(cxt, sizeof(uint64) * (hi / 64 + 1));
	for (i = 0; i < s->n; i++)
		s->bits[s->ids[i] / 64] |= UINT64CONST(1) << (s->ids[i] % 64);
}

void
tmac_profile_copy(TmacProfile *dst, const TmacProfile *src, MemoryContext cxt)
{
	*dst = *src;
	dst->cxt = NULL;
	dst->person_id = src->person_id ? MemoryContextStrdup(cxt, src->person_id) : NULL;
	tmac_idset_build(&dst->read, src->read.ids, src->read.n, cxt);
	tmac_idset_build(&dst->write, src->write.ids, src->write.n, cxt);
	tmac_idset_build(&dst->reach, src->reach.ids, src->reach.n, cxt);
}

/* a := a ∩ b (both sorted), rebuilding the bitmap in cxt */
static void
idset_intersect(TmacIdSet *a, const TmacIdSet *b, MemoryContext cxt)
{
	int32	   *both = palloc(sizeof(int32) * Max(a->n, 1));
	int			n = 0,
				i;

	for (i = 0; i < a->n; i++)
		if (tmac_idset_has(b, a->ids[i]))
			both[n++] = a->ids[i];
	tmac_idset_build(a, both, n, cxt);
	pfree(both);
}

void
tmac_profile_intersect(TmacProfile *p, const TmacProfile *q, MemoryContext cxt)
{
	p->mapped = p->mapped || q->mapped;
	if (p->person_id == NULL)
		p->person_id = q->person_id;
	p->active = p->active && q->active;
	p->pledge_ok = p->pledge_ok && q->pledge_ok;
	p->training_ok = p->training_ok && q->training_ok;
	p->has_clearance = p->has_clearance && q->has_clearance;
	p->clearance_rank = Min(p->clearance_rank, q->clearance_rank);
	if (p->org_group_id != q->org_group_id)
		p->org_group_id = 0;
	idset_intersect(&p->read, &q->read, cxt);
	idset_intersect(&p->write, &q->write, cxt);
	idset_intersect(&p->reach, &q->reach, cxt);
	p->valid_until = Min(p->valid_until, q->valid_until);
}

/* ---- the text form ---- */

static void
idset_out(StringInfo buf, const TmacIdSet *s)
{
	int			i;

	appendStringInfoChar(buf, ' ');
	for (i = 0; i < s->n; i++)
		appendStringInfo(buf, "%s%d", i ? "," : "", s->ids[i]);
	if (s->n == 0)
		appendStringInfoChar(buf, '-');
}

/* ";roleid flags rank group valid_until person-hex-or-- read write reach" */
void
tmac_profile_out(StringInfo buf, const TmacProfile *p)
{
	appendStringInfo(buf, ";%u %d%d%d%d%d%d %d %d " INT64_FORMAT " ",
					 p->roleid, p->mapped, p->active, p->pledge_ok, p->training_ok,
					 p->has_clearance, p->committed_only, p->clearance_rank, p->org_group_id,
					 (int64) p->valid_until);
	if (p->person_id == NULL)
		appendStringInfoChar(buf, '-');
	else
	{
		const char *c;

		for (c = p->person_id; *c; c++)
			appendStringInfo(buf, "%02x", (unsigned char) *c);
	}
	idset_out(buf, &p->read);
	idset_out(buf, &p->write);
	idset_out(buf, &p->reach);
}

/* One id set from s into set; NULL when malformed. */
static char *
idset_in(char *s, TmacIdSet *set, MemoryContext cxt)
{
	int32	   *ids = palloc(sizeof(int32) * (strlen(s) / 2 + 1));
	int			n = 0;

	while (*s == ' ')
		s++;
	if (*s == '-')
		s++;
	else
		for (;;)
		{
			char	   *end;
			long		x = strtol(s, &end, 10);

			if (end == s)
				return NULL;
			ids[n++] = (int32) x;
			s = end;
			if (*s != ',')
				break;
			s++;
		}
	tmac_idset_build(set, ids, n, cxt);
	pfree(ids);
	return s;
}

/* Parse what tmac_profile_out wrote, *s at its ';'; the bookkeeping fields are left alone. */
bool
tmac_profile_in(char **sp, TmacProfile *p, MemoryContext cxt)
{
	char	   *s = *sp;
	unsigned int roleid;
	int			flags[6];
	int			rank,
				group;
	long long	until;
	int			consumed;
	int			i;

	if (*s != ';' ||
		sscanf(s + 1, "%u %1d%1d%1d%1d%1d%1d %d %d %lld %n", &roleid, &flags[0], &flags[1],
			   &flags[2], &flags[3], &flags[4], &flags[5], &rank, &group, &until, &consumed) != 10)
		return false;
	s += 1 + consumed;
	if (*s == '-')
		s++;
	else
	{
		StringInfoData id;

		initStringInfo(&id);
		while (isxdigit((unsigned char) s[0]) && isxdigit((unsigned char) s[1]))
		{
			char		hex[3] = {s[0], s[1], 0};

			appendStringInfoChar(&id, (char) strtol(hex, NULL, 16));
			s += 2;
		}
		p->person_id = MemoryContextStrdup(cxt, id.data);
		pfree(id.data);
	}
	if ((s = idset_in(s, &p->read, cxt)) == NULL ||
		(s = idset_in(s, &p->write, cxt)) == NULL ||
		(s = idset_in(s, &p->reach, cxt)) == NULL)
		return false;
	for (i = 0; i < 6; i++)
		if (flags[i] != 0 && flags[i] != 1)
			return false;
	p->roleid = (Oid) roleid;
	p->mapped = flags[0];
	p->active = flags[1];
	p->pledge_ok = flags[2];
	p->training_ok = flags[3];
	p->has_clearance = flags[4];
	p->committed_only = flags[5];
	p->clearance_rank = rank;
	p->org_group_id = group;
	p->valid_until = (TimestampTz) until;
	*sp = s;
	return true;
}
