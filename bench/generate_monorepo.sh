#!/usr/bin/env bash
# Generates a synthetic monorepo for the benchmarks: PROJECTS projects of FILES files each,
# a build_manifest.yml with a dependency DAG (each project depends on up to three earlier
# ones), committed with git fast-import (so a million files need no million writes).
#
#   bench/generate_monorepo.sh PROJECTS FILES DIR [--checkout] [--js]
#
# With --checkout the files are also written to the work tree (hoist hash without --rev
# then checks the working tree as it would in CI); without, only the manifest is. With --js
# the repository is also an npm workspace that Turborepo and Nx read: a package.json per
# project with the manifest's dependencies, turbo.json and nx.json (bench/compare.sh).
# A second commit changes 12 files in 3 projects, for `affected`.
set -euo pipefail
projects=${1:?projects}
files=${2:?files per project}
dir=${3:?directory}
checkout=""
js=0
for option in "${@:4}"; do
  case "$option" in
  --checkout) checkout=--checkout ;;
  --js) js=1 ;;
  *) echo "generate_monorepo.sh: unknown option $option" >&2; exit 2 ;;
  esac
done

rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
git init -q -b main
git config user.name bench
git config user.email bench@hoist.invalid

manifest() {
  awk -v n="$projects" 'BEGIN {
    for (p = 0; p < n; p++) {
      name = sprintf("p%04d", p)
      printf "%s:\n  buildDir: projects/%s\n", name, name
      if (p % 10 == 0) printf "  rebuildPatterns:\n    - ^projects/%s/\n    - ^shared/common/\n", name
      deps = ""
      for (k = 1; k <= 3; k++) {
        d = p - k * 7
        if (d >= 0 && (p + k) % 3 != 0) deps = deps (deps == "" ? "" : ", ") sprintf("p%04d", d)
      }
      if (deps != "") printf "  dependencies: [%s]\n", deps
    }
  }'
}

# One fast-import stream: every file inline in one commit, then a small second commit.
manifest >"$dir/.manifest"
LC_ALL=C awk -v n="$projects" -v f="$files" -v js="$js" -v manifest_file="$dir/.manifest" '
function inline(path, body) { printf "M 100644 inline %s\ndata %d\n%s\n", path, length(body), body }
BEGIN {
  manifest = ""
  while ((getline line < manifest_file) > 0) manifest = manifest line "\n"
  printf "commit refs/heads/main\ncommitter bench <bench@hoist.invalid> 1700000000 +0000\n"
  printf "data 7\ninitial\n"
  printf "M 100644 inline build_manifest.yml\ndata %d\n%s\n", length(manifest), manifest
  printf "M 100644 inline shared/common/config.h\ndata 12\n#define X 1\n\n"
  if (js) {
    inline("package.json", "{\"name\": \"bench\", \"private\": true, \"workspaces\": [\"projects/*\"], \"packageManager\": \"npm@10.8.2\"}\n")
    inline("turbo.json", "{\"tasks\": {\"build\": {\"dependsOn\": [\"^build\"], \"outputs\": []}}}\n")
    inline("nx.json", "{\"targetDefaults\": {\"build\": {\"dependsOn\": [\"^build\"], \"cache\": true}}}\n")
    inline(".gitignore", "node_modules\n.turbo/\n.nx/\n.hoist/\n")
  }
  for (p = 0; p < n; p++) {
    name = sprintf("p%04d", p)
    body = "FROM scratch\nCOPY . /src\n"
    printf "M 100644 inline projects/%s/Dockerfile\ndata %d\n%s\n", name, length(body), body
    if (js) {  # the same dependencies as the manifest
      deps = ""
      for (k = 1; k <= 3; k++) {
        d = p - k * 7
        if (d >= 0 && (p + k) % 3 != 0) deps = deps (deps == "" ? "" : ", ") sprintf("\"p%04d\": \"*\"", d)
      }
      inline("projects/" name "/package.json", sprintf("{\"name\": \"%s\", \"version\": \"1.0.0\", \"scripts\": {\"build\": \"true\"}, \"dependencies\": {%s}}\n", name, deps))
    }
    for (i = 0; i < f - 1; i++) {
      body = sprintf("export const v%d_%d = %d;\n", p, i, p * 100003 + i)
      printf "M 100644 inline projects/%s/src/d%02d/file%05d.ts\ndata %d\n%s\n", name, i % 16, i, length(body), body
    }
  }
  printf "\ncommit refs/heads/main\ncommitter bench <bench@hoist.invalid> 1700000100 +0000\n"
  printf "data 7\nchange\n"
  for (c = 0; c < 12; c++) {
    p = (c % 3) * int(n / 3) + 1
    body = sprintf("export const changed = %d;\n", c)
    printf "M 100644 inline projects/p%04d/src/d%02d/file%05d.ts\ndata %d\n%s\n", p, c, c, length(body), body
  }
  printf "\n"
}' | git fast-import --quiet
rm -f "$dir/.manifest"

if [ "$checkout" = "--checkout" ]; then
  git reset -q --hard main
else
  # Only the manifest in the work tree; the index matches HEAD so nothing looks deleted to
  # tools that read it, but the files are not written (hash with --rev HEAD).
  git read-tree main
  git show main:build_manifest.yml >build_manifest.yml
fi
echo "generated $dir: $(git ls-tree -r --name-only main | wc -l) files, $projects projects"
