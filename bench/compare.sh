#!/usr/bin/env bash
# hoist against git (the floor), Turborepo and Nx, in one run on one generated repository that
# all of them read (an npm workspace with the same dependencies as the hoist manifest):
#  - hashing every project (what each must know before it can skip anything),
#  - the projects one commit affects,
#  - a run with nothing to do (hoist: every image already in a loopback registry; Turborepo and
#    Nx: every task in their local caches).
#
#   bench/compare.sh [PROJECTS FILES]       (default 200 projects x 250 files = 50,002 files)
#
# Prints the median of RUNS runs (default 5) of each command, wall clock, warm page cache, and
# its ratio to hoist's figure in the same table. Turborepo and Nx are installed from the npm
# registry into build/bench-tools when absent there; when npm cannot install them, their rows
# say so and the rest runs. Needs build/hoist, git, docker-registry, curl, python3 and npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
hoist=${HOIST:-$root/build/hoist}
runs=${RUNS:-5}
projects=${1:-200}
files=${2:-250}
tools=$root/build/bench-tools
work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-compare-XXXXXX")
registry_pid=""
cleanup() { [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
[ -x "$hoist" ] || { echo "bench: build hoist first (cmake --build build)" >&2; exit 1; }
[ "$projects" -ge 3 ] && [ "$files" -ge 2 ] || { echo "bench: needs 3 projects of 2 files at least" >&2; exit 2; }
command -v npm >/dev/null || { echo "bench: needs npm (apt-get install npm)" >&2; exit 1; }
. "$here/lib.sh"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NX_DAEMON=false NX_NO_CLOUD=true \
  NX_TUI=false TURBO_SCM_BASE=HEAD~1 TURBO_SCM_HEAD=HEAD

if [ ! -x "$tools/node_modules/.bin/turbo" ] || [ ! -x "$tools/node_modules/.bin/nx" ]; then
  echo "bench: installing turbo@2 and nx@20 from the npm registry into $tools" >&2
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" turbo@2 nx@20 >&2 ||
    echo "bench: npm could not install Turborepo and Nx; their rows are skipped" >&2
fi
turbo=$tools/node_modules/.bin/turbo
nx=$tools/node_modules/.bin/nx
have() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

# The repository: generated, made an npm workspace with a lockfile, then one commit that
# changes a file in each of three projects (for "affected").
"$here/generate_monorepo.sh" "$projects" "$files" "$work/repo" --checkout --js >&2
cd "$work/repo"
npm install --package-lock-only --silent --no-audit --no-fund >&2
git add package-lock.json && git commit -qm lockfile
# Both tools look for themselves in the workspace's node_modules.
[ -d "$tools/node_modules" ] && ln -s "$tools/node_modules" node_modules
for p in 1 $((projects / 3 + 1)) $((2 * projects / 3 + 1)); do
  printf 'export const edited = 1;\n' >>"projects/$(printf p%04d "$p")/src/d00/file00000.ts"
done
git commit -qam "edit three projects"

start_registry
"$hoist" hash >"$work/hashes"
push_cache_images "$work/hashes"
"$hoist" --registry "$registry" build --all >/dev/null
# Their caches filled (a failure shows as "failed" in its row).
have "$turbo" && { "$turbo" run build --output-logs=none >/dev/null 2>&1 || true; }
have "$nx" && { "$nx" run-many -t build >/dev/null 2>&1 || true; }

median() { read -r _ med <<<"$1"; echo "$med"; }
ours=""
row() {  # row LABEL COMMAND...: the median, and its ratio to the section's hoist figure
  local label=$1 med
  shift
  if ! have "$1" && [ "$1" != git ]; then
    printf '  %-46s %10s\n' "$label" "skipped (not installed)"
    return
  fi
  med=$(median "$(time_cmd "$@")")
  if [ "$med" = failed ]; then
    printf '  %-46s %10s\n' "$label" "failed (run it by hand to see why)"
    return
  fi
  [ -z "$ours" ] && ours=$med
  printf '  %-46s %8s ms   x%s\n' "$label" "$med" \
    "$(awk -v a="$med" -v b="$ours" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
}

n=$(git ls-files | wc -l)
echo "== hoist, git, Turborepo $("$turbo" --version 2>/dev/null || echo -), Nx $("$nx" --version 2>/dev/null | awk '/Local/ { print $NF }' || echo -): $projects projects, $n files, $(nproc) cores, median of $runs runs; x = ratio to hoist's figure =="
echo "-- hashing every project (working tree) --"
ours=""
row "hoist hash" "$hoist" hash
row "git status --porcelain -uall (floor)" git status --porcelain -uall
row "git ls-tree -r HEAD (floor, committed)" git ls-tree -r HEAD
row "hoist hash --rev HEAD" "$hoist" hash --rev HEAD
row "turbo run build --dry=json" "$turbo" run build --dry=json
echo "-- projects affected by the last commit --"
ours=""
row "hoist affected --base HEAD~1" "$hoist" affected --base HEAD~1
row "git diff --name-only HEAD~1 HEAD (floor)" git diff --name-only HEAD~1 HEAD
row "turbo ls --affected" "$turbo" ls --affected
row "nx show projects --affected" "$nx" show projects --affected --base=HEAD~1 --head=HEAD
echo "-- a run with nothing to do --"
ours=""
row "hoist build --all (loopback registry)" "$hoist" --registry "$registry" build --all
row "turbo run build (local cache)" "$turbo" run build --output-logs=none
row "nx run-many -t build (local cache)" "$nx" run-many -t build
