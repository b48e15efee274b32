#!/bin/sh
# Balloon Inspector probe, format version 1.
# Read-only: reads /proc, /sys and asks a few tools; writes nothing, needs no root.
# Runs on dash, bash and busybox sh (POSIX only: no arrays, no `local`, no $RANDOM).
# Output: a first line "BALLOON-INSPECTOR-PROBE 1 <marker>", then sections, each
# introduced by "\n<marker> <id> <status> <detail>"; status is ok|absent|denied|error.
# Settings (environment, or assignments prepended to this script on stdin; balloon-check always
# prepends every one of them, so stray BI_* variables of the caller never count):
#   BI_ROOT          treat this directory as the guest's / (a snapshot): every file comes from
#                    under it, and a symlink leading out of it is refused, never followed
#   BI_RUN_SNAPSHOT_TOOLS=1  run the snapshot's own usr/bin tools (default: read their saved
#                    outputs from DIR/sos_commands, and run nothing of the snapshot)
#   BI_SUDO=1        read root-only files through `sudo -n` (never prompts)
#   BI_TOOL_TIMEOUT  seconds each tool may run (default 5; clamped to 1..600)
#   BI_CAP           bytes kept of each file (default 262144; clamped to 4096..4194304)
#   BI_DETECT_VIRT=1 ask systemd-detect-virt even when other signals name the hypervisor

