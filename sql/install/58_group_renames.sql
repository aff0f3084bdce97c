-- 58_group_renames.sql — persons and grant bindings follow a renamed organisation group.
--
-- tmac.person.org_group and tmac.access_grant.bound_org_group hold group codes
-- (what HR sends and people read).  tmac.rename_group changes a code; this
-- trigger carries the change to both, in the same statement, so a rename is
-- neither a role change for anyone nor a loss of group-based access.

CREATE FUNCTION tmac.org_group_follow_rename() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF NEW.code IS DISTINCT FROM OLD.code AND NOT tmac.restoring() THEN
    UPDATE tmac.person SET org_group = NEW.code WHERE org_group = OLD.code;
    UPDATE tmac.access_grant SET bound_org_group = NEW.code WHERE bound_org_group = OLD.code;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.org_group_follow_rename() IS
  'Trigger: a renamed group''s new code replaces the old one in tmac.person.org_group and tmac.access_grant.bound_org_group';

CREATE TRIGGER follow_rename AFTER UPDATE OF code ON tmac.org_group
  FOR EACH ROW EXECUTE FUNCTION tmac.org_group_follow_rename();
