#!/usr/bin/env bash
# Makes hoist's release files from a built tree (default build/; build it first) into DIST
# (default BUILD/dist/):
#   hoist_<version>_amd64.deb            Debian 12 (dependencies from the binary, via CPack)
#   hoist-<version>-linux-x86_64.tar.gz  any x86_64 Linux with glibc >= 2.36
#   SHA256SUMS
# The tarball is self-contained: bin/hoist, every shared library it loads except glibc's own
# in lib/hoist/ (found through an RPATH of $ORIGIN/../lib/hoist, so nothing of the system's
# is used in their place), completions and the man page under share/. Unpack it anywhere, or
# into /usr/local with --strip-components=1. At run time hoist needs git, and the docker CLI
# for builds.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
dist=${2:-$build/dist}
[ -x "$build/hoist" ] || { echo "package.sh: $build/hoist is not built: cmake --build $build" >&2; exit 1; }
for tool in cpack patchelf; do
  command -v "$tool" >/dev/null || { echo "package.sh: needs $tool: scripts/bootstrap.sh installs it" >&2; exit 1; }
done
version=$("$build/hoist" --version | awk '{print $2}')
rm -rf "$dist"
mkdir -p "$dist"
dist=$(cd "$dist" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

(cd "$build" && cpack -G DEB -B "$stage/cpack" >/dev/null)
mv "$stage"/cpack/*.deb "$dist/"

name="hoist-$version-linux-x86_64"
root="$stage/$name"
cmake --install "$build" --prefix "$root" --strip >/dev/null
mkdir -p "$root/lib/hoist"
# glibc's libraries stay the system's (the one thing the tarball requires); every other one
# is bundled, libstdc++ included, so that no version of any of them matters.
# libcurl is loaded when hoist first speaks HTTP (src/net/curl_library.h), not linked: it is
# bundled with what it needs all the same.
# (ldconfig is in /sbin, off a user's PATH; awk reads to the end, so that no SIGPIPE fails it)
curl_lib=$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p |
  awk '$1 == "libcurl.so.4" && /x86-64/ && !found { print $NF; found = 1 }')
[ -n "$curl_lib" ] || { echo "package: libcurl.so.4 not found (apt-get install libcurl4)" >&2; exit 1; }
{ echo "libcurl.so.4 => $curl_lib (0)"; ldd "$root/bin/hoist" "$curl_lib"; } | awk '$3 ~ /^\// {print $3}' | sort -u |
while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|ld-linux*) ;;
    *) cp -L "$lib" "$root/lib/hoist/" ;;
  esac
done
# DT_RPATH (not RUNPATH): searched for the libraries' own dependencies too, and before
# LD_LIBRARY_PATH, so a bundled library's dependency is always the bundled one.
patchelf --force-rpath --set-rpath '$ORIGIN/../lib/hoist' "$root/bin/hoist"
for lib in "$root"/lib/hoist/*; do
  chmod 0644 "$lib"
  strip --strip-unneeded "$lib"
  patchelf --force-rpath --set-rpath '$ORIGIN' "$lib"
done
# The same bytes from the same build: fixed owner, order and times.
epoch=$(git -C "$(dirname "$0")/.." log -1 --format=%ct 2>/dev/null || echo 946684800)
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name --mtime="@$epoch" \
    -cf - "$name" | gzip -9n > "$dist/$name.tar.gz"
(cd "$dist" && sha256sum ./*.deb ./*.tar.gz | sed 's| \./| |' > SHA256SUMS)
ls -l "$dist" >&2
