#!/usr/bin/env bash
# Benchmark of issue 3: `hoist status` for 200 projects against a loopback registry where every
# image is present, beside 200 sequential `curl` HEADs of the same manifests, in one run.
#
#   bench/status_bench.sh
#
# Needs build/hoist, docker-registry, curl. Prints min/median of RUNS runs and the number of
# requests hoist sent (from its -v log).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hoist=${HOIST:-$here/../build/hoist}
runs=${RUNS:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-status-bench-XXXXXX")
registry_pid=""
cleanup() { [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

. "$here/lib.sh"
start_registry

"$here/generate_monorepo.sh" 200 5 "$work/repo" --checkout >/dev/null
cd "$work/repo"
"$hoist" hash >"$work/hashes"
push_cache_images "$work/hashes"

curl_heads() {
  while IFS=$'\t' read -r project hash; do
    curl -s -o /dev/null -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://$registry/v2/$project/manifests/cache-$hash"
  done <"$work/hashes"
}
ms() { read -r min med <<<"$1"; printf 'min %7s ms  median %7s ms' "$min" "$med"; }

present=$("$hoist" --registry "$registry" status | awk 'NR > 1 && $3 == "yes"' | wc -l)
requests=$("$hoist" -v --registry "$registry" status 2>&1 >/dev/null | grep -c ' -> ')
echo "== hoist status, 200 projects, loopback registry ($present images present), $runs runs =="
echo "  hoist status                 $(ms "$(time_cmd "$hoist" --registry "$registry" status)")   (target <= 500 ms)"
echo "  200 sequential curl HEADs    $(ms "$(time_cmd curl_heads)")"
echo "  requests sent by hoist: $requests (ping + one per project; target: at most one per project)"

# The embedded default: the same 200 projects' images in the local Docker engine (issue 16:
# one Engine API listing instead of a `docker image ls` per project), beside the registry.
if docker info >/dev/null 2>&1; then
  "$here/../scripts/make-busybox-image.sh" >/dev/null
  while IFS=$'\t' read -r project hash; do
    docker tag hoist-example/busybox:1 "hoist/$project:cache-$hash"
  done <"$work/hashes"
  present=$("$hoist" status | awk 'NR > 1 && $3 == "yes"' | wc -l)
  echo "== hoist status, 200 projects, the local Docker engine ($present images present), $runs runs =="
  echo "  hoist status (local engine)  $(ms "$(time_cmd "$hoist" status)")   (target: registry speed)"
  echo "  hoist status (registry)      $(ms "$(time_cmd "$hoist" --registry "$registry" status)")"
  while IFS=$'\t' read -r project hash; do
    docker image rm "hoist/$project:cache-$hash" >/dev/null
  done <"$work/hashes"
fi
