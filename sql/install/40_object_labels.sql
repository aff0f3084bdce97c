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
GRANT SELECT ON tmac.object_label TO PUBLIC;
