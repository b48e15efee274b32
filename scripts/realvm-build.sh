#!/bin/sh
# Builds what the real-VM lane (test/realvm) boots, into a cache dir (default .realvm/, gitignored):
#   kernel/boot/vmlinuz-*   Debian's own kernel: `apt-get download` + `dpkg-deb -x`, never installed (only the
#                           guest's modules are kept)
#   initrd.gz               busybox (static) + the virtio modules + the host's OpenSSH sshd with its libraries
#   keys/                   throwaway SSH host and client keys (the guest trusts the client key as root)
# Needs: apt-get, dpkg-deb, busybox-static, cpio, gzip, openssh-server (sshd), openssh-client (ssh-keygen), ldd.
# Prints the cache dir on its last line. Downloads the kernel once; rebuilds the initramfs each run (~1 s).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${REALVM_DIR:-$ROOT/.realvm}
mkdir -p "$CACHE/debs" "$CACHE/keys"
CACHE=$(cd "$CACHE" && pwd)

need() { command -v "$1" >/dev/null 2>&1 || { echo "realvm-build: $1 is missing ($2)" >&2; exit 2; }; }
need dpkg-deb dpkg
need cpio cpio
need ssh-keygen openssh-client
need ldd libc-bin
[ -x /usr/sbin/sshd ] || { echo "realvm-build: /usr/sbin/sshd is missing (openssh-server)" >&2; exit 2; }
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
  # The initramfs has no libc of its own for busybox: it must be the static build.
  if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then BUSYBOX=$b; break; fi
done
[ -n "$BUSYBOX" ] || { echo "realvm-build: a static busybox is missing (busybox-static)" >&2; exit 2; }

# Modules the guest loads, in load order; each one's dependencies come before it (checked below).
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_balloon virtio_mem failover net_failover virtio_net"

# ---- Debian's kernel, fetched once --------------------------------------------------------
if ! ls "$CACHE"/kernel/boot/vmlinuz-* >/dev/null 2>&1; then
  need apt-get apt
  PKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
  [ -n "$PKG" ] || { echo "realvm-build: apt-cache knows no linux-image-amd64 (apt-get update?)" >&2; exit 2; }
  rm -f "$CACHE"/debs/linux-image-*.deb
  # As root apt warns that its _apt user cannot write here ("unsandboxed"): harmless, so not shown.
  (cd "$CACHE/debs" && apt-get download -qq "$PKG" 2>&1) | grep -v 'unsandboxed' >&2 || :
  DEB=
  for f in "$CACHE"/debs/"$PKG"_*.deb; do [ -f "$f" ] && DEB=$f; done
  [ -n "$DEB" ] || { echo "realvm-build: apt-get download $PKG failed" >&2; exit 2; }
  rm -rf "$CACHE/kernel.tmp" && mkdir "$CACHE/kernel.tmp"
  dpkg-deb -x "$DEB" "$CACHE/kernel.tmp"
  # Keep the kernel image and the modules the guest loads (~10 MB of the ~490 MB unpacked), not the .deb.
  KEEP=
  for m in $MODULES; do KEEP="$KEEP ! -name $m.ko ! -name $m.ko.xz ! -name $m.ko.zst"; done
  # shellcheck disable=SC2086 # KEEP is a list of find arguments
  find "$CACHE/kernel.tmp/lib/modules" -type f $KEEP -delete
  rm -rf "$CACHE/kernel.tmp/usr" "$DEB"
  rm -rf "$CACHE/kernel" && mv "$CACHE/kernel.tmp" "$CACHE/kernel"
fi
VMLINUZ=
for f in "$CACHE"/kernel/boot/vmlinuz-*; do [ -f "$f" ] && VMLINUZ=$f; done
KVER=${VMLINUZ##*/vmlinuz-}
MODDIR="$CACHE/kernel/lib/modules/$KVER/kernel"

# ---- keys (kept across runs so a known_hosts line stays valid) -------------------------------
[ -f "$CACHE/keys/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C realvm-host -f "$CACHE/keys/ssh_host_ed25519_key"
[ -f "$CACHE/keys/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C realvm-client -f "$CACHE/keys/id_ed25519"

# ---- initramfs ------------------------------------------------------------------------------
STAGE="$CACHE/initramfs"
rm -rf "$STAGE"
mkdir -p "$STAGE"/bin "$STAGE"/sbin "$STAGE"/etc/ssh "$STAGE"/proc "$STAGE"/sys "$STAGE"/dev "$STAGE"/run/sshd \
  "$STAGE"/root/.ssh "$STAGE"/tmp "$STAGE"/lib/modules "$STAGE"/usr/sbin "$STAGE"/var/log
cp "$BUSYBOX" "$STAGE/bin/busybox"

loaded=" "
for m in $MODULES; do
  f=$(find "$MODDIR" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n 1)
  [ -n "$f" ] || { echo "realvm-build: $KVER has no module $m" >&2; exit 2; }
  case $f in *.ko) cp "$f" "$STAGE/lib/modules/$m.ko" ;; *) echo "realvm-build: $f is compressed; busybox insmod needs .ko" >&2; exit 2 ;; esac
  # The .modinfo section's "depends=a,b" string (no modinfo(8) needed).
  for d in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
    case $loaded in *" $d "*) ;; *) echo "realvm-build: $m needs $d loaded before it" >&2; exit 2 ;; esac
  done
  loaded="$loaded$m "
done
# shellcheck disable=SC2086 # one module a line
printf '%s\n' $MODULES >"$STAGE/lib/modules/order"

# sshd and the shared libraries it links (ldd's absolute paths, kept where they are).
cp /usr/sbin/sshd "$STAGE/usr/sbin/sshd"
ldd /usr/sbin/sshd | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u | while read -r lib; do
  mkdir -p "$STAGE${lib%/*}"
  cp -L "$lib" "$STAGE$lib"
done
cp "$CACHE/keys/ssh_host_ed25519_key" "$CACHE/keys/ssh_host_ed25519_key.pub" "$STAGE/etc/ssh/"
cp "$CACHE/keys/id_ed25519.pub" "$STAGE/root/.ssh/authorized_keys"
chmod 700 "$STAGE/root/.ssh"
chmod 600 "$STAGE/etc/ssh/ssh_host_ed25519_key"
cat >"$STAGE/etc/ssh/sshd_config" <<'EOF'
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
AuthorizedKeysFile /root/.ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
PidFile /run/sshd.pid
EOF
printf 'root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/bin/false\n' >"$STAGE/etc/passwd"
printf 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\n' >"$STAGE/etc/shadow"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$STAGE/etc/group"
chmod 640 "$STAGE/etc/shadow"

cat >"$STAGE/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /run -o mode=755 && mkdir -p /run/sshd && chmod 755 /run/sshd
while read -r m; do insmod "/lib/modules/$m.ko" || echo "realvm: insmod $m failed"; done </lib/modules/order
hostname realvm
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
/usr/sbin/sshd -E /var/log/sshd.log && echo "REALVM-SSHD-STARTED"
echo "REALVM-READY $(cat /proc/sys/kernel/osrelease)"
while :; do sleep 3600; done
EOF
chmod 755 "$STAGE/init"

(cd "$STAGE" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$CACHE/initrd.gz.tmp"
mv "$CACHE/initrd.gz.tmp" "$CACHE/initrd.gz"
printf 'kernel=%s\nvmlinuz=%s\ninitrd=%s\n' "$KVER" "$VMLINUZ" "$CACHE/initrd.gz" >"$CACHE/build.env"
echo "$CACHE"
