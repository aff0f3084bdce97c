#!/usr/bin/env bash
# prof_leaf.sh — the access profile is a leaf type and the profile files form no circle
# (issue 19, item 2).  From nm of the built objects: src/profile.o (TmacProfile, its id sets,
# copy, intersection, text form) uses no symbol another tmac object defines; and among the
# files that get a profile — profile_fetch.o (the query), profile_cache.o (the backend's
# cache), shared_profiles.o (between backends), parallel_handoff.o (to workers) — no two
# depend on each other both ways.
set -uo pipefail
cd "$(dirname "$0")/../.."
make -s PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} >/dev/null || { echo "not ok 1 - build failed"; exit 1; }
fail=0
# the tmac object defining each global symbol: "symbol object"
defs=$(for o in src/*.o; do nm --defined-only -g "$o" | awk -v o="$(basename "$o" .o)" 'NF == 3 { print $3, o }'; done | sort -u)
# the tmac objects file $1 uses a symbol of
uses() {
  nm -u "src/$1.o" | awk '{ print $NF }' | sort -u |
    join - <(printf '%s\n' "$defs") | awk -v self="$1" '$2 != self { print $2 }' | sort -u
}
if [ ! -e src/profile.o ]; then
  echo "not ok 1 - src/profile.c, the profile as a leaf type, does not exist"; fail=1
elif [ -n "$(uses profile)" ]; then
  echo "not ok 1 - src/profile.o uses other tmac objects: $(uses profile | tr '\n' ' ')"; fail=1
else
  echo "ok 1 - src/profile.o depends on no other tmac object"
fi
n=1
files="profile profile_fetch profile_cache shared_profiles parallel_handoff"
for a in $files; do
  for b in $files; do
    [[ "$a" < "$b" ]] || continue
    [ -e "src/$a.o" ] && [ -e "src/$b.o" ] || continue
    n=$((n + 1))
    if uses "$a" | grep -qx "$b" && uses "$b" | grep -qx "$a"; then
      echo "not ok $n - $a.o and $b.o depend on each other"; fail=1
    else
      echo "ok $n - $a.o and $b.o are not in a circle"
    fi
  done
done
# the split is not a renaming: profile_cache.o must still reach shared memory through shared_profiles.o
n=$((n + 1))
if uses profile_cache | grep -qx shared_profiles && uses shared_profiles | grep -qx profile; then
  echo "ok $n - profile_cache.o uses shared_profiles.o, and shared_profiles.o only the profile type"
else
  echo "not ok $n - expected profile_cache.o -> shared_profiles.o -> profile.o"; fail=1
fi
exit $fail
