#!/usr/bin/env bash
# no_circles.sh — which of tmac's C files depend on each other in a circle.
#
# Builds the call graph of src/*.c from the object files: file A depends on
# file B when A.o uses (nm: undefined) a symbol that B.o defines.  Prints every
# circle (each strongly connected component of more than one file, with one
# cycle through it), and fails when a circle touches a file of CHECKED below.
# With --graph it prints the whole graph first, one "A.c -> B.c" line an edge.
#
# CHECKED is the list of files that must stay out of every circle: all of them
# (no two C files of tmac depend on each other in a circle, issue 19).
#
# Needs the object files: run it after `make` (test/run_tests.sh builds first).
set -euo pipefail
cd "$(dirname "$0")/../.."

CHECKED=${VOCAB_CIRCLES_CHECKED:-'*'}

objs=$(ls src/*.o 2>/dev/null || true)
if [ -z "$objs" ]; then
  echo "no_circles: no src/*.o: build tmac first (make)" >&2
  exit 2
fi
for c in src/*.c; do
  [ -e "${c%.c}.o" ] || { echo "no_circles: ${c%.c}.o is missing: build tmac first" >&2; exit 2; }
done

{
  for o in $objs; do
    f=$(basename "${o%.o}").c
    nm "$o" | awk -v f="$f" '
      $1 == "U" { print "U", f, $2; next }
      NF == 3 && $2 ~ /^[TDBRCVW]$/ { print "D", f, $3 }'
  done
} | python3 -c '
import sys, fnmatch
checked = sys.argv[1].split()
graph_wanted = sys.argv[2] == "--graph"
defs, uses = {}, {}
files = set()
for line in sys.stdin:
    kind, f, sym = line.split()
    files.add(f)
    if kind == "D":
        defs.setdefault(sym, f)
    else:
        uses.setdefault(f, set()).add(sym)
edges = {f: set() for f in files}
for f, syms in uses.items():
    for s in syms:
        g = defs.get(s)
        if g is not None and g != f:
            edges[f].add(g)
if graph_wanted:
    for f in sorted(edges):
        for g in sorted(edges[f]):
            print(f + " -> " + g)
# Tarjan strongly connected components
index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1:
            sccs.append(sorted(comp))
for v in sorted(edges):
    if v not in index:
        visit(v)
def a_cycle(comp):
    # shortest cycle through the first file, inside the component
    start = comp[0]; inside = set(comp)
    prev = {start: None}; queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v]):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in inside and w not in prev:
                prev[w] = v; queue.append(w)
    return comp
bad = 0
for comp in sccs:
    hit = [f for f in comp if any(fnmatch.fnmatch(f, p) for p in checked)]
    tag = "FAIL" if hit else "note"
    print(tag + ": circle among " + ", ".join(comp) + ": " + " -> ".join(a_cycle(comp)))
    if hit:
        bad += 1
if bad:
    print("no_circles: %d circle(s) touch the checked files (%s)" % (bad, " ".join(checked)))
    sys.exit(1)
print("no_circles: %d circle(s) in all; none touches the checked files (%s)" % (len(sccs), " ".join(checked)))
' "$CHECKED" "${1:-}"
