#!/bin/sh
# Balloon Inspector probe, format version 1.
# Read-only: reads /proc, /sys and asks a few tools; writes nothing, needs no root.
# Runs on dash, bash and busybox sh (POSIX only: no arrays, no `local`, no $RANDOM).
# Output: a first line "BALLOON-INSPECTOR-PROBE 1 <marker>", then sections, each
# introduced by "\n<marker> <id> <status> <detail>"; status is ok|absent|denied|error.
# Settings (environment, or assignments prepended to this script on stdin):
#   BI_ROOT          treat this directory as the guest's / (a snapshot); tools only from its bin dirs
#   BI_SUDO=1        read root-only files through `sudo -n` (never prompts)
#   BI_TOOL_TIMEOUT  seconds each tool may run (default 5)
#   BI_CAP           bytes kept of each file (default 262144)

R=${BI_ROOT:-}
R=${R%/}
TOOL_TIMEOUT=${BI_TOOL_TIMEOUT:-5}
CAP=${BI_CAP:-262144}
LC_ALL=C
export LC_ALL

# An unguessable marker, so file contents cannot fake a section header.
M=
if [ -r /proc/sys/kernel/random/uuid ]; then IFS= read -r M </proc/sys/kernel/random/uuid; fi
M="@@BI-${M:-$$}@@"
printf 'BALLOON-INSPECTOR-PROBE 1 %s\n' "$M"

section() { printf '\n%s %s %s %s\n' "$M" "$1" "$2" "${3:-}"; }

# First line of a small file into $V (shell builtin: no process started). Returns 1 when unreadable.
first_line() {
  V=
  [ -f "$1" ] && [ -r "$1" ] || return 1
  IFS= read -r V <"$1" || [ -n "$V" ]
  return 0
}

# Status of a path that could not be read: absent, or denied when a parent is closed to us.
why_unreadable() {
  if [ -e "$1" ]; then
    if [ -r "$1" ]; then WHY="error not a regular file"; else WHY="denied permission denied"; fi
    return
  fi
  d=${1%/*}
  while [ -n "$d" ] && [ ! -e "$d" ]; do d=${d%/*}; done
  if [ -n "$d" ] && [ ! -x "$d" ]; then WHY="denied cannot search $d"; else WHY="absent no such file"; fi
}
# A section for a path that could not be read, with its status and why.
unreadable_section() { # id path
  why_unreadable "$2"; section "$1" "${WHY%% *}" "${WHY#* }"
}

# Files read in one awk run at the end (one process for all bulk reads).
BULK_N=0
bulk() { # id path [filter]
  BULK_N=$((BULK_N + 1))
  eval "BULK_ID_$BULK_N=\$1 BULK_PATH_$BULK_N=\$2 BULK_FILTER_$BULK_N=\${3:-}"
}
bulk_or_status() { # id path [filter]: queue a readable file, or print its status now
  if [ -f "$2" ] && [ -r "$2" ] && [ ! -p "$2" ]; then bulk "$@"; else unreadable_section "$1" "$2"; fi
}

# Tool lookup: in a snapshot only its own bin dirs, so no fact about this host leaks in.
find_tool() {
  TOOL=
  if [ -n "$R" ]; then
    for d in "$R/usr/bin" "$R/usr/sbin" "$R/bin" "$R/sbin"; do
      if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then TOOL="$d/$1"; return 0; fi
    done
    return 1
  fi
  for d in /usr/bin /usr/sbin /bin /sbin /usr/local/bin /usr/local/sbin; do
    if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then TOOL="$d/$1"; return 0; fi
  done
  TOOL=$(command -v "$1" 2>/dev/null) || return 1
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

# Run a command with a time bound: stdout+stderr (capped at 64 KiB) in $OUT, its exit status in $RC
# (124/137 = killed at the bound; 255 = output too long to keep the status line).
TIMEOUT_KIND=
capture() {
  if [ -z "$TIMEOUT_KIND" ]; then
    TIMEOUT_KIND=none
    # GNU timeout kills the tool's whole process group; busybox's kills the tool alone, so it
    # gets the watchdog instead.
    if command -v timeout >/dev/null 2>&1; then
      case $(timeout --version 2>/dev/null) in *coreutils*) TIMEOUT_KIND=gnu ;; esac
    fi
  fi
  OUT=$( {
    case $TIMEOUT_KIND in
      gnu) timeout -s KILL "$TOOL_TIMEOUT" "$@" ;;
      *) # no GNU timeout(1), as on RHEL 5 or busybox: a watchdog kills the command and its children
        "$@" & p=$!
        (sleep "$TOOL_TIMEOUT"; kill_tree $p) >/dev/null 2>&1 &
        w=$!; wait $p; r=$?; kill $w 2>/dev/null; (exit $r) ;;
    esac </dev/null 2>&1
    echo "@@rc=$?"; } | head -c 65536)
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

empty_dir() { for x in "$1"/* "$1"/.[!.]*; do [ -e "$x" ] && return 1; done; return 0; }

# ---- meta -------------------------------------------------------------------------------
section meta ok
first_line /proc/sys/kernel/osrelease && printf 'kernel=%s\n' "$V"
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
DMI="$R/sys/class/dmi/id"
VENDOR=
if [ -d "$DMI" ]; then
  section dmi ok
  for k in sys_vendor product_name bios_vendor bios_version; do
    if first_line "$DMI/$k"; then printf '%s=%s\n' "$k" "$V"; [ $k = sys_vendor ] && VENDOR=$V; fi
  done
else
  unreadable_section dmi "$DMI"
fi

if first_line "$R/sys/hypervisor/type"; then section sys-hypervisor ok; printf '%s\n' "$V"
else unreadable_section sys-hypervisor "$R/sys/hypervisor/type"; fi

bulk_or_status cpuinfo "$R/proc/cpuinfo" cpuflags

# Container markers: the checks below read the VM's /proc and /sys, which a container shares.
section container ok
for f in /.dockerenv /run/.containerenv /proc/vz/veinfo; do [ -e "$R$f" ] && printf 'marker=%s\n' "$f"; done
if [ -r "$R/proc/1/cgroup" ]; then
  while IFS= read -r l; do
    case $l in *docker*|*kubepods*|*lxc*|*libpod*|*containerd*) printf 'cgroup=%s\n' "$l"; break ;; esac
  done <"$R/proc/1/cgroup"
fi

# ---- balloon drivers --------------------------------------------------------------------
BALLOON_MODULES="vmw_balloon vmware_balloon vmmemctl virtio_balloon virtio_mem hv_balloon xen_balloon"
bulk_or_status modules "$R/proc/modules" modules

if [ -d "$R/sys/module" ]; then
  section sys-module ok
  for m in $BALLOON_MODULES; do [ -d "$R/sys/module/$m" ] && printf '%s\n' "$m"; done
else
  unreadable_section sys-module "$R/sys/module"
fi

VIRTIO="$R/sys/bus/virtio"
if [ -d "$VIRTIO/drivers" ]; then
  section virtio-drivers ok
  for d in "$VIRTIO"/drivers/*; do [ -d "$d" ] && printf '%s\n' "${d##*/}"; done
  section virtio-devices ok
  for d in "$VIRTIO"/devices/*; do
    [ -d "$d" ] || continue
    n=${d##*/}; dev=; ven=; st=; feat=; drv=
    first_line "$d/device" && dev=$V
    first_line "$d/vendor" && ven=$V
    case $dev in
      0x0005|0x000d|0x0018)
        first_line "$d/status" && st=$V
        first_line "$d/features" && feat=$V ;;
    esac
    for k in virtio_balloon virtio_mem; do [ -e "$VIRTIO/drivers/$k/$n" ] && drv=$k; done
    printf 'device=%s id=%s vendor=%s status=%s driver=%s features=%s\n' "$n" "$dev" "$ven" "$st" "$drv" "$feat"
  done
