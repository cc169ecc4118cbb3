#!/usr/bin/env bash
# How long a CI job takes to get hoist (issue 13): the install step the generated configs run,
# from a loopback registry (hoist self publish), cold (docker pull + docker cp) and warm (the
# vendor's cache restored), beside the same-run floor: unpacking the same tarball from a local
# file. Also the sizes of what scripts/package.sh makes.
#
#   bench/install_bench.sh        (needs build/hoist, a Docker engine, docker-registry)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hoist=${HOIST:-$here/../build/hoist}
runs=${RUNS:-5}
[ -x "$hoist" ] || { echo "bench: build hoist first (cmake --build build)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "bench: needs a running Docker engine" >&2; exit 1; }
work=$(mktemp -d)
registry_pid=""
cleanup() { [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
. "$here/lib.sh"

bash "$here/../scripts/package.sh" "$(dirname "$hoist")" "$work/dist" 2>/dev/null
tarball=$(ls "$work"/dist/*-linux-x86_64.tar.gz)
version=$("$hoist" --version | awk '{print $2}')
start_registry
"$hoist" self publish "$tarball" --to "$registry/bench" >/dev/null 2>&1

# The install step exactly as the generated GitHub workflow has it (PATH line aside).
mkdir -p "$work/repo" && cd "$work/repo" && git init -q && printf 'a:\n  buildDir: a\n' > build_manifest.yml
"$hoist" ci generate --vendor github -o - 2>/dev/null | python3 -c '
import sys, yaml
job = yaml.safe_load(sys.stdin)["jobs"]["build-a"]
step = next(s for s in job["steps"] if s.get("name") == "install hoist")
print(step["run"].replace(">> \"$GITHUB_PATH\"", ">/dev/null"))' > "$work/install.sh"
export HOIST_REGISTRY="$registry/bench"

cold() {
  rm -rf "$work/home" && mkdir -p "$work/home"
  docker image rm -f "$registry/bench/hoist:$version" >/dev/null 2>&1 || true
  HOME=$work/home bash -e "$work/install.sh"
}
warm() { HOME=$work/home bash -e "$work/install.sh"; }
floor() { rm -rf "$work/floor" && mkdir -p "$work/floor" && tar -xzf "$tarball" -C "$work/floor" --strip-components=1; }

read -r cmin cmed <<<"$(time_cmd cold)"
read -r wmin wmed <<<"$(time_cmd warm)"
read -r fmin fmed <<<"$(time_cmd floor)"
printf 'install hoist %s in a CI job (min / median of %d runs, ms)\n' "$version" "$runs"
printf '  %-44s %8s / %8s | floor: tar -xzf of the local file %8s / %8s | x%.2f\n' \
  "cold: docker pull + docker cp from the registry" "$cmin" "$cmed" "$fmin" "$fmed" \
  "$(awk -v a="$cmed" -v b="$fmed" 'BEGIN { print (b > 0 ? a / b : 0) }')"
printf '  %-44s %8s / %8s\n' "warm: the vendor's cache restored" "$wmin" "$wmed"
printf 'release files\n'
for f in "$work"/dist/*.deb "$tarball"; do
  printf '  %-44s %8.1f MB\n' "$(basename "$f")" "$(awk -v b="$(stat -c %s "$f")" 'BEGIN { print b / 1e6 }')"
done
printf '  %-44s %8.1f MB (build tree: %.1f MB unstripped)\n' "bin/hoist, stripped" \
  "$(awk -v b="$(tar -xzOf "$tarball" --wildcards '*/bin/hoist' | wc -c)" 'BEGIN { print b / 1e6 }')" \
  "$(awk -v b="$(stat -c %s "$hoist")" 'BEGIN { print b / 1e6 }')"
