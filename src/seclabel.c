/*
 * seclabel.c — the "tmac" security label provider.
 *
 * SECURITY LABEL FOR tmac ON TABLE/COLUMN/SCHEMA ... IS '社外秘' classifies
 * the object itself (SPEC §3.3).  PostgreSQL only accepts labels for a
 * provider that is loaded in the session, so tmac must be listed in
 * shared_preload_libraries or session_preload_libraries (see README).  The
 * provider accepts exactly what tmac.label input accepts.  PostgreSQL stores
 * the text as written (a provider cannot change it); tmac.object_label reads
 * it back as a tmac.label, so it always shows the canonical form, and the
 * rename functions rewrite every stored label in canonical form.
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "commands/seclabel.h"
#include "utils/lsyscache.h"

#include "label.h"
#include "vocabulary_copy.h"

static void
tmac_object_relabel(const ObjectAddress *object, const char *seclabel)
{
	if (object->classId == RelationRelationId)
	{
		char		relkind = get_rel_relkind(object->objectId);

		if (object->objectSubId == 0 &&
			relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
			relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW &&
			relkind != RELKIND_FOREIGN_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("tmac labels tables, views, columns and schemas only")));
	}
	else if (object->classId != NamespaceRelationId)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tmac labels tables, views, columns and schemas only")));

	if (seclabel == NULL)		/* SECURITY LABEL ... IS NULL removes it */
		return;
	if (tmac_object_label_deferred(seclabel))	/* a restore, before CREATE EXTENSION tmac */
		return;
	(void) tmac_label_from_text(seclabel);
}

void		tmac_seclabel_init(void);

void
tmac_seclabel_init(void)
{
	register_label_provider("tmac", tmac_object_relabel);
}
