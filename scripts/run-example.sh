#!/usr/bin/env bash
# Sets up a fresh Debian machine (packages, build) and runs hoist's main job on the bundled
# example: which projects to rebuild, and why. The example is copied into a scratch git
# repository, committed, changed, and asked again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >/dev/null
hoist=$PWD/build/hoist
repo=$(mktemp -d "${TMPDIR:-/tmp}/hoist-example-XXXXXX")
trap 'rm -rf "$repo"' EXIT
cp -r examples/monorepo/. "$repo"
cd "$repo"
git init -q -b main
git -c user.name=hoist -c user.email=example@hoist.invalid add -A
git -c user.name=hoist -c user.email=example@hoist.invalid commit -q -m "the example monorepo"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$hoist" projects --topo
step "$hoist" graph --format mermaid
step "$hoist" query allDependencies api
step "$hoist" hash
echo "(each hash names the image cache-<hash>; same inputs, same hash, on any machine)"

echo 'int shout(void) { return 2; }' >libs/greeting/src/shout.c
git -c user.name=hoist -c user.email=example@hoist.invalid add -A
git -c user.name=hoist -c user.email=example@hoist.invalid commit -q -m "greeting: add shout"
step "$hoist" affected --base HEAD~1 --files
step "$hoist" explain api --base HEAD~1
echo
echo "Only the library and what depends on it need rebuilding; base and the rest keep their hashes."
