-- label_io: text and binary input/output of tmac.label, and every input error.
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- label_error(text): the SQLSTATE and message raised by label input, or 'ok: <label>'
CREATE FUNCTION pg_temp.label_error(input text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN 'ok: ' || input::tmac.label::text;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, '[[:cntrl:]]', '?', 'g');
END
$$;

-- Codes, Japanese names and aliases; ASCII case is ignored; output is canonical.
SELECT input, input::tmac.label AS label
  FROM (VALUES (1, 'CONFIDENTIAL'), (2, '社外秘'), (3, '対外秘'), (4, 'confidential'),
               (5, 'Top_Secret'), (6, '極秘'), (7, '公開'), (8, 'internal'),
               (9, '極秘:PRJ-B,PRJ-A:DEV'), (10, 'secret:prj-a'), (11, '秘:プロジェクトA,製品設計図'),
               (12, 'SECRET:BLUEPRINT,PRJ-B,PRJ-A:SALES,DEV-1,DEV'),
               (13, 'SECRET::SALES'), (14, 'SECRET:PRJ-A:開発部,営業部'),
               (15, 'INTERNAL::dev-1')) AS v(n, input)
 ORDER BY n;

-- White space (ASCII and the ideographic space U+3000) around tokens is ignored.
SELECT n, input::tmac.label AS label
  FROM (VALUES (1, '  SECRET  '), (2, E'\tSECRET\n'), (3, '　極秘　'),
               (4, ' SECRET : PRJ-A , PRJ-B : DEV '), (5, E'SECRET\r\n:\fPRJ-A\x0b'),
               (6, '　秘　:　プロジェクトA　,　PRJ-B　:　開発部　')) AS v(n, input)
 ORDER BY n;

-- Trailing and empty sections mean "none"; output has no trailing colons.
SELECT n, input, input::tmac.label AS label
  FROM (VALUES (1, 'SECRET:'), (2, 'SECRET::'), (3, 'SECRET:PRJ-A:'), (4, 'SECRET: : '),
               (5, 'SECRET::DEV'), (6, 'SECRET:PRJ-A:DEV')) AS v(n, input)
 ORDER BY n;

-- Spellings of one label are equal, and output text reads back to the same label.
SELECT '極秘:プロジェクトA:開発部'::tmac.label = 'top_secret:prj-a:dev'::tmac.label AS same_label,
       ('SECRET:PRJ-B,PRJ-A'::tmac.label)::text::tmac.label = 'SECRET:PRJ-A,PRJ-B'::tmac.label AS reads_back;

-- Malformed text: 22P02.
SELECT n, pg_temp.label_error(input) AS result
  FROM (VALUES (1, ''), (2, '   '), (3, '　'), (4, ':'), (5, ':::'), (6, ',,'),
               (7, ':PRJ-A'), (8, 'SECRET:PRJ-A,'), (9, 'SECRET:,PRJ-A'), (10, 'SECRET:PRJ-A,,PRJ-B'),
               (11, 'SECRET:PRJ-A:DEV:SALES'), (12, 'SECRET:A:B:C'), (13, 'SECRET::DEV,'),
               (14, E'SECRET\x01'), (15, E'SEC\tRET'), (16, E'SECRET:PRJ-A\x7f'),
               (17, E'SECRET::DEV\x1b'), (18, 'SECRET,PRJ-A'), (19, ',,:'),
               (20, 'SECRET PRJ-A')) AS v(n, input)
 ORDER BY n;

-- Unknown level, compartment or group: 42704, naming the token.
SELECT n, pg_temp.label_error(input) AS result
  FROM (VALUES (1, 'NOPE'), (2, 'SECRET:NOPE'), (3, 'SECRET::NOPE'), (4, 'SECRET:PRJ-A:PRJ-A'),
               (5, 'PRJ-A'), (6, 'SECRET:DEV'), (7, '秘：PRJ-A'), (8, 'S E C R E T'),
               (9, 'ＳＥＣＲＥＴ'), (10, repeat('A', 300))) AS v(n, input)
 ORDER BY n;

-- A component named twice, by any spelling: 22P02.
SELECT n, pg_temp.label_error(input) AS result
  FROM (VALUES (1, 'SECRET:PRJ-A,PRJ-A'), (2, 'SECRET:PRJ-A,prj-a'), (3, 'SECRET:PRJ-A,プロジェクトA'),
               (4, 'SECRET::DEV,開発部'), (5, 'SECRET:PRJ-B,PRJ-A,PRJ-B')) AS v(n, input)
 ORDER BY n;

