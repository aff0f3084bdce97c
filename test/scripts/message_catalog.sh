#!/usr/bin/env bash
# message_catalog.sh — every message tmac can print has its Japanese translation.
#
# Fails, naming each offender, when:
#   1. a message of po/extract.sh (the C files' ereports, the SQL's tmac.message and
#      tmac.msgid literals) has no Japanese translation in po/ja/ (or a fuzzy one);
#   2. a translation's placeholders differ from its message's (each argument used as
#      often, with the same conversion; %n$ may reorder them);
#   3. a message is translated twice (msgfmt refuses) or a C format differs (msgfmt --check);
#   4. a RAISE of sql/install prints text that does not go through tmac.message: a literal
#      (other than '%' and an ERRCODE), or format();
#   5. a C file does not include message_catalog.h (its ereports would not be looked up in
#      tmac's catalog), label_parse.c and vocabulary_text.c (no PostgreSQL) apart.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

bash po/extract.sh > "$tmp/tmac.pot"
for f in $(ls po/ja/*.po | sort); do cat "$f"; echo; done > "$tmp/ja.po"   # a blank line ends each file's last entry

# 3. duplicates and C formats
if ! msgfmt --check -o /dev/null "$tmp/ja.po" 2>"$tmp/msgfmt.err"; then
  echo "message_catalog: msgfmt refuses po/ja:"; sed 's/^/  /' "$tmp/msgfmt.err"; fail=1
fi

# 1 and 2: parse both files (perl, no dependency on the gettext tools' wording)
perl -CSD -e '
  sub parse {
    my ($file) = @_; my (%e, $cur, $field, @order);
    open my $fh, "<:encoding(UTF-8)", $file or die "$file: $!";
    my $flush = sub { if ($cur && defined $cur->{msgid} && $cur->{msgid} ne "") {
        push @order, $cur->{msgid} unless $e{$cur->{msgid}}; $e{$cur->{msgid}} = $cur } $cur = undef };
    while (my $l = <$fh>) {
      chomp $l;
      if ($l =~ /^\s*$/) { $flush->(); next }
      $cur //= { flags => "", msgstr => "" };
      if ($l =~ /^#,(.*)/) { $cur->{flags} .= $1; next }
      if ($l =~ /^#:\s*(.*)/) { $cur->{where} .= " $1"; next }
      next if $l =~ /^#/;
      if ($l =~ /^(msgid|msgstr)\s+"(.*)"$/) { $field = $1; $cur->{$field} = un($2); next }
      if ($l =~ /^"(.*)"$/) { $cur->{$field} .= un($1); next }
    }
    $flush->();
    return (\%e, \@order);
  }
  sub un { my $s = shift; $s =~ s/\\(.)/$1 eq "n" ? "\n" : $1 eq "t" ? "\t" : $1/ge; $s }
  # the arguments a format uses: "index:conversion" for each placeholder
  sub args {
    my $s = shift; my $next = 0; my @a;
    while ($s =~ /%(%|(?:(\d+)\$)?[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|z|j|t)?([a-zA-Z]))/g) {
      next if $1 eq "%"; next if $3 eq "m";
      my $i = defined $2 ? $2 - 1 : $next++;
      push @a, "$i:$3";
    }
    return join(",", sort @a);
  }
  my ($pot, $order) = parse($ARGV[0]); my ($ja) = parse($ARGV[1]);
  my $bad = 0;
  for my $id (@$order) {
    my $t = $ja->{$id}; my $where = $pot->{$id}{where} // ""; $where =~ s/^\s+//;
    if (!$t || $t->{msgstr} eq "" || $t->{flags} =~ /fuzzy/) {
      print "untranslated ($where): $id\n"; $bad = 1; next
    }
    if (args($id) ne args($t->{msgstr})) {
      print "placeholders differ ($where): \"$id\" -> \"$t->{msgstr}\"\n"; $bad = 1
    }
  }
  exit $bad;
' "$tmp/tmac.pot" "$tmp/ja.po" || fail=1

# 4. RAISEs that print text past the catalog
perl -e '
  my $bad = 0;
  for my $file (@ARGV) {
    open my $fh, "<", $file or die; local $/; my $text = <$fh>; close $fh;
    # strip comments (keeping line numbers)
    $text =~ s{--[^\n]*}{}g;
    while ($text =~ /\bRAISE\s+(EXCEPTION|WARNING|NOTICE|INFO|LOG)\b((?:\x27(?:[^\x27]|\x27\x27)*\x27|[^;\x27])*);/gi) {
      my ($level, $body) = ($1, $2);
      my $line = 1 + (substr($text, 0, $-[0]) =~ tr/\n//);
      # remove tmac.message(...) calls, parentheses balanced, literals skipped
      1 while $body =~ s/tmac\.message\((?:\x27(?:[^\x27]|\x27\x27)*\x27|[^()\x27]|\((?:\x27(?:[^\x27]|\x27\x27)*\x27|[^()\x27]|\([^()]*\))*\))*\)/M/gi;
      $body =~ s/ERRCODE\s*=\s*\x27[0-9A-Za-z_]+\x27//gi;
      my @lits = $body =~ /(\x27(?:[^\x27]|\x27\x27)*\x27)/g;
      my @raw = grep { !/^\x27[%\s]*\x27$/ } @lits;
      if (@raw || $body =~ /\bformat\s*\(/i) {
        (my $show = "RAISE $level$body") =~ s/\s+/ /g;
        print "raw RAISE $file:$line: ", substr($show, 0, 160), "\n"; $bad = 1;
      }
    }
  }
  exit $bad;
' sql/install/*.sql || fail=1

# 5. every C file looks its messages up in tmac's catalog
for c in src/*.c; do
  case $c in src/label_parse.c|src/vocabulary_text.c) continue ;; esac
  grep -q '^#include "message_catalog.h"' "$c" || { echo "message_catalog: $c does not include message_catalog.h"; fail=1; }
done

[ $fail = 0 ] && echo "message_catalog: every message has its Japanese translation"
exit $fail
