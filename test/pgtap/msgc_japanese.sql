-- msgc_japanese.sql — pgTAP: tmac's C errors speak the session's language (issue 20 item 1).
-- Under lc_messages = 'ja_JP.UTF-8' the message, DETAIL and HINT of errors raised in C are
-- Japanese, text the C code builds at run time (a label's parse error, the act an own-act
-- refusal names, a decision's wording) included; the SQLSTATE is the same as in English.
-- Under 'C' the same errors are in English, word for word as before.
BEGIN;
SELECT plan(40);

-- What an error says: its SQLSTATE, message, DETAIL and HINT (caught with GET STACKED DIAGNOSTICS).
CREATE FUNCTION pg_temp.caught(statement text,
                               OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE statement;
  state := 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                          detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

-- an own act refused because a trigger makes it
CREATE TEMP TABLE msgc_t (x int);
CREATE FUNCTION pg_temp.msgc_act() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tmac.acting_role('record an HR event');
  RETURN NEW;
END $$;
CREATE TRIGGER msgc_act BEFORE INSERT ON msgc_t FOR EACH ROW EXECUTE FUNCTION pg_temp.msgc_act();

-- a role that may not ask about others' access
CREATE ROLE msgc_nobody;

CREATE TEMP TABLE msgc_seen (lang text, what text, state text, message text, detail text, hint text);
GRANT INSERT ON msgc_seen TO msgc_nobody;

CREATE FUNCTION pg_temp.msgc_collect(lang text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO msgc_seen SELECT lang, 'unknown level', c.* FROM pg_temp.caught($q$SELECT 'NOPE'::tmac.label$q$) c;
  INSERT INTO msgc_seen SELECT lang, 'parse', c.* FROM pg_temp.caught($q$SELECT 'SECRET:A:B:C'::tmac.label$q$) c;
  INSERT INTO msgc_seen SELECT lang, 'vocabulary', c.* FROM pg_temp.caught($q$SELECT tmac.vocabulary_id('group', 'NOPE', false)$q$) c;
  INSERT INTO msgc_seen SELECT lang, 'no person', c.* FROM pg_temp.caught($q$SELECT * FROM tmac.explain_access('E999', 'PUBLIC')$q$) c;
  INSERT INTO msgc_seen SELECT lang, 'trigger act', c.* FROM pg_temp.caught($q$INSERT INTO msgc_t VALUES (1)$q$) c;
  INSERT INTO msgc_seen SELECT lang, 'wording', 'no error', tmac.decision_reason('pledge', false), NULL, NULL;
  SET LOCAL ROLE msgc_nobody;
  INSERT INTO msgc_seen SELECT lang, 'explain others', c.* FROM pg_temp.caught($q$SELECT * FROM tmac.explain_access('E999', 'PUBLIC')$q$) c;
  RESET ROLE;
END $$;

SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT pg_temp.msgc_collect('ja');
SET LOCAL lc_messages = 'C';
SELECT pg_temp.msgc_collect('en');

-- What each error must say: = the exact text, ~ a pattern.
SELECT CASE e.op WHEN '=' THEN is(v.got, e.expected, e.lang || ': ' || e.what || ', ' || e.field)
                 ELSE matches(v.got, e.expected, e.lang || ': ' || e.what || ', ' || e.field) END
FROM (VALUES
  -- Japanese, the SQLSTATE unchanged
  (1, 'ja', 'unknown level', 'state', '=', '42704'),
  (2, 'ja', 'unknown level', 'message', '=', 'ラベル "NOPE" の区分 "NOPE" は定義されていません'),
  (3, 'ja', 'unknown level', 'detail', '~', '^定義済みの区分: .*PUBLIC.*。$'),
  (4, 'ja', 'unknown level', 'hint', '=', '定義済みの区分のコード、名称または別名を使うか、tmac.define_level(code, rank, name) で定義してください。'),
  (5, 'ja', 'parse', 'state', '=', '22P02'),
  (6, 'ja', 'parse', 'message', '=', 'tmac.label 型の入力構文が不正です: "SECRET:A:B:C"'),
  (7, 'ja', 'parse', 'detail', '=', 'コロンが多すぎます。ラベルは最大 3 つの部分からなります（11 バイト目）。'),
  (8, 'ja', 'vocabulary', 'state', '=', '42704'),
  (9, 'ja', 'vocabulary', 'message', '=', '組織グループ "NOPE" は定義されていません'),
  (10, 'ja', 'vocabulary', 'hint', '=', '先に tmac.define_group(code, name, parent) で定義してください。'),
  (11, 'ja', 'no person', 'state', '=', '42704'),
  (12, 'ja', 'no person', 'message', '=', '人員 "E999" は存在しません'),
  (13, 'ja', 'no person', 'hint', '=', '人員は tmac.hr_event の採用イベントによって作成されます。'),
  (14, 'ja', 'trigger act', 'state', '=', '42501'),
  (15, 'ja', 'trigger act', 'message', '=', 'トリガからは人事イベントを記録することはできません'),
  (16, 'ja', 'trigger act', 'detail', '~', '^この呼び出しはトリガの深さ 1 で行われています。'),
  (17, 'ja', 'wording', 'message', '=', '有効な誓約書が提出されていません'),
  (18, 'ja', 'explain others', 'state', '=', '42501'),
  (19, 'ja', 'explain others', 'message', '=', '人員 "E999" のアクセスを説明する権限がありません'),
  (20, 'ja', 'explain others', 'detail', '=', '説明を求められるのは本人のアクセスだけです。'),
  (21, 'ja', 'explain others', 'hint', '=', '他の人員について照会するには、tmac_access_admin、tmac_auditor または tmac_admin のメンバーシップが必要です。'),
  -- English, word for word as before
  (22, 'en', 'unknown level', 'state', '=', '42704'),
  (23, 'en', 'unknown level', 'message', '=', 'unknown level "NOPE" in label "NOPE"'),
  (24, 'en', 'unknown level', 'detail', '~', '^Defined levels: .*PUBLIC.*\.$'),
  (25, 'en', 'unknown level', 'hint', '=', 'Use a code, name or alias of a defined level, or define it with tmac.define_level(code, rank, name).'),
  (26, 'en', 'parse', 'state', '=', '22P02'),
  (27, 'en', 'parse', 'detail', '=', 'Too many colons: a label has at most three parts, at byte 11.'),
  (28, 'en', 'vocabulary', 'state', '=', '42704'),
  (29, 'en', 'vocabulary', 'message', '=', 'unknown organisation group "NOPE"'),
  (30, 'en', 'vocabulary', 'hint', '=', 'Define it first with tmac.define_group(code, name, parent).'),
  (31, 'en', 'no person', 'state', '=', '42704'),
  (32, 'en', 'no person', 'message', '=', 'person "E999" does not exist'),
  (33, 'en', 'trigger act', 'state', '=', '42501'),
  (34, 'en', 'trigger act', 'message', '=', 'cannot record an HR event from a trigger'),
  (35, 'en', 'trigger act', 'detail', '~', '^The call is made at trigger depth 1; '),
  (36, 'en', 'wording', 'message', '=', 'no valid pledge (誓約書) is on file'),
  (37, 'en', 'explain others', 'state', '=', '42501'),
  (38, 'en', 'explain others', 'message', '=', 'permission denied to explain the access of person "E999"'),
  (39, 'en', 'explain others', 'detail', '=', 'A person may explain their own access only.'),
  (40, 'en', 'explain others', 'hint', '=', 'Membership of tmac_access_admin, tmac_auditor or tmac_admin is needed to ask about others.')
) e(ord, lang, what, field, op, expected)
LEFT JOIN msgc_seen s USING (lang, what)
CROSS JOIN LATERAL (SELECT CASE e.field WHEN 'state' THEN s.state WHEN 'message' THEN s.message
                                        WHEN 'detail' THEN s.detail ELSE s.hint END AS got) v
ORDER BY e.ord;

SELECT * FROM finish();
ROLLBACK;
