#!/usr/bin/env bash
# Benchmarks of issue 4, each beside its same-run baseline:
#  (a) a no-op `hoist build --all` of 200 projects whose images are all in a loopback registry
#      (target <= 1.5 s), beside `hoist status` of the same projects;
#  (b) hoist's overhead over the very docker commands it runs, on the bundled example:
#      `hoist build --all --force -j 1` against a script replaying those commands (taken from
#      hoist's own logs) one after another (target <= 5 %).
#
#   bench/build_bench.sh        (needs build/hoist, dockerd running, docker-registry, curl)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
hoist=${HOIST:-$root/build/hoist}
runs=${RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-build-bench-XXXXXX")
registry_pid=""
cleanup() { [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
docker info >/dev/null 2>&1 || { echo "bench: start dockerd first" >&2; exit 1; }
"$root/scripts/make-busybox-image.sh"

. "$here/lib.sh"
show() {  # show LABEL "min med" BASELINE_LABEL "min med" TARGET
  read -r a b <<<"$2"; read -r c d <<<"$4"
  printf '  %-36s min %8s ms median %8s ms | %-30s min %8s ms median %8s ms | x%s %s\n' \
    "$1" "$a" "$b" "$3" "$c" "$d" "$(awk -v x="$b" -v y="$d" 'BEGIN { printf "%.3f", x / y }')" "$5"
}

# (a) no-op build against a registry holding every image.
start_registry
"$here/generate_monorepo.sh" 200 5 "$work/repo" --checkout >/dev/null
cd "$work/repo"
"$hoist" hash >"$work/hashes"
push_cache_images "$work/hashes"
cached=$("$hoist" --json --registry "$registry" build --all | grep -c '"result": "cached"')
echo "== (a) no-op build: 200 projects, all $cached cached in a loopback registry, $runs runs =="
show "hoist build --all (nothing to do)" "$(time_cmd "$hoist" --registry "$registry" build --all)" \
  "hoist status" "$(time_cmd "$hoist" --registry "$registry" status)" "(target <= 1500 ms)"

# (b) overhead over the same docker commands, on the bundled example (local engine).
cp -r "$root/examples/monorepo" "$work/example"
cd "$work/example"
git init -q -b main && git add -A && git -c user.name=b -c user.email=b@b commit -qm example
"$hoist" build --all >/dev/null 2>&1  # warm the layer cache
"$hoist" build --all --force -j 1 >/dev/null 2>&1
# The commands hoist ran, in its order, from its logs; the build context each `docker build -`
# read from hoist on stdin comes from a file made beforehand (so assembling it counts as
# hoist's overhead).
: >"$work/replay.sh"
mkdir -p "$work/contexts"
for project in $("$hoist" projects --topo); do
  "$hoist" context "$project" -o "$work/contexts/$project.tar"
  grep '^\$ ' ".hoist/logs/$project.log" | sed 's/^\$ //' |
    sed "s| -\$| - <$work/contexts/$project.tar|" >>"$work/replay.sh"
done
# Where the CLI has no BuildKit, hoist's one probing attempt failed and fell back: replay the
# commands that did the work.
if grep -q '^DOCKER_BUILDKIT=0' "$work/replay.sh"; then
  grep -v '^DOCKER_BUILDKIT=1' "$work/replay.sh" >"$work/replay.tmp" && mv "$work/replay.tmp" "$work/replay.sh"
fi
commands=$(wc -l <"$work/replay.sh")
echo "== (b) overhead on the bundled example: $commands docker commands, --force -j 1, $runs runs =="
show "hoist build --all --force -j 1" "$(time_cmd "$hoist" build --all --force -j 1)" \
  "the same docker commands" "$(time_cmd bash -e "$work/replay.sh")" "(target: overhead <= 5 %)"
