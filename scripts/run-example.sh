#!/usr/bin/env bash
# Sets up a fresh Debian machine (packages, build) and runs hoist's main job on the bundled
# example: it builds every image (a Docker engine is started when none runs), then again with
# everything cached, then the same with a registry on a loopback port; then a library changes
# and hoist rebuilds exactly what depends on it, and says why.
set -euo pipefail
# hoist tells a pull request's run (untrusted) from a trusted one by the CI's variables; this
# script is a run of its own, outside CI, whatever CI runs it.
unset CI GITHUB_ACTIONS GITLAB_CI CIRCLECI BUILDKITE HOIST_TRUST
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >/dev/null
hoist=$PWD/build/hoist
scripts=$PWD/scripts
repo=$(mktemp -d "${TMPDIR:-/tmp}/hoist-example-XXXXXX")
registry_pids=()
dockerd_pid=""
cleanup() {
  # Stop what this script started and wait until it is gone: nothing is left running.
  for pid in "${registry_pids[@]}" $dockerd_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in "${registry_pids[@]}" $dockerd_pid; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$repo" "$repo".registry-* "$repo.dockerd.log"
}
trap cleanup EXIT

# A Docker engine (without a bridge: the builds need no network) when none answers.
if ! docker info >/dev/null 2>&1; then
  echo "starting dockerd (no bridge, no iptables)" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo dockerd --bridge=none --iptables=false --ip-masq=false >"$repo.dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi
"$scripts/make-busybox-image.sh"
cp -r examples/monorepo/. "$repo"
cd "$repo"
git init -q -b main
git -c user.name=hoist -c user.email=example@hoist.invalid add -A
git -c user.name=hoist -c user.email=example@hoist.invalid commit -q -m "the example monorepo"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$hoist" projects --topo
step "$hoist" hash
echo "(each hash names the image cache-<hash>; same inputs, same hash, on any machine)"

# The embedded default: the local Docker engine's image store.
step "$hoist" build --all
step "$hoist" build --all

# start_registry NAME: a registry on a loopback port in a temporary directory; prints
# 127.0.0.1:PORT.
start_registry() {
  local dir="$repo.registry-$1" port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$dir"
  cat >"$dir/config.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
YML
  docker-registry serve "$dir/config.yml" >/dev/null 2>&1 &
  registry_pids+=($!)
  for _ in $(seq 1 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port))" 2>/dev/null && break
    sleep 0.1
  done
  echo "127.0.0.1:$port"
}

# The registry: hoist's only state.
start_registry cache >"$repo.registry-cache.host"
export HOIST_REGISTRY=$(cat "$repo.registry-cache.host")/example
step "$hoist" build --all
step "$hoist" build --all
step "$hoist" status

echo 'int shout(void) { return 2; }' >libs/greeting/src/shout.c
git -c user.name=hoist -c user.email=example@hoist.invalid add -A
git -c user.name=hoist -c user.email=example@hoist.invalid commit -q -m "greeting: add shout"
step "$hoist" affected --base HEAD~1 --files
step "$hoist" explain api --base HEAD~1
step "$hoist" build --dry-run --all
step "$hoist" build --all
echo
echo "Only the library and what depends on it were rebuilt; base and lint stayed cached."

# The pipeline as CI runs it: env, build (above), test, deploy, with the registry as memory.
step "$hoist" env
step "$hoist" test --all
step "$hoist" test --all
echo "(the second run found every pass marker: test jobs run only when their inputs changed)"
start_registry deploy >"$repo.registry-deploy.host"
export HOIST_DEPLOY_REGISTRY=$(cat "$repo.registry-deploy.host")/prod
step "$hoist" deploy
step "$hoist" deploy
echo "(nothing changed since the last deploy: no step ran again)"