LC_ALL=C
export LC_ALL
unset CDPATH
# Only absolute PATH entries: an empty entry or "." would run a program of the working directory.
ABS_PATH='' ifs0=$IFS
set -f; IFS=:
for d in $PATH; do case $d in /*) ABS_PATH=${ABS_PATH:+$ABS_PATH:}$d ;; esac; done
set +f; IFS=$ifs0
PATH=${ABS_PATH:-/usr/bin:/bin:/usr/sbin:/sbin}
export PATH

# A whole number within bounds, else the default: "0", "1e30" or "" never disable a bound.
bounded() { # value default min max -> $N
  N=$1
  case $N in ''|*[!0-9]*) N=$2; return ;; esac
  while :; do case $N in 0?*) N=${N#0} ;; *) break ;; esac; done
  if [ ${#N} -gt 9 ] || [ "$N" -gt "$4" ]; then N=$4; elif [ "$N" -lt "$3" ]; then N=$3; fi
}
bounded "${BI_TOOL_TIMEOUT:-}" 5 1 600; TOOL_TIMEOUT=$N
bounded "${BI_CAP:-}" 262144 4096 4194304; CAP=$N
RUN_TOOLS=${BI_RUN_SNAPSHOT_TOOLS:-}
# Tools run with / as their working directory: nothing they do lands where the caller stands.
cd / || exit 1

R=${BI_ROOT:-}
R=${R%/}
RP=
if [ -n "$R" ]; then
  case $R in /*) ;; *) R=$OLDPWD/$R ;; esac
  # The snapshot's physical path: every path it gives must resolve to somewhere under it.
  if cd -P -- "$R" 2>/dev/null; then RP=$PWD; else RP=$R; fi
  cd / || exit 1
fi

# An unguessable marker, so file contents cannot fake a section header.
M=
if [ -r /proc/sys/kernel/random/uuid ]; then IFS= read -r M </proc/sys/kernel/random/uuid; fi
M="@@BI-${M:-$$}@@"
printf 'BALLOON-INSPECTOR-PROBE 1 %s\n' "$M"

section() { printf '\n%s %s %s %s\n' "$M" "$1" "$2" "${3:-}"; }
NL='
'

# Snapshot files larger than the cap (a 3 GB sparse meminfo, a hostname with no newline): listed
# by one find, so the shell never reads one of them line by line and awk reads them through dd.
BIG=
if [ -n "$R" ]; then
  set --
  for d in proc sys sos_commands; do [ -d "$RP/$d" ] && [ ! -h "$RP/$d" ] && set -- "$@" "$RP/$d"; done
  [ $# -gt 0 ] && BIG=$NL$(find "$@" -type f -size +"$CAP"c 2>/dev/null)$NL
fi
is_big() { case $BIG in *"$NL$1$NL"*) return 0 ;; esac; return 1; }

# A file that resolved outside the trees the find above scanned (proc -> data/proc inside the
# snapshot) gets the same size check on its own (one process; unusual layouts only).
outside_scan() {
  case $1 in "$RP"/proc/*|"$RP"/sys/*|"$RP"/sos_commands/*) return ;; esac
  [ -f "$1" ] || return
  if [ -n "$(find "$1" -prune -type f -size +"$CAP"c 2>/dev/null)" ]; then BIG=${BIG:-$NL}$1$NL; fi
}

# Resolves a snapshot path with this host's kernel (cd -P: no process), then refuses it unless it
# is still under the snapshot: `proc/meminfo -> /proc/meminfo`, `hostname -> /etc/shadow` or
# `sys -> ../../sys` would report this host, so they are refused, never followed (absolute targets
# are not re-rooted: a snapshot written by sos or by hand has no reason to hold them). A symlinked
# file is read through `ls -ld` (one process, only for symlinks). Sets P (the resolved path), or
# WHY ("error ...") and returns 1. Live runs: P is the path itself.
in_root() {
  P=$1
  [ -n "$R" ] || return 0
  ir_n=0
  while :; do
    ir_d=${P%/*} ir_b=${P##*/}
    # The deepest directory that exists: a missing one ends the walk (the caller says absent).
    until cd -P -- "${ir_d:-/}" 2>/dev/null; do ir_b='' ir_d=${ir_d%/*}; done
    case $PWD/ in
      "$RP"/*) ;;
      *) cd /; WHY="error symlink out of the snapshot: ${1#"$R"/}"; return 1 ;;
    esac
    if [ -z "$ir_b" ]; then cd /; return 0; fi
    P=$PWD/$ir_b
    if [ ! -h "$P" ]; then cd /; outside_scan "$P"; return 0; fi
    ir_n=$((ir_n + 1))
    if [ $ir_n -gt 40 ]; then cd /; WHY="error symlink loop: ${1#"$R"/}"; return 1; fi
    ir_t=$(ls -ld -- "./$ir_b" 2>/dev/null)
    ir_t=${ir_t#*" ./$ir_b -> "}
    case $ir_t in /*) P=$ir_t ;; *) P=$PWD/$ir_t ;; esac
  done
}

# First line of a small regular file into $V (shell builtin: no process started). Returns 1 when
# unreadable, refused (a FIFO, a device, a symlink out of the snapshot) or larger than the cap.
first_line() {
  V=
  in_root "$1" || return 1
  [ -f "$P" ] && [ -r "$P" ] || return 1
  if [ -n "$BIG" ] && is_big "$P"; then return 1; fi
  IFS= read -r V <"$P" || [ -n "$V" ]
  return 0
}

# Status of a path that could not be read: absent, or denied when a parent is closed to us.
why_unreadable() {
  in_root "$1" || return
  if [ -n "$BIG" ] && is_big "$P"; then WHY="error larger than $CAP bytes: not what a kernel prints"; return; fi
  if [ -e "$1" ]; then
    if [ -r "$1" ]; then WHY="error not a regular file"; else WHY="denied permission denied"; fi
    return
  fi
  if [ -h "$1" ]; then WHY="absent dangling symlink"; return; fi
  d=${1%/*}
  while [ -n "$d" ] && [ ! -e "$d" ]; do d=${d%/*}; done
  if [ -n "$d" ] && [ ! -x "$d" ]; then WHY="denied cannot search $d"; else WHY="absent no such file"; fi
}
# A section for a path that could not be read, with its status and why.
unreadable_section() { # id path
  why_unreadable "$2"; section "$1" "${WHY%% *}" "${WHY#* }"
}
# A snapshot directory, resolved (P) and checked; 1 when missing or refused (then WHY is set).
root_dir() {
  in_root "$1" || return 1
  [ -d "$P" ] || { why_unreadable "$1"; return 1; }
}

# Files read in one awk run at the end (one process for all bulk reads).
BULK_N=0
bulk() { # id path [filter]
  BULK_N=$((BULK_N + 1))
  b_big=0
  if [ -n "$BIG" ] && is_big "$2"; then b_big=1; fi
  eval "BULK_ID_$BULK_N=\$1 BULK_PATH_$BULK_N=\$2 BULK_FILTER_$BULK_N=\${3:-}:$b_big"
}
bulk_or_status() { # id path [filter]: queue a readable file, or print its status now
  if in_root "$2" && [ -f "$P" ] && [ -r "$P" ]; then bulk "$1" "$P" "${3:-}"; else unreadable_section "$1" "$2"; fi
}

# Tool lookup. Live: the system's bin dirs, then PATH (absolute entries only, see above).
# Snapshot with BI_RUN_SNAPSHOT_TOOLS=1: only its own bin dirs, resolved inside it, so no fact
# about this host leaks in and no symlink to a host program (`-> /bin/rm`) runs. Sets TOOL, or
# TOOL_WHY when a snapshot tool is refused.
find_tool() {
  TOOL='' TOOL_WHY=''
  if [ -n "$R" ]; then
    for d in usr/bin usr/sbin bin sbin; do
      if in_root "$R/$d/$1"; then
        if [ -f "$P" ] && [ -x "$P" ]; then TOOL=$P; return 0; fi
      else
        TOOL_WHY=${WHY#error }; return 1
      fi
    done
    return 1
  fi
  for d in /usr/bin /usr/sbin /bin /sbin /usr/local/bin /usr/local/sbin; do
    if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then TOOL="$d/$1"; return 0; fi
  done
  # PATH (absolute entries only, see above) walked with builtins: `$(command -v)` would fork.
  set -f; ft_ifs=$IFS; IFS=:
  for d in $PATH; do if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then TOOL=$d/$1; break; fi; done
  IFS=$ft_ifs; set +f
  [ -n "$TOOL" ]
}

# Kills a process and its descendants, found through /proc (no pkill on old or busybox guests):
# a child left alive would hold the output pipe open, and the probe would wait for it. Each one is
# stopped before its children are looked up (so it cannot fork more, nor carry on when a child
# dies), then all are killed, the tool itself last (its death ends the watchdog).
kill_tree() {
  kt_queue=$1 kt_all=
  while [ -n "$kt_queue" ]; do
    # shellcheck disable=SC2086 # a list of pids
    set -- $kt_queue; kt_cur=$1; shift; kt_queue=$*
    kill -STOP "$kt_cur" 2>/dev/null
    kt_all="$kt_cur $kt_all"
    for kt_stat in /proc/[0-9]*/stat; do
      kt_line=; IFS= read -r kt_line 2>/dev/null <"$kt_stat" || continue
      # shellcheck disable=SC2086 # the fields after "(comm) ": state ppid ...
      set -- ${kt_line##*) }
      if [ "${2:-}" = "$kt_cur" ]; then kt_pid=${kt_stat#/proc/}; kt_queue="$kt_queue ${kt_pid%/stat}"; fi
    done
  done
  # shellcheck disable=SC2086 # a list of pids
  kill -9 $kt_all 2>/dev/null
}

# A snapshot's tool may leave children behind (`sleep 301 &`), even in a new session (setsid),
# where neither its process group nor its parent finds them; each keeps the marker it was started
# with in /proc/PID/environ, so they are stopped, then killed, until none is left. A child that
# clears its environment escapes this (documented in the README).
reap_marked() { # marker
  # A process in the middle of exec shows an empty environ for a moment: stop only after two
  # scans in a row found nothing.
  rm_round=0 rm_empty=0
  while [ $rm_round -lt 8 ] && [ $rm_empty -lt 2 ]; do
    rm_round=$((rm_round + 1))
    # (grep exits 2 when a process vanished while it read: its list still counts)
    rm_files=$(grep -l -s -F -e "BI_TOOL_RUN=$1" /proc/[0-9]*/environ 2>/dev/null)
    if [ -z "$rm_files" ]; then rm_empty=$((rm_empty + 1)); continue; fi
    rm_empty=0 rm_pids=''
    for f in $rm_files; do f=${f#/proc/}; rm_pids="$rm_pids ${f%/environ}"; done
    # shellcheck disable=SC2086 # a list of pids
    kill -STOP $rm_pids 2>/dev/null
    # shellcheck disable=SC2086 # a list of pids
    kill -9 $rm_pids 2>/dev/null
  done
}

# Run a command with a time bound: stdout+stderr (capped at 64 KiB) in $OUT, its exit status in $RC
# (124/137 = killed at the bound; 255 = output too long to keep the status line). What the command
# leaves running is killed when it ends: its process group (GNU timeout makes one), and for a
# snapshot's tool everything carrying its marker.
TIMEOUT_KIND=
CAPTURE_N=0
capture() {
  if [ -z "$TIMEOUT_KIND" ]; then
    TIMEOUT_KIND=none
    # GNU timeout kills the tool's whole process group; busybox's kills the tool alone, so it
    # gets the watchdog instead.
    if command -v timeout >/dev/null 2>&1; then
      case $(timeout --version 2>/dev/null) in *coreutils*) TIMEOUT_KIND=gnu ;; esac
    fi
  fi
  CAPTURE_N=$((CAPTURE_N + 1))
  OUT=$( {
    if [ -n "$R" ]; then BI_TOOL_RUN="$M.$CAPTURE_N"; export BI_TOOL_RUN; fi
    case $TIMEOUT_KIND in
      gnu) timeout -s KILL "$TOOL_TIMEOUT" "$@" & p=$!
        wait $p; r=$?; kill -9 "-$p" 2>/dev/null ;;
      *) # no GNU timeout(1), as on RHEL 5 or busybox: a watchdog kills the command and its children
        "$@" & p=$!
        (sleep "$TOOL_TIMEOUT"; kill_tree $p) >/dev/null 2>&1 &
        w=$!; wait $p; r=$?; kill $w 2>/dev/null ;;
    esac </dev/null 2>&1
    # the reaper's own grep must not carry the marker
    if [ -n "$R" ]; then rm_mark=$BI_TOOL_RUN; unset BI_TOOL_RUN; reap_marked "$rm_mark"; fi
    echo "@@rc=$r"; } | head -c 65536)
  case $OUT in
    *@@rc=*) RC=${OUT##*@@rc=}; OUT=${OUT%@@rc=*} ;;
    *) RC=255 ;;
  esac
}
run_tool() { # id command args... ($ALSO_OK: one more exit status that is an answer, not a failure)
  id=$1; shift
  capture "$@"
  case $RC in
    0|"${ALSO_OK:-0}") section "$id" ok "exit $RC" ;;
    124|137) section "$id" error "timed out after ${TOOL_TIMEOUT}s" ;;
    255) section "$id" error "output longer than 64 KiB" ;;
    *) section "$id" error "exit $RC" ;;
  esac
  printf '%s\n' "$OUT"
}
# A tool's answer. Snapshot (default): the output a snapshot saved, sos report layout
# (DIR/sos_commands/<plugin>/<command line>), read like any file; nothing of the snapshot runs.
# Live, or a snapshot with BI_RUN_SNAPSHOT_TOOLS=1: the tool runs, bounded.
tool_answer() { # id tool saved-file args...
  ta_id=$1 ta_tool=$2 ta_saved=$3; shift 3
  if [ -n "$R" ] && [ "$RUN_TOOLS" != 1 ]; then
    if in_root "$R/$ta_saved"; then
      if [ -f "$P" ] && [ -r "$P" ]; then bulk "$ta_id" "$P" "tool"
      elif [ -e "$P" ] || [ -h "$P" ]; then unreadable_section "$ta_id" "$R/$ta_saved"
      else section "$ta_id" absent "not in this snapshot: $ta_saved"; fi
    else
      section "$ta_id" "${WHY%% *}" "${WHY#* }"
    fi
    return
  fi
  find_tool "$ta_tool"
  if [ -n "$TOOL" ]; then run_tool "$ta_id" "$TOOL" "$@"
  elif [ -n "$TOOL_WHY" ]; then section "$ta_id" error "$TOOL_WHY"
  else section "$ta_id" absent "$ta_tool not installed"; fi
}
empty_dir() { for x in "$1"/* "$1"/.[!.]*; do [ -e "$x" ] && return 1; done; return 0; }

# ---- meta -------------------------------------------------------------------------------
section meta ok
# The kernel running the probe (for a snapshot: this host's, beside guest_kernel below).
V=; { IFS= read -r V </proc/sys/kernel/osrelease; } 2>/dev/null; [ -n "$V" ] && printf 'kernel=%s\n' "$V"
first_line "$R/proc/sys/kernel/hostname" && printf 'hostname=%s\n' "$V"
# shellcheck disable=SC2086 # split the Uid line into its fields
while IFS= read -r l; do case $l in Uid:*) set -- $l; printf 'uid=%s\n' "$2"; break ;; esac; done </proc/self/status
[ -n "$R" ] && printf 'root=%s\n' "$R"
[ "${BI_SUDO:-}" = 1 ] && printf 'sudo=1\n'
if [ -n "$R" ] && first_line "$R/proc/sys/kernel/osrelease"; then printf 'guest_kernel=%s\n' "$V"; fi
if first_line "$R/proc/uptime"; then printf 'uptime=%s\n' "${V%% *}"; fi
# Page size, for counters in pages (64 KiB on some arm64 and ppc64le kernels). KernelPageSize of
# our own first mapping is read with the shell (~0.1 ms); getconf (~1 ms, absent on busybox) is
# the fallback for kernels before 2.6.29, whose smaps has no such line. A snapshot carries it
# only as a saved getconf output.
if [ -z "$R" ]; then
  ps_kb=
  if [ -r /proc/self/smaps ]; then
    # shellcheck disable=SC2086 # "KernelPageSize:   4 kB" into its fields
    while IFS= read -r l; do case $l in KernelPageSize:*) set -- $l; ps_kb=$2; break ;; esac; done </proc/self/smaps
  fi
  case $ps_kb in
    ''|*[!0-9]*) ps_b=$(getconf PAGESIZE 2>/dev/null) || ps_b= ;;
    *) ps_b=$((ps_kb * 1024)) ;;
  esac
  case $ps_b in ''|*[!0-9]*) ;; *) printf 'pagesize=%s\n' "$ps_b" ;; esac
else
  for f in "$R"/sos_commands/*/getconf_PAGESIZE; do
    if first_line "$f"; then case $V in ''|*[!0-9]*) ;; *) printf 'guest_pagesize=%s\n' "$V" ;; esac; fi
    break
  done
