-- sqlb_japanese.sql — pgTAP: the registers (inventory, handling, incidents, facilities), segregation
-- of duties and access reviews speak the session's language (lc_messages): under ja_JP.UTF-8 their
-- errors, details and hints are Japanese, under C English, and the SQLSTATE is the same in both.
BEGIN;
SELECT plan(38);
\i test/pgtap/people_fixture.psql

-- The error a statement raises, run as a role (NULL: as the caller): SQLSTATE | message | detail | hint
-- (the detail left out when with_detail is false).
CREATE FUNCTION pg_temp.err(r name, q text, with_detail boolean DEFAULT true) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
  st text; msg text; det text; hnt text;
BEGIN
  IF r IS NOT NULL THEN
    EXECUTE format('SET LOCAL ROLE %I', r);
  END IF;
  BEGIN
    EXECUTE q;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
  END;
  RESET ROLE;
  RETURN concat_ws(' | ', st, msg, CASE WHEN with_detail THEN nullif(det, '') END, nullif(hnt, ''));
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.err(name, text, boolean) TO PUBLIC;

INSERT INTO tmac.asset (asset_no, name, label, origin, business_category, medium, registered_on, managing_group_id) VALUES
  ('J-001', '製品設計図', 'TOP_SECRET', 'own', '技術', 'electronic', current_date, tmac.vocabulary_id('group', 'DEV'));
CREATE ROLE sqlb_t_dual LOGIN;
SELECT tmac.grant_role('tmac_auditor', 'sqlb_t_dual');
-- a grant to A1 that t_bob requested (t_carol approved), under review
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', '設計')$$) AS g \gset
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('A1', person_id => 'A1')$$)::bigint AS r \gset
-- a SECRET area; a visitor without a visitor pledge; E1 left
SELECT tmac.define_area('AREA-J', '試作室', '本社2F', 'card', 'C1');
SELECT tmac.set_area_label('AREA-J', 'SECRET');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  VALUES ('sqlb-1', 'V9', 'hire', '{"full_name":"見学者 丙","kind":"visitor","responsible_person":"C1"}');
UPDATE tmac.person SET status = 'terminated', terminated_at = now() - interval '1 hour' WHERE person_id = 'E1';

-- Each case once: who runs what, and what it says in Japanese (ja_JP.UTF-8) and in English (C), byte
-- for byte, with the same SQLSTATE.  Cases: the inventory (目録), handling (取扱管理簿), incidents
-- (事故・兆候), facilities (入退室・鍵; a refused entry's hint follows why — the detail,
-- tmac.entry_refused's, is not this file's), segregation of duties (職務分掌), access reviews
-- (アクセス権の棚卸し), and finding details composed when tmac.findings is read (a value, not an error).
CREATE TEMP TABLE said (n serial, r name, q text, with_detail boolean, pattern boolean, value boolean,
                        ja text, ja_test text, en text, en_test text);
