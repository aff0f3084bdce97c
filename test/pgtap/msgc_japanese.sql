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

-- Japanese
SELECT is(state, '42704', 'ja: an unknown level keeps its SQLSTATE') FROM msgc_seen WHERE lang = 'ja' AND what = 'unknown level';
SELECT is(message, 'ラベル "NOPE" の水準 "NOPE" は定義されていません', 'ja: an unknown level in a label, in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'unknown level';
SELECT matches(detail, '^定義済みの水準: .*PUBLIC.*。$', 'ja: its DETAIL lists the defined levels in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'unknown level';
SELECT is(hint, '定義済みの水準のコード、名前または別名を使うか、tmac.define_level(code, rank, name) で定義してください。',
          'ja: its HINT in Japanese') FROM msgc_seen WHERE lang = 'ja' AND what = 'unknown level';

SELECT is(state, '22P02', 'ja: a label syntax error keeps its SQLSTATE') FROM msgc_seen WHERE lang = 'ja' AND what = 'parse';
SELECT is(message, 'tmac.label 型の入力構文が不正です: "SECRET:A:B:C"', 'ja: a label syntax error in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'parse';
SELECT is(detail, 'コロンが多すぎます。ラベルは最大 3 つの部分からなります（11 バイト目）。',
          'ja: the parser''s reason, built at run time, in Japanese') FROM msgc_seen WHERE lang = 'ja' AND what = 'parse';

SELECT is(state, '42704', 'ja: an unknown group keeps its SQLSTATE') FROM msgc_seen WHERE lang = 'ja' AND what = 'vocabulary';
SELECT is(message, '組織グループ "NOPE" は定義されていません', 'ja: a vocabulary error in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'vocabulary';
SELECT is(hint, '先に tmac.define_group(code, name, parent) で定義してください。', 'ja: its HINT in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'vocabulary';

SELECT is(state, '42704', 'ja: an unknown person keeps its SQLSTATE') FROM msgc_seen WHERE lang = 'ja' AND what = 'no person';
SELECT is(message, '人員 "E999" は存在しません', 'ja: an unknown person in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'no person';
SELECT is(hint, '人員は tmac.hr_event の採用イベントによって作成されます。', 'ja: its HINT in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'no person';

SELECT is(state, '42501', 'ja: an own act refused in a trigger keeps its SQLSTATE') FROM msgc_seen WHERE lang = 'ja' AND what = 'trigger act';
SELECT is(message, 'トリガからは「人事イベントの記録」を行えません', 'ja: the refusal names the act in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'trigger act';
SELECT matches(detail, '^この呼び出しはトリガの深さ 1 で行われています。', 'ja: its DETAIL in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'trigger act';

SELECT is(message, '有効な誓約書が提出されていません', 'ja: a decision''s wording in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'wording';

SELECT is(state, '42501', 'ja: a refused question about another person keeps its SQLSTATE') FROM msgc_seen WHERE lang = 'ja' AND what = 'explain others';
SELECT is(message, '人員 "E999" のアクセスを説明する権限がありません', 'ja: the privilege refusal in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'explain others';
SELECT is(detail, '説明を求められるのは本人のアクセスだけです。', 'ja: its DETAIL in Japanese')
  FROM msgc_seen WHERE lang = 'ja' AND what = 'explain others';
SELECT is(hint, '他の人員について照会するには、tmac_access_admin、tmac_auditor または tmac_admin のメンバーシップが必要です。',
          'ja: its HINT in Japanese') FROM msgc_seen WHERE lang = 'ja' AND what = 'explain others';

-- English, as before
SELECT is(state, '42704', 'C: an unknown level, same SQLSTATE') FROM msgc_seen WHERE lang = 'en' AND what = 'unknown level';
SELECT is(message, 'unknown level "NOPE" in label "NOPE"', 'C: an unknown level in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'unknown level';
SELECT matches(detail, '^Defined levels: .*PUBLIC.*\.$', 'C: its DETAIL in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'unknown level';
SELECT is(hint, 'Use a code, name or alias of a defined level, or define it with tmac.define_level(code, rank, name).',
          'C: its HINT in English') FROM msgc_seen WHERE lang = 'en' AND what = 'unknown level';

SELECT is(state, '22P02', 'C: a label syntax error, same SQLSTATE') FROM msgc_seen WHERE lang = 'en' AND what = 'parse';
SELECT is(detail, 'Too many colons: a label has at most three parts, at byte 11.', 'C: the parser''s reason in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'parse';

SELECT is(state, '42704', 'C: an unknown group, same SQLSTATE') FROM msgc_seen WHERE lang = 'en' AND what = 'vocabulary';
SELECT is(message, 'unknown organisation group "NOPE"', 'C: a vocabulary error in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'vocabulary';
SELECT is(hint, 'Define it first with tmac.define_group(code, name, parent).', 'C: its HINT in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'vocabulary';

SELECT is(state, '42704', 'C: an unknown person, same SQLSTATE') FROM msgc_seen WHERE lang = 'en' AND what = 'no person';
SELECT is(message, 'person "E999" does not exist', 'C: an unknown person in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'no person';

SELECT is(state, '42501', 'C: an own act refused in a trigger, same SQLSTATE') FROM msgc_seen WHERE lang = 'en' AND what = 'trigger act';
SELECT is(message, 'cannot record an HR event from a trigger', 'C: the refusal names the act in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'trigger act';
SELECT matches(detail, '^The call is made at trigger depth 1; ', 'C: its DETAIL in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'trigger act';

SELECT is(message, 'no valid pledge (誓約書) is on file', 'C: a decision''s wording in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'wording';

SELECT is(state, '42501', 'C: a refused question about another person, same SQLSTATE') FROM msgc_seen WHERE lang = 'en' AND what = 'explain others';
SELECT is(message, 'permission denied to explain the access of person "E999"', 'C: the privilege refusal in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'explain others';
SELECT is(detail, 'A person may explain their own access only.', 'C: its DETAIL in English')
  FROM msgc_seen WHERE lang = 'en' AND what = 'explain others';
SELECT is(hint, 'Membership of tmac_access_admin, tmac_auditor or tmac_admin is needed to ask about others.',
          'C: its HINT in English') FROM msgc_seen WHERE lang = 'en' AND what = 'explain others';

SELECT * FROM finish();
ROLLBACK;
