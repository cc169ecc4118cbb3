#!/usr/bin/env bash
# Benchmark of issue 11: hoist assembling a build context itself (from git's object store,
# .dockerignore applied, a reproducible tar streamed to `docker build -`) against docker
# reading the same directory itself, on a 10k-file, 200 MiB buildDir, in one run:
#  (a) the context alone: `hoist context app -o -` beside `tar -c` of the directory
#      (what the docker CLI does before it sends a directory);
#  (b) a whole build that copies every file: `hoist context | docker build -` beside
#      `docker build DIR` (classic builder, --network none, no layer cache: --no-cache).
#
#   bench/context_bench.sh      (needs build/hoist and a running dockerd)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
hoist=${HOIST:-$root/build/hoist}
runs=${RUNS:-3}
files=${FILES:-10000}
total_mib=${MIB:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-context-bench-XXXXXX")
trap 'rm -rf "$work"; docker image rm -f hoist-bench/context:hoist hoist-bench/context:docker >/dev/null 2>&1 || true' EXIT
[ -x "$hoist" ] || { echo "bench: build hoist first (cmake --build build)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "bench: start dockerd first" >&2; exit 1; }

. "$here/lib.sh"
show() {  # show LABEL "min med" BASELINE_LABEL "min med" TARGET
  read -r a b <<<"$2"; read -r c d <<<"$4"
  printf '  %-40s min %8s ms median %8s ms | %-32s min %8s ms median %8s ms | x%s %s\n' \
    "$1" "$a" "$b" "$3" "$c" "$d" "$(awk -v x="$b" -v y="$d" 'BEGIN { printf "%.3f", x / y }')" "$5"
}

# A repository whose one project has FILES files of random bytes (incompressible, as built
# artefacts and media are) totalling MIB MiB, in 100 directories, committed.
repo=$work/repo
mkdir -p "$repo/app"
cd "$repo"
git init -q -b main
git config gc.auto 0  # packed only when the benchmark says so
python3 - "$files" "$total_mib" <<'PY'
import os, sys
files, mib = int(sys.argv[1]), int(sys.argv[2])
size = mib * 1024 * 1024 // files
for i in range(files):
    d = f"app/src/d{i % 100:03d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.bin", "wb") as f:
        f.write(os.urandom(size))
PY
printf 'FROM scratch\nCOPY . /app\n' >app/Dockerfile
printf 'app:\n  buildDir: app\n' >build_manifest.yml
git add -A && git -c user.name=b -c user.email=b@b commit -qm bench
size=$(du -sm app | cut -f1)
echo "== build context: $files files, $size MiB in buildDir, $runs runs, $(nproc) cores =="

# (a) assembling the context: hoist from git's objects, tar from the directory; both through a
# pipe (GNU tar skips reading files when it writes to /dev/null itself).
# Right after a commit git holds each file as a loose object (one file to open and inflate
# each); a clone, or git gc, holds them in a pack.
hoist_context() { "$hoist" context app -o - | cat >/dev/null; }
tar_context() { tar -C app -cf - . | cat >/dev/null; }
show "hoist context | cat (loose objects)" "$(time_cmd hoist_context)" \
  "tar -c app | cat (as the docker CLI)" "$(time_cmd tar_context)" "(a fresh local commit)"
git gc -q
show "hoist context | cat (packed, as a clone)" "$(time_cmd hoist_context)" \
  "tar -c app | cat (as the docker CLI)" "$(time_cmd tar_context)" "(target: not slower)"

# (b) a whole build of every file.
hoist_build() {
  "$hoist" context app -o - |
    DOCKER_BUILDKIT=0 docker build --quiet --no-cache --network=none \
      -f .dockerfile.hoist -t hoist-bench/context:hoist -
}
docker_build() {
  DOCKER_BUILDKIT=0 docker build --quiet --no-cache --network=none -t hoist-bench/context:docker app
}
show "hoist context | docker build -" "$(time_cmd hoist_build)" \
  "docker build app" "$(time_cmd docker_build)" "(target: not slower)"
