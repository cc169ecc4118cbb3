# Shared by the benchmarks (sourced): timing, and a loopback registry holding images.
# Callers set `runs` and `work` (a scratch directory) before using these.

now_ns() { date +%s%N; }

# time_cmd CMD... -> "min median" in ms over $runs runs after one warm-up (output discarded);
# "failed failed" when a timed run fails (a failure timed as a result would mislead).
time_cmd() {
  local samples=() i start
  "$@" >/dev/null 2>&1 || true
  for ((i = 0; i < runs; i++)); do
    start=$(now_ns)
    if ! "$@" >/dev/null 2>&1; then
      echo "failed failed"
      return 0
    fi
    samples+=($((($(now_ns) - start) / 1000)))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    printf "%.1f %.1f", v[1] / 1000, v[int((NR + 1) / 2)] / 1000 }'
}

# start_registry: a docker-registry on a free loopback port with storage in $work; sets
# `registry` (host:port) and `registry_pid` (the caller's cleanup kills it).
start_registry() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:%s}\n' \
    "$work/registry-data" "$port" >"$work/registry.yml"
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  registry=127.0.0.1:$port
  for _ in $(seq 1 100); do curl -sf "http://$registry/v2/" >/dev/null && return 0; sleep 0.1; done
  echo "bench: docker-registry did not start" >&2
  return 1
}

# push_cache_images HASHES: for every "project<TAB>hash" line, a small image tagged
# cache-<hash> in repository <project> (one config blob, mounted into every repository).
push_cache_images() {
  local config='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
  local digest="sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
  local first location manifest project hash
  first=$(head -1 "$1" | cut -f1)
  location=$(curl -sf -X POST -D - -o /dev/null "http://$registry/v2/$first/blobs/uploads/" |
    tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
  case "$location" in http*) ;; *) location="http://$registry$location" ;; esac
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "$config" \
    "$location&digest=$digest" >/dev/null
  manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":${#config},\"digest\":\"$digest\"},\"layers\":[]}"
  while IFS=$'\t' read -r project hash; do
    curl -sf -X POST "http://$registry/v2/$project/blobs/uploads/?mount=$digest&from=$first" -o /dev/null
    curl -sf -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' \
      --data-binary "$manifest" "http://$registry/v2/$project/manifests/cache-$hash" >/dev/null
  done <"$1"
}