fi

# ---- hypervisor identity ----------------------------------------------------------------
VENDOR=
if root_dir "$R/sys/class/dmi/id"; then
  DMI=$P
  section dmi ok
  for k in sys_vendor product_name bios_vendor bios_version; do
    if first_line "$DMI/$k"; then printf '%s=%s\n' "$k" "$V"; [ $k = sys_vendor ] && VENDOR=$V; fi
  done
else
  section dmi "${WHY%% *}" "${WHY#* }"
fi

if first_line "$R/sys/hypervisor/type"; then section sys-hypervisor ok; printf '%s\n' "$V"
else unreadable_section sys-hypervisor "$R/sys/hypervisor/type"; fi

bulk_or_status cpuinfo "$R/proc/cpuinfo" cpuflags

# Container markers: the checks below read the VM's /proc and /sys, which a container shares.
section container ok
for f in /.dockerenv /run/.containerenv /proc/vz/veinfo; do in_root "$R$f" && [ -e "$P" ] && printf 'marker=%s\n' "$f"; done
if first_line "$R/proc/1/cgroup"; then
  # A regular file under the cap, so this loop ends (a FIFO or /dev/zero never gets here).
  while IFS= read -r l; do
    case $l in *docker*|*kubepods*|*lxc*|*libpod*|*containerd*) printf 'cgroup=%s\n' "$l"; break ;; esac
  done <"$P"
