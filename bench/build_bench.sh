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

now_ns() { date +%s%N; }
time_cmd() {  # prints "min median" in ms
  local samples=() i start
  for ((i = 0; i < runs; i++)); do
    start=$(now_ns)
    "$@" >/dev/null 2>&1
    samples+=($((($(now_ns) - start) / 1000)))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    printf "%.1f %.1f", v[1] / 1000, v[int((NR + 1) / 2)] / 1000 }'
}
show() {  # show LABEL "min med" BASELINE_LABEL "min med" TARGET
  read -r a b <<<"$2"; read -r c d <<<"$4"
  printf '  %-36s min %8s ms median %8s ms | %-30s min %8s ms median %8s ms | x%s %s\n' \
    "$1" "$a" "$b" "$3" "$c" "$d" "$(awk -v x="$b" -v y="$d" 'BEGIN { printf "%.3f", x / y }')" "$5"
}

# (a) no-op build against a registry holding every image.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:%s}\n' \
  "$work/data" "$port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
registry=127.0.0.1:$port
"$here/generate_monorepo.sh" 200 5 "$work/repo" --checkout >/dev/null
cd "$work/repo"
"$hoist" hash >"$work/hashes"
config='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
config_digest="sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
location=$(curl -sf -X POST -D - -o /dev/null "http://$registry/v2/p0000/blobs/uploads/" | tr -d '\r' |
  awk 'tolower($1) == "location:" { print $2 }')
case "$location" in http*) ;; *) location="http://$registry$location" ;; esac
curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "$config" "$location&digest=$config_digest" >/dev/null
manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":${#config},\"digest\":\"$config_digest\"},\"layers\":[]}"
while IFS=$'\t' read -r project hash; do
  curl -sf -X POST "http://$registry/v2/$project/blobs/uploads/?mount=$config_digest&from=p0000" -o /dev/null
  curl -sf -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' \
    --data-binary "$manifest" "http://$registry/v2/$project/manifests/cache-$hash" >/dev/null
done <"$work/hashes"
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
# The commands hoist ran, in its order, from its logs.
: >"$work/replay.sh"
for project in $("$hoist" projects --topo); do
  grep '^\$ ' ".hoist/logs/$project.log" | sed 's/^\$ //' >>"$work/replay.sh"
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
