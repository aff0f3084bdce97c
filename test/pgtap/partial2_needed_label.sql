-- partial2_needed_label.sql — pgTAP: the codes a tmac_vocabulary_needed label names are shown
-- in the error detail with control characters escaped (\xNN), so that a crafted label in a
-- dump cannot forge lines of the server log or terminal sequences.
BEGIN;
SELECT plan(2);
CREATE TABLE pn_doc (id int, label tmac.label);
CREATE FUNCTION pn_detail(label text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  d text;
BEGIN
  EXECUTE format('SECURITY LABEL FOR tmac_vocabulary_needed ON TABLE pn_doc IS %L', label);
  RETURN 'accepted';
EXCEPTION WHEN undefined_object THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN d;
END
$f$;
SELECT is(pn_detail(E'tmac vocabulary needed 1\nC\tPN-X\r2026-12-07 LOG:  forged\nG\tPN\x1b[2JY\\Z'),
          'Missing compartments: PN-X\x0d2026-12-07 LOG:  forged; groups: PN\x1b[2JY\x5cZ.',
          'control characters and backslashes in the missing codes are escaped in the detail');
SELECT is(pn_detail(E'tmac vocabulary needed 1\nC\tPN-ゆ'), 'Missing compartments: PN-ゆ.',
          'other characters are shown as they are');
SELECT * FROM finish();
ROLLBACK;
