#!/bin/sh
# with-guest.sh FIXTURE_DIR -- COMMAND [ARGS...]
#
# Runs COMMAND as if on the simulated guest FIXTURE_DIR (a snapshot root: proc/..., sys/...,
# usr/bin/...), in a private mount namespace so that nothing outside it changes:
#   - every regular file under FIXTURE/proc is bind-mounted, read-only, over the same /proc file
#     (procfs cannot create files: a fixture file with no /proc counterpart on this kernel, such
#     as /proc/modules or /proc/vmmemctl, cannot be simulated and is skipped);
#   - FIXTURE/sys, when present, is bind-mounted read-only over the whole of /sys, so no file of
#     the real machine leaks into the guest (sysfs cannot create directories either); the
#     fixture's sys/kernel/debug, sys/kernel/tracing, sys/kernel/security and sys/fs/* are then
#     bound onto themselves so they are mount points, as debugfs and friends are on a real guest;
#   - FIXTURE's usr/bin, usr/sbin, bin and sbin come first on PATH (the guest's own tools).
# Files outside /proc and /sys (e.g. /.dockerenv) are not simulated.
# The script execs COMMAND: its exit status and signals pass straight through.
# Needs root (mount namespaces). Its own failures exit 125; set WITH_GUEST_VERBOSE=1 to list
# every bind and every skipped file on stderr.
set -eu

fail() { printf 'with-guest: %s\n' "$*" >&2; exit 125; }
say() { [ "${WITH_GUEST_VERBOSE:-}" = 1 ] && printf 'with-guest: %s\n' "$*" >&2 || :; }
usage() { fail "usage: with-guest.sh FIXTURE_DIR -- COMMAND [ARGS...]"; }

stage=outer
if [ "${1:-}" = --inside ]; then stage=inside; shift; fi
[ $# -ge 3 ] || usage
fixture=$1
[ "$2" = -- ] || usage
shift 2
[ -d "$fixture" ] || fail "no such fixture directory: $fixture"
fixture=$(cd "$fixture" && pwd -P)
[ "$fixture" != / ] || fail "refusing / as a fixture"

if [ "$stage" = outer ]; then
  [ "$(id -u)" = 0 ] || fail "needs root for a private mount namespace (unshare --mount)"
  command -v unshare >/dev/null 2>&1 || fail "unshare (util-linux) is not installed"
  self=$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")
  # unshare execs the shell in the new namespace (no fork), and the shell execs COMMAND.
  exec unshare --mount --propagation private /bin/sh "$self" --inside "$fixture" -- "$@"
fi

# Inside: never bind anything unless this really is a mount namespace of our own.
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink "/proc/$PPID/ns/mnt")" ] || fail "not in a private mount namespace; run with-guest.sh without --inside"

bind_ro() { # source target
  # util-linux >= 2.27 turns "bind,ro" into a bind plus a read-only remount.
  mount -o bind,ro "$1" "$2" || fail "cannot bind $1 over $2"
  say "bound $1 -> $2 (read-only)"
}

if [ -d "$fixture/proc" ]; then
  # Newline-separated list; fixture paths have no newlines (they are committed file names).
  find "$fixture/proc" -type f | sort | while IFS= read -r file; do
    target=/proc/${file#"$fixture/proc/"}
    if [ ! -f "$target" ]; then say "skipped $target (does not exist on this kernel)"; continue; fi
    # /proc/<pid> of a process that exits between the test and the mount vanishes: skipped like one never there.
    if ! mount -o bind,ro "$file" "$target" 2>/dev/null; then
      [ -f "$target" ] && fail "cannot bind $file over $target"
      say "skipped $target (its process has just exited)"; continue
    fi
    say "bound $file -> $target (read-only)"
  done
fi

if [ -d "$fixture/sys" ]; then
  bind_ro "$fixture/sys" /sys
  for mountpoint in /sys/kernel/debug /sys/kernel/tracing /sys/kernel/security /sys/kernel/config /sys/fs/*; do
    [ -d "$mountpoint" ] && [ ! -L "$mountpoint" ] || continue
    bind_ro "$mountpoint" "$mountpoint"
  done
fi

guest_path=
for dir in usr/bin usr/sbin bin sbin; do
  [ -d "$fixture/$dir" ] && guest_path="$guest_path$fixture/$dir:"
done
PATH="$guest_path$PATH"
export PATH
exec "$@"
