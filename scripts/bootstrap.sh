#!/usr/bin/env bash
# Installs what hoist needs on Debian (when missing) and builds it into build/.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkg-config git
          libyaml-cpp-dev nlohmann-json3-dev libre2-dev libcli11-dev libssl-dev
          libcurl4-openssl-dev libarchive-dev libgtest-dev libgmock-dev libbenchmark-dev time
          # what the tests run for real: a registry, a Docker engine, TLS and htpasswd tools,
          # python3 for the token issuer and fault proxy fixtures, curl for the benchmark
          docker-registry docker.io openssl apache2-utils python3 curl
          # compose test jobs (tests: {JOB: {compose: FILE}}) run Debian's docker compose
          docker-compose
          # remote builds over a real sshd; the AWS CLI for the spot provider; CI schema checks
          openssh-server awscli python3-jsonschema python3-yaml
          # packaging (scripts/package.sh) and the tests of what it makes: a minimal Debian
          # made by debootstrap, the three shells the completions are for, groff for the man page
          patchelf debootstrap zsh fish groff
          # gitlab-ci-local (the GitLab pipeline test) copies each job's checkout with rsync;
          # tmux, the real terminal the help's fit is checked in; chromium, the real browser the
          # HTML run report is rendered in
          rsync tmux chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The real npm registry the npm deploy tests publish to (verdaccio), from the npm registry,
# pinned by tests/tools/package-lock.json. Node.js comes from Debian when the machine has none.
if ! command -v npm >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
mkdir -p build/tools
if ! cmp -s tests/tools/package-lock.json build/tools/package-lock.json ||
   [ ! -x build/tools/node_modules/.bin/verdaccio ]; then
  cp tests/tools/package.json tests/tools/package-lock.json build/tools/
  (cd build/tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
