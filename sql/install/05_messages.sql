-- 05_messages.sql — tmac's messages in the session's language: one catalog for C and SQL.
--
-- Every message tmac's SQL raises, and every finding detail, check title and remedy it
-- writes, is written as tmac.message(<English text with %s>, args …): the C function looks
-- the text up in tmac's gettext catalog (the same one the C code's ereports use,
-- src/message_catalog.c) in the language lc_messages chooses, and fills in the arguments
-- like format() (%s, %L, %I, %n$s, %%).  A text stored in a table and translated when it is
-- read (a check's title) is marked tmac.msgid(<text>) where it is written, so that
-- po/extract.sh finds it.  test/scripts/message_catalog.sh fails when a message has no
-- Japanese translation, or when a RAISE prints a literal that does not go through here.

CREATE FUNCTION tmac.message(msgid text) RETURNS text
  LANGUAGE c STABLE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'tmac_message';
COMMENT ON FUNCTION tmac.message(text) IS 'The message msgid in the session''s language (lc_messages), from tmac''s message catalog';

CREATE FUNCTION tmac.message(msgid text, VARIADIC args "any") RETURNS text
  LANGUAGE c STABLE PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'tmac_message';
COMMENT ON FUNCTION tmac.message(text, "any") IS 'The message msgid in the session''s language (lc_messages), from tmac''s message catalog, with its arguments filled in like format(): %s, %L, %I, %n$s (the n-th argument), %%; arguments of PostgreSQL''s built-in types and tmac''s own only';

CREATE FUNCTION tmac.msgid(msgid text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN msgid;
COMMENT ON FUNCTION tmac.msgid(text) IS 'Marks a text that is stored and translated when read (with tmac.message) for tmac''s message catalog; returns it unchanged';
