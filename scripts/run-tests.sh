#!/usr/bin/env bash
# Sets up a fresh Debian machine (packages, build) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

# The tests start a Docker engine when none answers; stop it again when they did.
stop_test_dockerd() {
  local pidfile=/tmp/hoist-test-dockerd.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
  fi
}
engine_was_running=false
docker info >/dev/null 2>&1 && engine_was_running=true
$engine_was_running || trap stop_test_dockerd EXIT

ctest --test-dir build --output-on-failure -j "$(nproc)"
