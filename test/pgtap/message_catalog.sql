-- message_catalog.sql — pgTAP: tmac.message() looks a message up in tmac's catalog in the
-- language lc_messages chooses and fills in its arguments like format(); a translation may
-- reorder them; values of someone else's types are never printed; the SQLSTATE of an error
-- is the same in every language.
BEGIN;
SELECT plan(19);

SET LOCAL lc_messages = 'C';
SELECT is(tmac.message('a message argument printed as an identifier is null'),
          'a message argument printed as an identifier is null', 'C: the message in English');
SELECT is(tmac.message('%s|%L|%I|%%|%L', 'a', 'it''s', 'Mixed Case', NULL::text),
          'a|''it''''s''|"Mixed Case"|%|NULL', '%s, %L, %I, %% and a NULL %L, like format()');
SELECT is(tmac.message('%2$s-%1$s-%2$s', 'a', 2), '2-a-2', 'positional arguments, any order, used twice');
SELECT is(tmac.message('%s+%s', VARIADIC ARRAY['x', 'y']), 'x+y', 'VARIADIC array');
SELECT is(tmac.message('[%s]', NULL::int), '[]', 'a NULL %s prints nothing');
SELECT is(tmac.message('%s at %s', 'PUBLIC'::tmac.label, 42::bigint), 'PUBLIC at 42',
          'tmac''s own types and built-in types print');
SELECT is(tmac.message(NULL), NULL, 'a NULL message is NULL');
SELECT throws_ok($$SELECT tmac.message('%q', 1)$$, '22023', 'malformed placeholder in message "%q"',
                 'a malformed placeholder is an error');
SELECT throws_ok($$SELECT tmac.message('%s and %s', 1)$$, '22023', NULL, 'too few arguments is an error');

-- someone else's type: its output function is never run by tmac's messages
CREATE TYPE pg_temp.planted AS ENUM ('x');
CREATE DOMAIN pg_temp.planted_text AS text;
SELECT throws_ok($$SELECT tmac.message('%s', 'x'::pg_temp.planted)$$, '42804', NULL,
                 'a value of a type someone else defined is refused');
SELECT is(tmac.message('%s', 'y'::pg_temp.planted_text), 'y', 'a domain over a built-in type prints as its base');
SELECT throws_ok($$SELECT tmac.message('%s', ROW('x'::pg_temp.planted))$$, '42804', NULL,
                 'a row is refused (its columns may be of any type)');
SELECT throws_ok($$SELECT tmac.message('%s', ARRAY['x'::pg_temp.planted])$$, '42804', NULL,
                 'an array of someone else''s type is refused');
SELECT is(tmac.message('%s', ARRAY[1, 2]), '{1,2}', 'an array of a built-in type prints');

SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT is(tmac.message('a message argument printed as an identifier is null'),
          '識別子として出力するメッセージ引数が NULL です', 'ja_JP.UTF-8: the message in Japanese');
SELECT is(tmac.message('too few arguments for message "%s"', 'x'), 'メッセージ "x" の引数が足りません',
          'a Japanese translation with its argument filled in');
SELECT throws_ok($$SELECT tmac.message('%I', NULL::text)$$, '22004',
                 '識別子として出力するメッセージ引数が NULL です', 'a C error in Japanese, its SQLSTATE unchanged');
SELECT is(tmac.msgid('stored title'), 'stored title', 'tmac.msgid returns its text unchanged');

SET LOCAL lc_messages = 'C';
SELECT throws_ok($$SELECT tmac.message('%I', NULL::text)$$, '22004',
                 'a message argument printed as an identifier is null', 'back in English with lc_messages = C');

SELECT * FROM finish();
ROLLBACK;