fi

# ---- balloon drivers --------------------------------------------------------------------
BALLOON_MODULES="vmw_balloon vmware_balloon vmmemctl virtio_balloon virtio_mem hv_balloon xen_balloon"
bulk_or_status modules "$R/proc/modules" modules

SYSMOD=
if root_dir "$R/sys/module"; then
  SYSMOD=$P
  section sys-module ok
  for m in $BALLOON_MODULES; do [ -d "$SYSMOD/$m" ] && printf '%s\n' "$m"; done
else
  section sys-module "${WHY%% *}" "${WHY#* }"
fi
# Loaded module (a directory under the sys/module checked above).
has_module() { [ -n "$SYSMOD" ] && [ -d "$SYSMOD/$1" ]; }

VIRTIO=
if root_dir "$R/sys/bus/virtio" && VIRTIO=$P && root_dir "$VIRTIO/drivers"; then
  section virtio-drivers ok
  for d in "$VIRTIO"/drivers/*; do [ -d "$d" ] && [ ! -h "$d" ] && printf '%s\n' "${d##*/}"; done
  section virtio-devices ok
  for d in "$VIRTIO"/devices/*; do
    # each device is a symlink into sys/devices: resolved, and skipped if it leaves the snapshot
    if ! in_root "$d" || [ ! -d "$P" ]; then continue; fi
    dd_path=$P n=${d##*/} dev='' ven='' st='' feat='' drv=''
    first_line "$dd_path/device" && dev=$V
    first_line "$dd_path/vendor" && ven=$V
    case $dev in
      0x0005|0x000d|0x0018)
        first_line "$dd_path/status" && st=$V
        first_line "$dd_path/features" && feat=$V ;;
    esac
    for k in virtio_balloon virtio_mem; do [ -h "$VIRTIO/drivers/$k/$n" ] || [ -e "$VIRTIO/drivers/$k/$n" ] && drv=$k; done
    printf 'device=%s id=%s vendor=%s status=%s driver=%s features=%s\n' "$n" "$dev" "$ven" "$st" "$drv" "$feat"
  done
