#!/usr/bin/env bash
# readme7_links.sh — every in-page link of the README, `](#anchor)`, names a heading that exists.
# The anchors are computed as GitHub computes them (github-slugger): the heading's text without
# its Markdown (code ticks, link targets), lower-cased, every character that is not a letter,
# mark, number, `_`, space or `-` dropped, each space made a `-`, and a repeated anchor suffixed
# `-1`, `-2`, …; headings inside fenced code blocks are not headings; an HTML `<a id=…>` or
# `<a name=…>` is a target too.  Needs no server.  Usage: readme7_links.sh [FILE] (default README.md).
set -uo pipefail
cd "$(dirname "$0")/../.."
file=${1:-README.md}
[ -f "$file" ] || { echo "not ok 1 - $file not found"; exit 1; }
perl -CSD -Mutf8 -e '
  my ($file) = @ARGV; open(my $fh, "<:encoding(UTF-8)", $file) or die "$file: $!";
  my (%anchor, %seen, @links); my $fence = ""; my $n = 0;
  while (my $line = <$fh>) {
    $n++; chomp $line;
    if ($line =~ /^\s*(```+|~~~+)/) {
      my $f = $1;
      if ($fence eq "") { $fence = substr($f, 0, 3); } elsif (substr($f, 0, 3) eq $fence) { $fence = ""; }
      next;
    }
    next if $fence ne "";
    if ($line =~ /^#{1,6}\s+(.*?)\s*#*\s*$/) {
      my $t = $1;
      $t =~ s/\[([^\]]*)\]\([^)]*\)/$1/g;          # [text](target) -> text
      $t =~ s/<[^>]+>//g;                            # inline HTML
      my $slug = lc $t;
      $slug =~ s/[^\p{L}\p{M}\p{N}\p{Pc} \-]//g;
      $slug =~ s/ /-/g;
      my $base = $slug;
      if (exists $seen{$base}) { $seen{$base}++; $slug = "$base-$seen{$base}"; } else { $seen{$base} = 0; }
      $anchor{$slug} = 1;
    }
    $anchor{$1} = 1 while $line =~ /<a\s+(?:id|name)="([^"]+)"/g;
    push @links, [$n, $1] while $line =~ /\]\(#([^)\s]*)\)/g;
  }
  my $bad = 0;
  for my $l (@links) {
    next if $anchor{$l->[1]};
    print "not ok - $file line $l->[0]: link #$l->[1] names no heading\n"; $bad++;
  }
  if ($bad) { print "not ok 1 - $file has $bad dangling in-page link(s)\n"; exit 1; }
  printf "ok 1 - every in-page link of %s (%d) names a heading\n", $file, scalar @links;
' "$file"