-- Limits: 54000.
SELECT pg_temp.label_error(repeat('A', 5000)) AS too_long;
SELECT pg_temp.label_error('SECRET:' || repeat('PRJ-A,', 128) || 'PRJ-A') AS too_many_compartments;
SELECT pg_temp.label_error('SECRET::' || repeat('DEV,', 32) || 'DEV') AS too_many_groups;
-- 128 compartments pass the syntax check and fail only as duplicates
SELECT pg_temp.label_error('SECRET:' || repeat('PRJ-A,', 127) || 'PRJ-A') AS at_the_limit;

-- The errors as a client sees them, with their SQLSTATE.
SELECT ''::tmac.label;
\echo :LAST_ERROR_SQLSTATE
SELECT 'SECRET:NOPE'::tmac.label;
\echo :LAST_ERROR_SQLSTATE
SELECT 'SECRET:PRJ-A,プロジェクトA'::tmac.label;
\echo :LAST_ERROR_SQLSTATE
SELECT repeat('A', 5000)::tmac.label;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT 'SECRET::NOPE'::tmac.label;
SELECT 'SECRET:PRJ-A,prj-a'::tmac.label;
\set VERBOSITY terse

-- Binary form: version 1, the level code, then counted compartment and group codes.
SELECT tmac.label_send('SECRET:PRJ-A:DEV-1'::tmac.label);
SELECT tmac.label_send('PUBLIC'::tmac.label);

-- Binary round trip through COPY (FORMAT binary).
SELECT '/tmp/tmac_regress_label_io_' || current_setting('port') || '.bin' AS binfile \gset
CREATE TABLE label_io_src (id int PRIMARY KEY, l tmac.label);
INSERT INTO label_io_src VALUES
  (1, 'PUBLIC'), (2, '社外秘'), (3, 'SECRET:PRJ-B,PRJ-A'), (4, '極秘:BLUEPRINT:DEV,SALES'),
  (5, 'INTERNAL::DEV-1'), (6, NULL);
COPY label_io_src TO :'binfile' (FORMAT binary);
CREATE TABLE label_io_dst (LIKE label_io_src);
COPY label_io_dst FROM :'binfile' (FORMAT binary);
SELECT s.id, s.l, d.l AS received, s.l IS NOT DISTINCT FROM d.l AS equal
  FROM label_io_src s JOIN label_io_dst d USING (id)
 ORDER BY s.id;

-- Binary input is validated like text input: a bytea written in binary COPY
-- format is read back as a label.
CREATE TABLE label_io_raw (b bytea);
CREATE FUNCTION pg_temp.recv_error(raw bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  f text := '/tmp/tmac_regress_label_io_' || current_setting('port') || '.raw';
  result text;
BEGIN
  TRUNCATE label_io_raw;
  INSERT INTO label_io_raw VALUES (raw);
  EXECUTE format('COPY label_io_raw TO %L (FORMAT binary)', f);
  DELETE FROM label_io_dst;
  BEGIN
    EXECUTE format('COPY label_io_dst (l) FROM %L (FORMAT binary)', f);
    SELECT 'ok: ' || l::text INTO result FROM label_io_dst;
  EXCEPTION WHEN OTHERS THEN
    result := SQLSTATE || ' ' || SQLERRM;
  END;
  RETURN result;
END
$$;
ALTER TABLE label_io_dst ALTER COLUMN id DROP NOT NULL;
SELECT n, pg_temp.recv_error(raw) AS result
  FROM (VALUES
    (1, tmac.label_send('SECRET:PRJ-A:DEV')),
    (2, '\x0173656372657400000170726a2d6100000164657600'::bytea),        -- lower case codes
    (3, '\x01e7a7980000000000'::bytea),                                -- 秘, by name
    (4, '\x02534543524554000000000000'::bytea),                          -- version 2
    (5, '\x014e4f5045000000000000'::bytea),                              -- unknown level NOPE
    (6, '\x01534543524554000001585858000000'::bytea),                    -- unknown compartment XXX
    (7, '\x0153454352455400000250524a2d410050524a2d41000000'::bytea),    -- PRJ-A twice
    (8, '\x0153454352455400008100'::bytea),                              -- 129 compartments claimed
    (9, '\x015345435245540000'::bytea),                                  -- truncated
    (10, '\x01534543524554000000000000ff'::bytea),                       -- trailing byte
    (11, '\x01'::bytea),                                                 -- no level
    (12, '\x0100000000000000'::bytea)                                    -- empty level code
  ) AS v(n, raw)
 ORDER BY n;

DROP TABLE label_io_src, label_io_dst, label_io_raw;
SELECT format('rm -f %s %s', :'binfile', replace(:'binfile', '.bin', '.raw')) AS rmcmd \gset
COPY (SELECT WHERE false) TO PROGRAM :'rmcmd';