else
  VIRTIO=
  section virtio-drivers "${WHY%% *}" "${WHY#* }"
fi

# ---- VMware -----------------------------------------------------------------------------
for s in balloon swap memlimit memres; do
  tool_answer "toolbox-$s" vmware-toolbox-cmd "sos_commands/vmware/vmware-toolbox-cmd_stat_$s" stat $s
done

# debugfs is root-only; with BI_SUDO=1 we ask sudo -n (never a password prompt).
debugfs_file() { # id path
  f="$R/sys/kernel/debug/$2"
  if in_root "$f" && [ -r "$P" ] && [ -f "$P" ]; then bulk "$1" "$P"; return; fi
  dbg="$R/sys/kernel/debug"
  if [ -n "$R" ]; then unreadable_section "$1" "$f"; return; fi
  if [ ! -x "$dbg" ] || { [ -e "$f" ] && [ ! -r "$f" ]; }; then
    if [ "${BI_SUDO:-}" = 1 ] && find_tool sudo; then
      capture "$TOOL" -n cat "$f"
      case $OUT in
        *"password is required"*|*"a password"*|*"not allowed"*|*"may not run"*|*"not in the sudoers"*)
          section "$1" denied "sudo -n refused: $(printf '%s' "$OUT" | head -n 1)" ;;
        *"No such file"*) section "$1" absent "no such file (read with sudo)" ;;
        *) if [ "$RC" = 0 ]; then section "$1" ok "read with sudo -n"; printf '%s\n' "$OUT"
           else section "$1" error "sudo -n cat: exit $RC"; fi ;;
      esac
      return
    fi
    section "$1" denied "debugfs is readable by root only"
    return
  fi
  if empty_dir "$dbg"; then section "$1" absent "debugfs not mounted"; return; fi
  section "$1" absent "no such file"
}
debugfs_file debugfs-vmmemctl vmmemctl
bulk_or_status proc-vmmemctl "$R/proc/vmmemctl"

