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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/data}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
registry=127.0.0.1:$port

"$here/generate_monorepo.sh" 200 5 "$work/repo" --checkout >/dev/null
cd "$work/repo"
"$hoist" hash >"$work/hashes"

# One small image, pushed once and then mounted into every project's repository.
config='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
config_digest="sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
upload() {  # upload REPO DIGEST DATA
  local location
  location=$(curl -sf -X POST -D - -o /dev/null "http://$registry/v2/$1/blobs/uploads/" |
    tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
  case "$location" in http*) ;; *) location="http://$registry$location" ;; esac
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "$3" \
    "$location&digest=$2" >/dev/null
}
upload p0000 "$config_digest" "$config"
manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":${#config},\"digest\":\"$config_digest\"},\"layers\":[]}"
while IFS=$'\t' read -r project hash; do
  curl -sf -X POST "http://$registry/v2/$project/blobs/uploads/?mount=$config_digest&from=p0000" -o /dev/null
  curl -sf -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' \
    --data-binary "$manifest" "http://$registry/v2/$project/manifests/cache-$hash" >/dev/null
done <"$work/hashes"

now_ns() { date +%s%N; }
time_cmd() {
  local samples=() i start
  "$@" >/dev/null 2>&1 || true
  for ((i = 0; i < runs; i++)); do
    start=$(now_ns)
    "$@" >/dev/null 2>&1
    samples+=($((($(now_ns) - start) / 1000)))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    printf "min %7.1f ms  median %7.1f ms", v[1] / 1000, v[int((NR + 1) / 2)] / 1000 }'
}
curl_heads() {
  while IFS=$'\t' read -r project hash; do
    curl -s -o /dev/null -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://$registry/v2/$project/manifests/cache-$hash"
  done <"$work/hashes"
}

present=$("$hoist" --registry "$registry" status | awk 'NR > 1 && $3 == "yes"' | wc -l)
requests=$("$hoist" -v --registry "$registry" status 2>&1 >/dev/null | grep -c ' -> ')
echo "== hoist status, 200 projects, loopback registry ($present images present), $runs runs =="
echo "  hoist status                 $(time_cmd "$hoist" --registry "$registry" status)   (target <= 500 ms)"
echo "  200 sequential curl HEADs    $(time_cmd curl_heads)"
echo "  requests sent by hoist: $requests (ping + one per project; target: at most one per project)"
