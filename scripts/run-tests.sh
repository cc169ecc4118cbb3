#!/usr/bin/env bash
# Sets up a fresh Debian machine (packages, build) and runs every test.
set -euo pipefail
# hoist tells a pull request's run (untrusted) from a trusted one by the CI's variables; this
# script is a run of its own, outside CI, whatever CI runs it.
unset CI GITHUB_ACTIONS GITLAB_CI CIRCLECI BUILDKITE HOIST_TRUST
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

# The tests start a Docker engine when none answers; stop it again when they did.
stop_test_dockerd() {
  local pidfile=/tmp/hoist-test-dockerd.pid
  local pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || return 0
  # Wait until it is gone, so nothing the tests started outlives this script.
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
engine_was_running=false
docker info >/dev/null 2>&1 && engine_was_running=true
$engine_was_running || trap stop_test_dockerd EXIT

ctest --test-dir build --output-on-failure -j "$(nproc)"