# ---- Hyper-V and Xen --------------------------------------------------------------------
debugfs_file debugfs-hv-balloon hv-balloon
if root_dir "$R/sys/devices/system/xen_memory/xen_memory0"; then
  X=$P
  section xen-memory ok
  for k in target_kb target info/current_kb info/low_kb info/high_kb; do
    first_line "$X/$k" && printf '%s=%s\n' "${k#info/}" "$V"
  done
else
  section xen-memory "${WHY%% *}" "${WHY#* }"
fi
# Classic 2.6.18-xen kernels (RHEL 5 xen, SLES 11): no xen_memory sysfs, this file instead.
bulk_or_status proc-xen-balloon "$R/proc/xen/balloon"

# ---- generic memory signals -------------------------------------------------------------
bulk_or_status meminfo "$R/proc/meminfo"
bulk_or_status vmstat "$R/proc/vmstat" vmstat
bulk_or_status pressure-memory "$R/proc/pressure/memory"

if root_dir "$R/sys/devices/system/memory" && MB=$P && first_line "$MB/block_size_bytes"; then
  section memory-blocks ok
  printf 'block_size_bytes=%s\n' "$V"
  set -- "$MB"/memory[0-9]*
  [ -e "$1" ] || set --
  printf 'blocks=%s\n' "$#"
  # Hot-added blocks may sit offline: count states with one awk for all blocks (names on stdin,
  # so no argument-length limit), each file's first line only. A snapshot's entries must be plain
  # directories and regular files under the cap (awk would wait forever on a FIFO).
  for f in "$@"; do
    if [ -n "$R" ] && { [ -h "$f" ] || [ -h "$f/state" ] || [ ! -f "$f/state" ] || is_big "$f/state"; }; then continue; fi
    printf '%s/state\n' "$f"
  done | awk '
    { f = $0; l = ""; if ((getline l < f) > 0) { if (l == "online") on++; else if (l == "offline") off++ }; close(f) }
    END { printf "online=%d\noffline=%d\n", on, off }'
