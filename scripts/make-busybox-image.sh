#!/usr/bin/env bash
# Makes the example's outside base image, hoist-example/busybox:1, without network: busybox
# from Debian's busybox-static, imported into the local Docker engine.
set -euo pipefail
image=${1:-hoist-example/busybox:1}
docker image inspect "$image" >/dev/null 2>&1 && exit 0
busybox=$(command -v busybox || true)
[ -x /bin/busybox ] && busybox=/bin/busybox
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q static; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq busybox-static >/dev/null
  busybox=/bin/busybox
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat echo ls mkdir cp test true; do ln -s busybox "$root/bin/$applet"; done
tar -C "$root" -c . | docker import --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
echo "made $image" >&2
