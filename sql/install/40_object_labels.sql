-- 40_object_labels.sql — labels on tables, columns and schemas (SECURITY LABEL FOR tmac).
--
-- The provider itself is C (src/seclabel.c); this view is how people and the
-- compliance checks read the labels back.

CREATE VIEW tmac.object_label AS
  SELECT o.type          AS object_type,
         o.identity      AS object_identity,
         s.classoid, s.objoid, s.objsubid,
         s.label::tmac.label AS label,
         tmac.marking(s.label::tmac.label) AS marking
    FROM pg_catalog.pg_seclabel s,
         LATERAL pg_catalog.pg_identify_object(s.classoid, s.objoid, s.objsubid) o
   WHERE s.provider = 'tmac';
COMMENT ON VIEW tmac.object_label IS
  'Every table, column and schema classified with SECURITY LABEL FOR tmac, with its label and marking';

-- Every change of an object's label is audited: the provider (src/seclabel.c)
-- calls this as the extension owner, with a pinned search_path, before
-- PostgreSQL stores the new label (so both are in the same transaction).
-- Restored labels are history (restore mode, see 50_audit_log.sql), and
-- setting the label an object already has changes nothing.
CREATE FUNCTION tmac.object_label_audit(classoid oid, objoid oid, objsubid integer,
                                        old_label text, new_label text)
  RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  o record;
BEGIN
  IF tmac.restoring() OR old_label IS NOT DISTINCT FROM new_label THEN
    RETURN;
  END IF;
  SELECT i.type, i.identity INTO o FROM pg_catalog.pg_identify_object(classoid, objoid, objsubid) i;
  PERFORM tmac.audit_append('object_label', 'SECURITY LABEL', o.identity,
            pg_catalog.jsonb_build_object('object_type', o.type, 'object_identity', o.identity,
                                          'old', old_label, 'new', new_label));
END
$$;
COMMENT ON FUNCTION tmac.object_label_audit(oid, oid, integer, text, text) IS 'Internal (label provider): appends a change of an object''s tmac label (old, new; NULL when absent) to the audit log';
