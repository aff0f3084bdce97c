#!/usr/bin/env bash
# poedit_glossary.sh — tmac's Japanese catalog speaks with one voice (issue 20).
#
# po/ja/00_header.po opens with the glossary and the style the translations follow.
# This script fails, naming each offending translation (file, msgid, msgstr), when a
# msgstr of po/ja/*.po:
#   1. uses a spelling the glossary rejects (人物 for person, グループ alone for the
#      organisation group, 持ち出し, サーバ, トリガー, （正の期間）, …);
#   2. is an error (errmsg: a msgid in lower case without a final period) that asks
#      instead of stating (ends in 〜ください), or quotes a value 「%s」 instead of "%s";
#   3. puts a half-width "(" after Japanese text (Japanese text takes （）);
#   4. glues a half-width number to Japanese (write "10 文字", not "10文字");
#   5. translates an act (the argument of tmac.acting_role, tmac.acting_person,
#      tmac.reviewer or tmac_own_act_role, printed in 「…%sことはできません」) with
#      anything but a verb phrase ending in する.
# The seed's own measure titles (tmac.electronic_measure_kind.name_ja) are kept as the
# seed writes them and are not checked.  PO_DIR overrides po/ja (for a test of the test).
set -euo pipefail
cd "$(dirname "$0")/../.."
PO_DIR=${PO_DIR:-po/ja}

perl -CSD -Mutf8 -e '
  my ($po_dir) = @ARGV;
  # the acts: msgids passed to the functions that name an act
  my %act = ("act" => 1);
  for my $f (glob("sql/install/*.sql")) {
    open my $fh, "<:encoding(UTF-8)", $f or die "$f: $!"; local $/; my $t = <$fh>;
    $act{$1} = 1 while $t =~ /\b(?:acting_role|acting_person|reviewer)\s*\(\s*tmac\.msgid\(\x27([^\x27]*)\x27\)/g;
  }
  for my $f (glob("src/*.c")) {
    open my $fh, "<:encoding(UTF-8)", $f or die "$f: $!"; local $/; my $t = <$fh>;
    $act{$1} = 1 while $t =~ /tmac_own_act_role\(\s*gettext_noop\("([^"]*)"\)/g;
  }
  die "poedit_glossary: found only " . scalar(keys %act) . " acts\n" if keys %act < 40;
  # the titles of the seed, kept verbatim
  my %seed;
  { open my $fh, "<:encoding(UTF-8)", "sql/install/89_electronic_measures.sql" or die;
    while (<$fh>) { $seed{$1} = 1 if /^\s*\(\x27\w+\x27,\s*\d+,\s*\x27([^\x27]*)\x27/ } }
  die "poedit_glossary: found no seed titles\n" unless %seed;

  my $J = qr/[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}ー]/;
  my @forbidden = (
    [qr/人物/, "person is 人員, not 人物"],
    [qr/(?<![\p{Han}\p{Hiragana}])人\s*(?:「|\\"|の ID)/, "person is 人員 (人員 \"%s\", 人員 ID), not 人"],
    [qr/重要情報/, "an asset is 管理対象情報 (the scheme), not 重要情報"],
    [qr/可搬媒体/, "portable media are 可搬式記録媒体 (the seed), not 可搬媒体"],
    [qr/相互確認|二者承認/, "the four-eyes rule is 二者確認の原則"],
    [qr/来訪者/, "visitor is 訪問者 (the seed), not 来訪者"],
    [qr/委託先要員/, "contractor is 派遣・委託社員, not 委託先要員"],
    [qr/業務区分/, "business category is 業務分類 (the seed), not 業務区分"],
    [qr/(?<!組織)グループ/, "the group of a label is 組織グループ, not グループ alone"],
    [qr/レビュー/, "an access review is アクセス権の棚卸し, not (アクセス)レビュー"],
    [qr/持ち出し/, "take out is 持出, not 持ち出し"],
    [qr/昇格/, "promotion is 昇進, not 昇格"],
    [qr/取消(?!し)/, "revocation is 取消し, not 取消"],
    [qr/読取り|書込み/, "read and write are 読み取り and 書き込み"],
    [qr/(?<!対象)保護テーブル|保護行/, "a protected table is 保護対象テーブル, a protected row 保護対象の行"],
    [qr/行レベルセキュリティ/, "row security is 行単位セキュリティ"],
    [qr/ウイルス/, "malware is ウィルス (as the seed writes it)"],
    [qr/スーパーユーザ(?!ー)|(?<!スーパー)ユーザ(?!ー)|サーバ(?!ー)/, "スーパーユーザー, ユーザー, サーバー (as the catalog of PostgreSQL)"],
    [qr/トリガー/, "a trigger is トリガ (as the catalog of PostgreSQL)"],
    [qr/（正の期間）/, "the type of a setting is written （正の interval）"],
  );

  my $bad = 0;
  for my $file (sort glob("$po_dir/*.po")) {
    open my $fh, "<:encoding(UTF-8)", $file or die "$file: $!";
    my ($id, $str, $field) = ("", "", "");
    my @entries;
    while (my $l = <$fh>) {
      chomp $l;
      if ($l =~ /^msgid "(.*)"$/) { push @entries, [$id, $str] if $id ne ""; ($id, $str, $field) = ($1, "", "id"); next }
      if ($l =~ /^msgstr "(.*)"$/) { $str = $1; $field = "str"; next }
      if ($l =~ /^"(.*)"$/) { if ($field eq "id") { $id .= $1 } elsif ($field eq "str") { $str .= $1 } next }
    }
    push @entries, [$id, $str] if $id ne "";
    (my $short = $file) =~ s{.*/}{};
    for my $e (@entries) {
      my ($id, $s) = @$e;
      next if $s eq "" || $seed{$s};
      my @why;
      for my $r (@forbidden) { push @why, $r->[1] if $s =~ $r->[0] }
      my $error = ($id =~ /^[a-z%\\]/ && $id !~ /\.$/ && !$act{$id});
      push @why, "an error states, it does not ask (〜ください)" if $error && $s =~ /ください$/;
      push @why, "an error quotes a value \"%s\", not 「%s」" if $error && $s =~ /「%/;
      push @why, "Japanese text takes （）, not a half-width (" if $s =~ /$J\s?\(/;
      push @why, "a space between Japanese and a half-width number" if $s =~ /$J[0-9]|[0-9]$J/;
      push @why, "an act is a verb phrase ending in する" if $act{$id} && $s !~ /する$/;
      for my $w (@why) { print "poedit_glossary: $short: $w:\n  msgid  \"$id\"\n  msgstr \"$s\"\n"; $bad = 1 }
    }
  }
  exit $bad;
' "$PO_DIR" && echo "poedit_glossary: ok"
