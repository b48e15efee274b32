#!/bin/sh
# A real libvirt daemon for a test, started as root without systemd and stopped afterwards, that leaves
# this machine's configuration alone:
#   libvirt-daemon.sh start DIR   starts libvirtd (system mode, URI qemu:///system) under nice -n 10
#   libvirt-daemon.sh stop DIR    destroys its running domains, stops it, removes what start created
#   libvirt-daemon.sh status DIR  exit 0 when the daemon of DIR answers
# The daemon runs in a private mount namespace (unshare -m) where DIR's own files are bind-mounted over
#   /etc/libvirt            a copy of the host's client config plus the qemu.conf QEMU needs here (run as
#                           root, no dynamic ownership, no cgroups, no namespaces, no security driver, QEMU's
#                           output to files so virtlogd is not needed)
#   /etc/passwd, /etc/group copies with a libvirt-qemu user and group (libvirtd resolves its built-in default
#                           user before it reads qemu.conf, and fails when it does not exist)
#   /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt   (domain definitions, capabilities cache, logs)
# so /etc/libvirt/qemu.conf and /etc/passwd are never edited. Its socket stays at the default
# /run/libvirt/libvirt-sock (so clients reach it with qemu:///system). Directories that did not exist
# (the mount points, /run/libvirt) are created empty and removed again by stop.
# Needs root, libvirtd (libvirt-daemon + libvirt-daemon-driver-qemu), virsh (libvirt-clients), unshare.
set -eu
cmd=${1:-}
DIR=${2:-}
if [ -z "$cmd" ] || [ -z "$DIR" ]; then echo "usage: $0 start|stop|status DIR" >&2; exit 2; fi
URI=qemu:///system
MOUNTS="/var/lib/libvirt /var/cache/libvirt /var/log/libvirt"
SOCK=/run/libvirt/libvirt-sock

answers() { timeout 10 virsh -c "$URI" version >/dev/null 2>&1; }

start() {
  [ "$(id -u)" = 0 ] || { echo "libvirt-daemon: needs root (system mode)" >&2; exit 2; }
  for c in libvirtd virsh unshare; do
    command -v "$c" >/dev/null 2>&1 || { echo "libvirt-daemon: $c is missing" >&2; exit 2; }
  done
  [ -e "$SOCK" ] && { echo "libvirt-daemon: $SOCK exists: another libvirtd runs here; not starting a second one" >&2; exit 3; }
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  : >"$DIR/created"
  for d in /etc/libvirt $MOUNTS /run/libvirt; do
    [ -d "$d" ] || { mkdir -p "$d" && echo "$d" >>"$DIR/created"; }
  done
  mkdir -p "$DIR/etc" "$DIR/lib" "$DIR/cache" "$DIR/log"
  cp -a /etc/libvirt/. "$DIR/etc/" 2>/dev/null || :
  cat >"$DIR/etc/qemu.conf" <<'EOF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
namespaces = [ ]
cgroup_controllers = [ ]
security_driver = "none"
stdio_handler = "file"
EOF
  printf 'log_outputs = "3:stderr"\n' >"$DIR/etc/libvirtd.conf"
  cp /etc/passwd "$DIR/passwd"
  cp /etc/group "$DIR/group"
  grep -q '^libvirt-qemu:' "$DIR/group" || echo 'libvirt-qemu:x:64055:' >>"$DIR/group"
  grep -q '^libvirt-qemu:' "$DIR/passwd" || echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/nonexistent:/usr/sbin/nologin' >>"$DIR/passwd"
  # The namespace's mounts are private: the host never sees them, and they go when libvirtd exits.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid nice -n 10 unshare -m --propagation private sh -c '
    D=$1
    mount --bind "$D/etc" /etc/libvirt
    mount --bind "$D/passwd" /etc/passwd
    mount --bind "$D/group" /etc/group
    mount --bind "$D/lib" /var/lib/libvirt
    mount --bind "$D/cache" /var/cache/libvirt
    mount --bind "$D/log" /var/log/libvirt
    exec libvirtd -p "$D/libvirtd.pid"' sh "$DIR" </dev/null >"$DIR/libvirtd.log" 2>&1 &
  echo $! >"$DIR/launcher.pid"
  i=0
  until [ -S "$SOCK" ] && answers; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$(cat "$DIR/launcher.pid")" 2>/dev/null; then
      echo "libvirt-daemon: libvirtd did not answer on $SOCK in 30 s:" >&2
      tail -n 30 "$DIR/libvirtd.log" >&2
      stop
      exit 1
    fi
    sleep 0.3
  done
  echo "$URI"
}

stop() {
  [ -d "$DIR" ] || exit 0
  DIR=$(cd "$DIR" && pwd)
  if [ -S "$SOCK" ] && answers; then
    for dom in $(timeout 20 virsh -c "$URI" list --name 2>/dev/null); do
      timeout 20 virsh -c "$URI" destroy "$dom" >/dev/null 2>&1 || :
    done
  fi
  pid=
  [ -f "$DIR/libvirtd.pid" ] && pid=$(cat "$DIR/libvirtd.pid")
  [ -n "$pid" ] || { [ -f "$DIR/launcher.pid" ] && pid=$(cat "$DIR/launcher.pid"); }
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || :
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null || :
  fi
  # QEMU processes the daemon started (their pid files are in the shared /run/libvirt/qemu).
  for f in /run/libvirt/qemu/*.pid; do
    [ -f "$f" ] || continue
    qpid=$(cat "$f")
    case $(cat "/proc/$qpid/comm" 2>/dev/null) in qemu-system-*) kill -KILL "$qpid" 2>/dev/null || : ;; esac
  done
  if [ -f "$DIR/created" ]; then
    while read -r d; do
      [ "$d" = /run/libvirt ] && rm -rf /run/libvirt
      rmdir "$d" 2>/dev/null || :
    done <"$DIR/created"
    rm -f "$DIR/created"
  fi
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|status DIR" >&2; exit 2 ;;
esac
