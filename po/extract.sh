#!/usr/bin/env bash
# extract.sh — every message tmac can print, as a gettext template (on stdout).
#
# The C files' messages: xgettext with PostgreSQL's message functions as keywords
# (errmsg, errdetail, errhint, … and gettext_noop).  The SQL's: the first literal of
# each tmac.message('…' and tmac.msgid('…' in sql/install (a single-quoted SQL literal,
# '' for a quote; no E'' strings).  test/scripts/message_catalog.sh compares the
# catalog po/<language>/*.po with this list.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

xgettext --language=C --from-code=UTF-8 --no-wrap --sort-by-file -o "$tmp/c.pot" \
  --keyword --keyword=errmsg --keyword=errmsg_plural:1,2 --keyword=errdetail \
  --keyword=errdetail_log --keyword=errdetail_plural:1,2 --keyword=errhint \
  --keyword=errcontext --keyword=_ --keyword=gettext_noop --keyword=tmac_translate \
  --flag=errmsg:1:c-format --flag=errmsg_plural:1:c-format --flag=errmsg_plural:2:c-format \
  --flag=errdetail:1:c-format --flag=errdetail_log:1:c-format \
  --flag=errdetail_plural:1:c-format --flag=errdetail_plural:2:c-format \
  --flag=errhint:1:c-format --flag=errcontext:1:c-format \
  src/*.c

perl -e '
  binmode STDOUT, ":raw";
  my %seen; my @order;
  for my $file (@ARGV) {
    open my $fh, "<:raw", $file or die "$file: $!";
    local $/; my $text = <$fh>; close $fh;
    while ($text =~ /tmac\.(?:message|msgid)\(\s*(E?)\x27((?:[^\x27]|\x27\x27)*)\x27/g) {
      my ($e, $lit) = ($1, $2);
      my $line = 1 + (substr($text, 0, $-[0]) =~ tr/\n//);
      die "$file:$line: tmac.message/msgid takes a plain literal, not E\x27\x27\n" if $e;
      $lit =~ s/\x27\x27/\x27/g;
      push @order, $lit unless $seen{$lit};
      push @{$seen{$lit}}, "$file:$line";
    }
  }
  sub po { my $s = shift; $s =~ s/\\/\\\\/g; $s =~ s/"/\\"/g; $s =~ s/\n/\\n/g; $s =~ s/\t/\\t/g; "\"$s\"" }
  print "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n";
  for my $m (@order) {
    print "#: @{$seen{$m}}\n";
    print "msgid ", po($m), "\nmsgstr \"\"\n\n";
  }
' sql/install/*.sql > "$tmp/sql.pot"

msgcat --no-wrap --use-first "$tmp/c.pot" "$tmp/sql.pot"