else
  unreadable_section virtio-drivers "$VIRTIO/drivers"
fi

# ---- VMware -----------------------------------------------------------------------------
if find_tool vmware-toolbox-cmd; then
  for s in balloon swap memlimit memres; do run_tool "toolbox-$s" "$TOOL" stat $s; done
else
  for s in balloon swap memlimit memres; do section "toolbox-$s" absent "vmware-toolbox-cmd not installed"; done
fi

# debugfs is root-only; with BI_SUDO=1 we ask sudo -n (never a password prompt).
debugfs_file() { # id path
  f="$R/sys/kernel/debug/$2"
  if [ -r "$f" ] && [ -f "$f" ]; then bulk "$1" "$f"; return; fi
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
X="$R/sys/devices/system/xen_memory/xen_memory0"
if [ -d "$X" ]; then
  section xen-memory ok
  for k in target_kb target info/current_kb info/low_kb info/high_kb; do
    first_line "$X/$k" && printf '%s=%s\n' "${k#info/}" "$V"
  done
else
  unreadable_section xen-memory "$X"
fi
# Classic 2.6.18-xen kernels (RHEL 5 xen, SLES 11): no xen_memory sysfs, this file instead.
bulk_or_status proc-xen-balloon "$R/proc/xen/balloon"

# ---- generic memory signals -------------------------------------------------------------
bulk_or_status meminfo "$R/proc/meminfo"
bulk_or_status vmstat "$R/proc/vmstat" vmstat
bulk_or_status pressure-memory "$R/proc/pressure/memory"

MB="$R/sys/devices/system/memory"
if first_line "$MB/block_size_bytes"; then
  section memory-blocks ok
  printf 'block_size_bytes=%s\n' "$V"
  set -- "$MB"/memory[0-9]*
  [ -e "$1" ] || set --
  printf 'blocks=%s\n' "$#"
  # Hot-added blocks may sit offline: count states with one awk for all blocks (names on stdin,
  # so no argument-length limit), each file's first line only.
  for f in "$@"; do printf '%s/state\n' "$f"; done | awk '
    { f = $0; l = ""; if ((getline l < f) > 0) { if (l == "online") on++; else if (l == "offline") off++ }; close(f) }
    END { printf "online=%d\noffline=%d\n", on, off }'
else
  unreadable_section memory-blocks "$MB/block_size_bytes"
fi

# Balloon kernel threads ([vmmemctl] and friends): only worth a /proc scan on those hypervisors.
case "$VENDOR" in
  VMware*|Microsoft*|Xen*) SCAN=1 ;;
  *) SCAN= ; [ -d "$R/sys/module/vmmemctl" ] || [ -d "$R/sys/module/vmw_balloon" ] || [ -d "$R/sys/module/vmware_balloon" ] || [ -d "$R/sys/module/hv_balloon" ] && SCAN=1 ;;