INSERT INTO said (r, q, with_detail, pattern, value, ja, ja_test, en, en_test) VALUES
  (NULL, $$SELECT tmac.register_asset('J-002', '図面', '技術', 'fax')$$, true, false, false,
   '22023 | 媒体・保存先 "fax" は定義されていません | 指定できる媒体: 書類 (paper)、電子情報 (electronic)、試作品 (prototype)、製造装置 (equipment)、その他 (other)。',
   'inventory: a bad medium in Japanese, with its hint',
   '22023 | unknown medium "fax" | Media: paper (書類), electronic (電子情報), prototype (試作品), equipment (製造装置), other (その他).',
   'inventory: English under C'),
  (NULL, $$SELECT tmac.register_asset('J-001', '図面', '技術', 'paper')$$, true, false, false,
   '23505 | 管理対象情報 "J-001" は既に目録に登録されています | 変更は tmac.update_asset(asset_no, changes) で行ってください。',
   'inventory: a duplicate asset in Japanese',
   '23505 | asset "J-001" is already in the inventory | Change it with tmac.update_asset(asset_no, changes).',
   'inventory: a duplicate asset in English'),
  ('t_alice', $$SELECT tmac.record_handling('J-999', 'take_out', '打合せ')$$, true, false, false,
   '42501 | 管理対象情報 "J-999" は存在しないか、あなたが扱えるものではありません | 台帳を閲覧できない人には、tmac は存在するかどうかを知らせません。 | あなたが管理している、あなたの部門が管理している、またはあなたにアクセス権がある管理対象情報を指定してください。番号は管理責任者が知っています。',
   'handling: the one refusal of an unknown asset, with detail and hint, in Japanese',
   '42501 | asset "J-999" is unknown or not yours | To those who cannot read the register, tmac does not say whether it exists. | Name an asset you manage, that your department manages, or that you are cleared for; its 管理責任者 knows its number.',
   'handling: the one refusal in English'),
  ('t_alice', $$SELECT tmac.record_handling('J-001', 'copy', '配布')$$, true, false, false,
   '22004 | 複製には複製物の通し番号が必要です | 廃棄や返却を確認できるよう、複製物すべてに通し番号を付けてください。',
   'handling: a copy without serial numbers in Japanese',
   '22004 | a copy needs the serial numbers of its copies | Number every copy (通し番号) so that its disposal or return can be accounted for.',
   'handling: a copy without serial numbers in English'),
  ('t_alice', $$SELECT tmac.record_handling('J-001', 'take_out', '打合せ', media => 'usb')$$, true, false, false,
   '22023 | 媒体 "usb" は定義されていません | 指定できる媒体: 書類 (paper)、電子情報 (electronic)、可搬電子媒体 (portable_media)、試作品 (prototype)、製造装置 (equipment)、データベース (database)、その他 (other)。',
   'handling: an unknown medium in Japanese',
   '22023 | unknown media "usb" | Media: paper (書類), electronic (電子情報), portable_media (可搬電子媒体), prototype (試作品), equipment (製造装置), database (データベース), other (その他).',
   'handling: an unknown medium in English'),
  ('t_alice', $$SELECT tmac.report_incident('stranger', '不審なメール')$$, true, false, false,
   '22023 | 兆候の区分 "stranger" は定義されていません | 指定できる区分: 従業員等 (employee)、退職者等 (leaver)、取引先 (partner)、外部者 (outsider)。',
   'incidents: an unknown sign category in Japanese',
   '22023 | unknown sign category "stranger" | Categories: employee (従業員等), leaver (退職者等), partner (取引先), outsider (外部者).',
   'incidents: English under C'),
  ('t_alice', $$SELECT tmac.confirm_discovery(987654)$$, true, false, false,
   '42501 | 事故・兆候の報告 "987654" は存在しないか、あなたが扱えるものではありません | 台帳を閲覧できない人には、tmac は存在するかどうかを知らせません。 | あなたを発見者としている報告を確認してください。番号は報告者から伝えられます。',
   'incidents: the one refusal of an unknown incident in Japanese',
   '42501 | incident "987654" is unknown or not yours | To those who cannot read the register, tmac does not say whether it exists. | Confirm an incident whose report names you as its discoverer; the reporter gives you its number.',
   'incidents: the one refusal in English'),
  ('t_carol', $$SELECT tmac.record_entry('NO-AREA', person_id => 'A1')$$, true, false, false,
   '42704 | 立入制限区域 "NO-AREA" はありません | 立入制限区域は tmac.restricted_area に一覧されています。',
   'facilities: an unknown restricted area in Japanese',
   '42704 | no restricted area "NO-AREA" | Areas are listed in tmac.restricted_area.',
   'facilities: English under C'),
  ('t_carol', $$SELECT tmac.record_entry('NO-AREA', visitor_name => '見学者 甲')$$, true, false, false,
   '22004 | 訪問者の会社名の記録が必要です',
   'facilities: a visitor without a company in Japanese',
   '22004 | a visitor''s company is recorded',
   'facilities: a visitor without a company in English'),
  (NULL, $$SELECT tmac.set_custodian('safe', 'X', 'A1')$$, true, false, false,
   '22023 | 施錠対象 "safe" は定義されていません | 指定できる施錠対象: 保管容器 (container)、立入制限区域 (area)、鍵 (key)。',
   'facilities: a bad kind in Japanese',
   '22023 | unknown kind "safe" | Kinds: container (保管容器), area (立入制限区域), key (鍵).',
   'facilities: a bad kind in English'),
  ('t_carol', $$SELECT tmac.record_entry('AREA-J', person_id => 'D1')$$, false, false, false,
   '42501 | 人員 "D1" は立入制限区域 "AREA-J" に入室できません | 訪問者には同行者を付けるか、先にアクセス権を設定してください（tmac.request_clearance または tmac.request_access の後に tmac.approve）。',
   'facilities: a person without access is refused, in Japanese',
   '42501 | person "D1" may not enter restricted area "AREA-J" | Escort a visitor, or grant the access first (tmac.request_clearance or tmac.request_access, then tmac.approve).',
   'facilities: a person without access is refused, in English'),
  ('t_carol', $$SELECT tmac.record_entry('AREA-J', person_id => 'V9', escort => 'A1')$$, false, false, false,
   '42501 | 人員 "V9" は立入制限区域 "AREA-J" に入室できません | 先に訪問者の誓約書を記録してください（tmac.record_pledge(person_id, ''visitor'', signed_on)）。',
   'facilities: a visitor without a pledge is refused, in Japanese',
   '42501 | person "V9" may not enter restricted area "AREA-J" | Record the visitor''s pledge first (tmac.record_pledge(person_id, ''visitor'', signed_on)).',
   'facilities: a visitor without a pledge is refused, in English'),
  ('t_carol', $$SELECT tmac.record_entry('AREA-J', person_id => 'E1')$$, false, false, false,
   '42501 | 人員 "E1" は立入制限区域 "AREA-J" に入室できません | 退職者や休職中の人は入室できません。',
   'facilities: a person who left is refused, in Japanese',
   '42501 | person "E1" may not enter restricted area "AREA-J" | A person who left or is on leave does not enter.',
   'facilities: a person who left is refused, in English'),
  (NULL, $$SELECT tmac.grant_role('tmac_access_admin', 'sqlb_t_dual')$$, true, true, false,
   '^42501 \| 職務分掌: sqlb_t_dual が "access_admin" と "auditor" を兼ねることになります \| 職務分掌の規則 [0-9]+（.*）は、1 人が両方の職務を兼ねることを禁じています。 \| その職務を別の人に割り当てるか、先に別の管理者に tmac.grant_sod_exception で例外を設定してもらってください。$',
   'SoD: the refusal, its detail and hint in Japanese',
   '^42501 \| segregation of duties: sqlb_t_dual would hold both "access_admin" and "auditor" \| SoD rule [0-9]+ \(.*\) forbids one person holding both duties\. \| Give the duty to someone else, or have another manager grant an exception with tmac\.grant_sod_exception first\.$',
   'SoD: English under C'),
  (NULL, $$SELECT tmac.define_sod_rule('x', 'approver', 'approver')$$, true, false, false,
   '22023 | 職務分掌の規則には異なる 2 つの職務が必要です',
   'SoD: a rule of one duty in Japanese',
   '22023 | an SoD rule needs two different duties',
   'SoD: a rule of one duty in English'),
  ('t_bob', format('SELECT tmac.review_decide(%s, %s, %L)', :r, :g, 'keep'), true, false, false,
   format('42501 | 人員 "B1" はアクセス権 %s を申請した本人のため、棚卸しできません | この項目は別の確認者が判定してください。', :g),
   'review: the requester''s refusal, with its hint, in Japanese',
   format('42501 | person "B1" requested grant %s and cannot review it | Another reviewer must decide this item.', :g),
   'review: the requester''s refusal in English'),
  ('t_bob', $$SELECT tmac.review_decide(987654, 1, 'maybe')$$, true, false, false,
   '22023 | 見直しの判断 "maybe" は定義されていません | 指定できる判断: 継続 (keep)、失効 (revoke)。',
   'review: a bad decision in Japanese',
   '22023 | unknown decision "maybe" | Decisions: keep (継続), revoke (失効).',
   'review: a bad decision in English'),
  (NULL, $$SELECT detail FROM tmac.findings WHERE check_code = 'asset_no_manager' AND subject = 'asset:J-001'$$, true, false, true,
   '管理対象情報 J-001（製品設計図）には管理責任者がいません。管理責任者を指名してください: tmac.update_asset(''J-001'', ''{"manager":"<person_id>"}'')。',
   'findings: a register''s finding detail in Japanese',
   'Asset J-001 (製品設計図) has no 管理責任者 (manager). Name one: tmac.update_asset(''J-001'', ''{"manager":"<person_id>"}'').',
   'findings: the finding detail in English'),
  (NULL, $$SELECT tmac.first_ten(ARRAY['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'])$$, true, false, true,
   'a, b, c, d, e, f, g, h, i, j ほか 2 件',
   'findings: the first ten, then how many more, in Japanese',
   'a, b, c, d, e, f, g, h, i, j and 2 more',
   'findings: the first ten in English');

-- Every case under lc_messages `lang`: is (or matches, for a pattern) its text in that language.
CREATE FUNCTION pg_temp.said_in(lang text) RETURNS SETOF text LANGUAGE plpgsql AS
$$
DECLARE
  c record; got text;
BEGIN
  PERFORM set_config('lc_messages', lang, true);
  FOR c IN SELECT * FROM said ORDER BY n LOOP
    IF c.value THEN
      EXECUTE c.q INTO got;
    ELSE
      got := pg_temp.err(c.r, c.q, c.with_detail);
    END IF;
    RETURN NEXT CASE WHEN c.pattern
                     THEN matches(got, CASE lang WHEN 'C' THEN c.en ELSE c.ja END, CASE lang WHEN 'C' THEN c.en_test ELSE c.ja_test END)
                     ELSE is(got, CASE lang WHEN 'C' THEN c.en ELSE c.ja END, CASE lang WHEN 'C' THEN c.en_test ELSE c.ja_test END) END;
  END LOOP;
END
$$;

SELECT pg_temp.said_in('ja_JP.UTF-8');
SELECT pg_temp.said_in('C');

SELECT * FROM finish();
ROLLBACK;
