#!/usr/bin/env bash
# hoist's core benchmark (issue 2): hashing and change detection against git's own floor,
# measured side by side in one run on synthetic monorepos.
#
#   bench/run.sh [--quick]      (--quick: the 50k-file repo only)
#
# Prints, for each figure, hoist's time beside the same-run baseline it is compared with:
# min and median of RUNS runs, wall clock, warm page cache. Needs a built build/hoist and
# GNU time (apt-get install time) for peak memory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hoist=${HOIST:-$here/../build/hoist}
work=${BENCH_WORK:-$here/.work}
runs=${RUNS:-15}
[ -x "$hoist" ] || { echo "bench: build hoist first (cmake --build build)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time: apt-get install time" >&2; exit 1; }

. "$here/lib.sh"

peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

row() {  # row LABEL BASELINE_LABEL "min med" "min med" [TARGET]
  local label=$1 base_label=$2 ours=$3 base=$4 target=${5:-}
  read -r omin omed <<<"$ours"
  read -r bmin bmed <<<"$base"
  printf '  %-34s %8s ms (median %8s) | %-26s %8s ms (median %8s) | x%-5s %s\n' \
    "$label" "$omin" "$omed" "$base_label" "$bmin" "$bmed" \
    "$(awk -v a="$omed" -v b="$bmed" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" "$target"
}

bench_repo() {  # bench_repo PROJECTS FILES CHECKOUT
  local projects=$1 files=$2 checkout=$3 dir="$work/repo-$1x$2"
  if [ ! -d "$dir/.git" ]; then
    "$here/generate_monorepo.sh" "$projects" "$files" "$dir" $checkout >&2
  fi
  cd "$dir"
  local n
  n=$(git ls-tree -r --name-only HEAD | wc -l)
  echo "== $projects projects x $files files = $n files ($(nproc) cores), $runs runs each =="
  local floor hash
  floor=$(time_cmd git ls-tree -r HEAD)
  hash=$(time_cmd "$hoist" hash --rev HEAD)
  row "hoist hash --rev HEAD (all)" "git ls-tree -r HEAD" "$hash" "$floor" \
    "target <= 3x the floor; 1M files <= 1 s"
  row "hoist hash --compat aztec --rev" "git ls-tree -r HEAD" \
    "$(time_cmd "$hoist" hash --compat aztec --rev HEAD)" "$floor"
  if [ "$checkout" = "--checkout" ]; then
    row "hoist hash (HEAD + working tree)" "git status -uall" "$(time_cmd "$hoist" hash)" \
      "$(time_cmd git status --porcelain=v2 -z -uall)" "(working-tree scan is git's)"
  fi
  row "hoist affected --base HEAD~1" "git diff --name-only" \
    "$(time_cmd "$hoist" affected --base HEAD~1)" \
    "$(time_cmd git diff --name-only HEAD~1 HEAD)" "target <= 30 ms (50k tree)"
  echo "  peak memory: hoist hash --rev HEAD $(($(peak_kb "$hoist" hash --rev HEAD) / 1024)) MiB," \
    "git ls-tree -r HEAD $(($(peak_kb git ls-tree -r HEAD) / 1024)) MiB (target <= 256 MiB)"
}

mkdir -p "$work"
bench_repo 200 250 --checkout
if [ "${1:-}" != "--quick" ]; then
  runs=${RUNS_1M:-5} bench_repo 2000 500 ""
fi