esac
if [ -n "$SCAN" ]; then
  section kthreads ok
  n=0
  for p in "$R"/proc/[0-9]*; do
    n=$((n + 1)); [ $n -gt 4096 ] && break
    [ -r "$p/stat" ] || continue
    l=; IFS= read -r l 2>/dev/null <"$p/stat" || [ -n "$l" ] || continue
    case $l in *"(vmmemctl)"*|*"(hv_balloon)"*|*"(xen-balloon)"*|*"(vballoon)"*) l=${l#*\(}; printf '%s pid=%s\n' "${l%%\)*}" "${p##*/}" ;; esac
  done
fi

# Identity of last resort: systemd-detect-virt --vm (it looks through containers) costs ~8 ms,
# so it runs only when DMI, /sys/hypervisor and virtio devices left the hypervisor open.
NEED_DETECT=1
case "$VENDOR" in VMware*|QEMU*|Microsoft*|Xen*|innotek*|Red\ Hat*|OpenStack*|Amazon*|Google*|Parallels*) NEED_DETECT= ;; esac
[ -e "$R/sys/hypervisor/type" ] && NEED_DETECT=
[ -d "$VIRTIO/devices" ] && ! empty_dir "$VIRTIO/devices" && NEED_DETECT=
if [ -n "$NEED_DETECT" ] || [ "${BI_DETECT_VIRT:-}" = 1 ]; then
  # It prints "none" and exits 1 on bare metal.
  if find_tool systemd-detect-virt; then ALSO_OK=1; run_tool detect-virt "$TOOL" --vm; ALSO_OK=
  else section detect-virt absent "systemd-detect-virt not installed"; fi
fi

# ---- virtio-mem (hot-plugged memory, not a balloon): only when its driver is loaded --------
# /proc/iomem shows the device's region and what the driver added (addresses for root only); the
# driver logs the host's requested size at load and at each change of the request.
if [ -d "$R/sys/bus/virtio/drivers/virtio_mem" ]; then
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
i=1
set --
while [ $i -le $BULK_N ]; do
  eval "set -- \"\$@\" \"\$BULK_ID_$i\" \"\$BULK_PATH_$i\" \"\$BULK_FILTER_$i\""
  i=$((i + 1))
done
if [ $# -gt 0 ]; then
  awk -v M="$M" -v CAP="$CAP" '
    BEGIN {
      for (i = 1; i < ARGC; i += 3) {
        id = ARGV[i]; f = ARGV[i + 1]; filt = ARGV[i + 2]; n = 0; lines = ""; cut = 0; got = 0
        while ((r = (getline l < f)) > 0) {
          got = 1
          if (filt == "cpuflags") { if (l ~ /^(flags|Features|vendor_id|model name)[ \t]*:/ && !(substr(l, 1, 5) in seen)) { seen[substr(l, 1, 5)] = 1; lines = lines l "\n" } ; if (l ~ /^$/ && ("flags" in seen)) break; continue }
          if (filt == "modules" && l !~ /^(vmw_balloon|vmware_balloon|vmmemctl|virtio_balloon|virtio_mem|hv_balloon|xen_balloon|balloon) /) continue
          if (filt == "vmstat" && l !~ /^(nr_balloon_pages|balloon_[a-z]+|pswpin|pswpout|pgmajfault|oom_kill|pgscan_[a-z_]+|pgsteal_[a-z_]+|allocstall[a-z_]*|compact_stall) /) continue
          n += length(l) + 1
          if (n > CAP) { cut = 1; break }
          lines = lines l "\n"
        }
        close(f)
        if (r < 0 && !got) { printf "\n%s %s error read failed\n", M, id; continue }
        printf "\n%s %s ok%s\n%s", M, id, (cut ? " truncated at " CAP " bytes" : ""), lines
      }
      exit 0
    }' "$@"
fi
printf '\n%s end\n' "$M"