else
  unreadable_section memory-blocks "$R/sys/devices/system/memory/block_size_bytes"
fi

# Balloon kernel threads ([vmmemctl] and friends): only worth a /proc scan on those hypervisors.
case "$VENDOR" in
  VMware*|Microsoft*|Xen*) SCAN=1 ;;
  *) SCAN= ; has_module vmmemctl || has_module vmw_balloon || has_module vmware_balloon || has_module hv_balloon && SCAN=1 ;;
esac
if [ -n "$SCAN" ] && root_dir "$R/proc"; then
  section kthreads ok
  n=0
  for p in "$P"/[0-9]*; do
    n=$((n + 1)); [ $n -gt 4096 ] && break
    # a snapshot's entries: plain directories and regular files under the cap only
    if [ -n "$R" ] && { [ -h "$p" ] || [ -h "$p/stat" ] || [ ! -f "$p/stat" ] || is_big "$p/stat"; }; then continue; fi
    [ -r "$p/stat" ] || continue
    l=; IFS= read -r l 2>/dev/null <"$p/stat" || [ -n "$l" ] || continue
    case $l in *"(vmmemctl)"*|*"(hv_balloon)"*|*"(xen-balloon)"*|*"(vballoon)"*) l=${l#*\(}; printf '%s pid=%s\n' "${l%%\)*}" "${p##*/}" ;; esac
  done
fi

# Identity of last resort: systemd-detect-virt --vm (it looks through containers) costs ~8 ms,
# so it runs only when DMI, /sys/hypervisor and virtio devices left the hypervisor open.
NEED_DETECT=1
case "$VENDOR" in VMware*|QEMU*|Microsoft*|Xen*|innotek*|Red\ Hat*|OpenStack*|Amazon*|Google*|Parallels*) NEED_DETECT= ;; esac
in_root "$R/sys/hypervisor/type" && [ -e "$P" ] && NEED_DETECT=
[ -n "$VIRTIO" ] && [ -d "$VIRTIO/devices" ] && ! empty_dir "$VIRTIO/devices" && NEED_DETECT=
if [ -n "$NEED_DETECT" ] || [ "${BI_DETECT_VIRT:-}" = 1 ]; then
  # It prints "none" and exits 1 on bare metal.
  ALSO_OK=1; tool_answer detect-virt systemd-detect-virt "sos_commands/systemd/systemd-detect-virt_--vm" --vm; ALSO_OK=
fi

