#!/usr/bin/env bash
# Benchmark of issue 6: the job start-up overhead of a remote build over SSH.
# The same one-project rebuild (`hoist build --force`, docker's layer cache warm, the image
# pushed to a loopback registry) on the local engine and on the same engine reached through a
# real sshd on loopback (`--remote ssh://…`); the difference is what one remote job costs to
# start: the SSH handshake, the socket forward, the engine check through it. Beside them, the
# same-run baseline of a bare `ssh HOST true` handshake.
#
#   bench/remote_bench.sh        (needs build/hoist, dockerd running, sshd, docker-registry)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
hoist=${HOIST:-$root/build/hoist}
runs=${RUNS:-7}
work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-remote-bench-XXXXXX")
registry_pid=""
sshd_pid=""
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
docker info >/dev/null 2>&1 || { echo "bench: start dockerd first" >&2; exit 1; }
"$root/scripts/make-busybox-image.sh"
. "$here/lib.sh"
start_registry

# A real sshd on a free loopback port, keys made here.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"
echo "[127.0.0.1]:$port $(cat "$work/host_key.pub")" >"$work/known_hosts"
cat >"$work/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
UsePAM no
AllowStreamLocalForwarding yes
CONF
mkdir -p /run/sshd
/usr/sbin/sshd -D -e -f "$work/sshd_config" 2>"$work/sshd.log" &
sshd_pid=$!
user=$(id -un)
for _ in $(seq 1 50); do nc -z 127.0.0.1 "$port" 2>/dev/null && break; python3 -c "import socket; socket.create_connection(('127.0.0.1',$port))" 2>/dev/null && break; sleep 0.1; done

mkdir -p "$work/repo/lib" && cd "$work/repo"
git init -q -b main
printf 'lib:\n  buildDir: lib\n' >build_manifest.yml
printf 'FROM hoist-example/busybox:1\nCOPY lib.c /lib.c\n' >lib/Dockerfile
echo 'int lib;' >lib/lib.c
printf 'ssh:\n  identityFile: %s\n  options: [UserKnownHostsFile=%s, StrictHostKeyChecking=yes]\n' \
  "$work/client_key" "$work/known_hosts" >hoist.yml
git add -A && git -c user.name=b -c user.email=b@hoist.invalid commit -qm bench

local_build=$(time_cmd "$hoist" --registry "$registry/b" build --force -j 1 lib)
remote_build=$(time_cmd "$hoist" --registry "$registry/b" build --force -j 1 --remote "ssh://$user@127.0.0.1:$port" lib)
handshake=$(time_cmd ssh -o BatchMode=yes -i "$work/client_key" -o IdentitiesOnly=yes \
  -o UserKnownHostsFile="$work/known_hosts" -p "$port" "$user@127.0.0.1" true)
# Per docker call: docker's own ssh:// DOCKER_HOST (a new `ssh HOST docker system dial-stdio`
# each call; an ssh wrapper on PATH gives it this bench's key) against one forward opened once.
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec /usr/bin/ssh -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s "$@"\n' \
  "$work/client_key" "$work/known_hosts" >"$work/bin/ssh"
chmod +x "$work/bin/ssh"
docker_ssh=$(PATH="$work/bin:$PATH" DOCKER_HOST="ssh://$user@127.0.0.1:$port" time_cmd docker version)
/usr/bin/ssh -N -o BatchMode=yes -i "$work/client_key" -o IdentitiesOnly=yes \
  -o UserKnownHostsFile="$work/known_hosts" -o StreamLocalBindUnlink=yes -p "$port" \
  -L "$work/fwd.sock:/var/run/docker.sock" "$user@127.0.0.1" &
forward_pid=$!
for _ in $(seq 1 100); do [ -S "$work/fwd.sock" ] && break; sleep 0.05; done
forwarded=$(DOCKER_HOST="unix://$work/fwd.sock" time_cmd docker version)
kill "$forward_pid" 2>/dev/null || true
read -r da dm <<<"$docker_ssh"; read -r fa fm <<<"$forwarded"
read -r la lm <<<"$local_build"; read -r ra rm <<<"$remote_build"; read -r ha hm <<<"$handshake"
echo "== remote job start-up over SSH: one-project rebuild, $runs runs (min / median ms) =="
printf '  %-44s min %8s median %8s\n' "hoist build --force lib (local engine)" "$la" "$lm"
printf '  %-44s min %8s median %8s\n' "same, --remote ssh://127.0.0.1 (same engine)" "$ra" "$rm"
printf '  %-44s min %8s median %8s\n' "baseline: ssh HOST true (one handshake)" "$ha" "$hm"
printf '  %-44s min %8s median %8s\n' "docker version, DOCKER_HOST=ssh:// (docker's)" "$da" "$dm"
printf '  %-44s min %8s median %8s\n' "docker version, through hoist's forward" "$fa" "$fm"
awk -v r="$rm" -v l="$lm" -v h="$hm" 'BEGIN {
  printf "  start-up overhead of a remote job: %.1f ms median (%.2f SSH handshakes)\n", r - l, (r - l) / h }'
