-- Information flow the write-down rule cannot see (issue 17, items 2-3 follow-up): PostgreSQL's
-- referential actions run as the referencing table's owner without row security, so a foreign
-- key that cascades an update of a protected table's key writes that key into the referencing
-- rows — possibly of a lower label, possibly in an unprotected table — with no policy, no
-- refusal and no handling entry.  Catalogs only: no row of any table is read.
CREATE FUNCTION tmac.check_protected_fk_cascade()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN QUERY
  SELECT 'table:' || c.conrelid::regclass::text,
         tmac.message('Table %s has %s referencing %s with ON UPDATE CASCADE, SET NULL or SET DEFAULT: changing a referenced key writes into its rows as the table owner, without row security, whatever their label, unrefused and unrecorded. Use ON UPDATE RESTRICT or NO ACTION (ALTER TABLE … DROP CONSTRAINT, ADD CONSTRAINT), or keys that carry nothing secret.',
                c.conrelid::regclass::text,
                CASE WHEN count(*) > 1 THEN tmac.message('the foreign keys %s', string_agg(quote_ident(c.conname::text), ', ' ORDER BY c.conname))
                     ELSE tmac.message('the foreign key %s', string_agg(quote_ident(c.conname::text), ', ' ORDER BY c.conname)) END,
                CASE WHEN count(DISTINCT c.confrelid) > 1 THEN tmac.message('the protected tables %s', string_agg(DISTINCT c.confrelid::regclass::text, ', '))
                     ELSE tmac.message('the protected table %s', string_agg(DISTINCT c.confrelid::regclass::text, ', ')) END),
         max(p.protected_at)
    FROM pg_catalog.pg_constraint c
    JOIN tmac.protected_table p ON p.relid::oid = c.confrelid
   WHERE c.contype = 'f' AND c.conparentid = 0 AND c.confupdtype IN ('c', 'n', 'd')
   GROUP BY c.conrelid;
END
$$;
COMMENT ON FUNCTION tmac.check_protected_fk_cascade() IS
  'Check protected_fk_cascade: foreign keys with ON UPDATE CASCADE, SET NULL or SET DEFAULT referencing a protected table (the referential action writes into the referencing rows without row security)';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('protected_fk_cascade', 'V', 'medium', tmac.msgid('Foreign key cascading updates from a protected table'),
   tmac.msgid('A foreign key references a protected table with ON UPDATE CASCADE, SET NULL or SET DEFAULT: PostgreSQL''s referential actions run as the table owner without row security, so changing a referenced key writes it into referencing rows of any label, or of an unprotected table, with no write-down refusal and no handling entry.'),
   tmac.msgid('Recreate the foreign key with ON UPDATE RESTRICT or NO ACTION, or reference a key that carries nothing secret (a surrogate key).'),
   'tmac.check_protected_fk_cascade', '{tmac.protected_table}', '{protected_tables}', true);