# ---- virtio-mem (hot-plugged memory, not a balloon): only when a device is bound to its driver --
# /proc/iomem shows the device's region and what the driver added (addresses for root only); the
# driver logs the host's requested size at load and at each change of the request. A loaded driver
# with no device (a stock distribution kernel) costs nothing: dmesg is the probe's dearest read.
set -- "$R/sys/bus/virtio/drivers/virtio_mem"/virtio[0-9]*
if [ -e "$1" ] || [ -h "$1" ]; then
  bulk_or_status virtio-mem-iomem "$R/proc/iomem"
  if [ -n "$R" ]; then
    bulk_or_status virtio-mem-dmesg "$R/sos_commands/kernel/dmesg"
  elif find_tool dmesg; then
    # shellcheck disable=SC2016 # $1 is for the inner sh
    capture sh -c '"$1" 2>&1 | grep -e "virtio_mem" -e "not permitted" -e "ermission denied"' sh "$TOOL"
    case $OUT in
      *"not permitted"*|*"ermission denied"*) section virtio-mem-dmesg denied "dmesg is root-only here (kernel.dmesg_restrict)" ;;
      *) if [ "$RC" = 0 ] || [ "$RC" = 1 ]; then section virtio-mem-dmesg ok; printf '%s\n' "$OUT"
         else section virtio-mem-dmesg error "dmesg: exit $RC"; fi ;;
    esac
  else
    section virtio-mem-dmesg absent "dmesg not installed"
  fi
fi

# ---- one awk run reads every queued file, capped at $CAP bytes each ---------------------
# A file larger than the cap (only in a snapshot) is read through dd, so awk never holds a
# 3 GB line. Saved tool outputs ("tool") keep a tool's 64 KiB bound and its wording.
i=1
set --
while [ $i -le $BULK_N ]; do
  eval "set -- \"\$@\" \"\$BULK_ID_$i\" \"\$BULK_PATH_$i\" \"\$BULK_FILTER_$i\""
  i=$((i + 1))
done
if [ $# -gt 0 ]; then
  awk -v M="$M" -v CAP="$CAP" '
    BEGIN {
      # busybox awk ends a line at a NUL byte (a binary file); mawk and gawk are told to do the
      # same (a regex RS), so every awk gives the same lines. busybox: sprintf("%c", 0) is "".
      Z = sprintf("%c", 0); if (length(Z) == 1) RS = "\n|" Z
      for (i = 1; i < ARGC; i += 3) {
        id = ARGV[i]; f = ARGV[i + 1]; split(ARGV[i + 2], fp, ":"); filt = fp[1]; n = 0; lines = ""; cut = 0; got = 0
        cap = (filt == "tool") ? 65536 : CAP
        src = f
        if (fp[2] == "1") { q = f; gsub(/\047/, "\047\\\047\047", q); src = "dd if=\047" q "\047 bs=" CAP " count=1 2>/dev/null" }
        while ((r = (fp[2] == "1" ? (src | getline l) : (getline l < src))) > 0) {
          got = 1
          if (filt == "cpuflags") { if (l ~ /^(flags|Features|vendor_id|model name)[ \t]*:/ && !(substr(l, 1, 5) in seen)) { seen[substr(l, 1, 5)] = 1; lines = lines l "\n" } ; if (l ~ /^$/ && ("flags" in seen)) break; continue }
          if (filt == "modules" && l !~ /^(vmw_balloon|vmware_balloon|vmmemctl|virtio_balloon|virtio_mem|hv_balloon|xen_balloon|balloon) /) continue
          if (filt == "vmstat" && l !~ /^(nr_balloon_pages|balloon_[a-z]+|pswpin|pswpout|pgmajfault|oom_kill|pgscan_[a-z_]+|pgsteal_[a-z_]+|allocstall[a-z_]*|compact_stall) /) continue
          n += length(l) + 1
          if (n > cap) { cut = 1; break }
          lines = lines l "\n"
        }
        close(src)
        # A file over the cap was read through dd up to it: cut, even when its NULs split it into short lines.
        if (fp[2] == "1") cut = 1
        if (r < 0 && !got) { printf "\n%s %s error read failed\n", M, id; continue }
        if (filt == "tool") {
          if (cut) { printf "\n%s %s error output longer than 64 KiB\n", M, id; continue }
          sub(/^.*\/sos_commands\//, "sos_commands/", f)
          printf "\n%s %s ok saved output %s\n%s", M, id, f, lines
          continue
        }
        printf "\n%s %s ok%s\n%s", M, id, (cut ? " truncated at " CAP " bytes" : ""), lines
      }
      exit 0
    }' "$@"
fi
printf '\n%s end\n' "$M"
