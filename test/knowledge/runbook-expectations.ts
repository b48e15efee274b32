/**
 * How each runnable step of the knowledge base is proven (test/knowledge/runbooks-on-guests.test.ts), keyed by the
 * step's name (its `name` attribute, unique across the knowledge base). The runbooks themselves carry only what a
 * reader and the editor need (`name`, `root`, `mutates`), as Runme's info strings do; see knowledge/README.md.
 *
 * - `guests`: simulated guests (test/fixtures/guests/<name>/) the step is run on, unmodified;
 * - `expect`: text its output must contain, on every guest or per guest (`{guest: text}`);
 * - `untested`: why a step is never run by the tests (it changes the system, or no simulated guest can show it).
 */
export interface StepExpectation {
  guests: string[];
  expect?: string | Record<string, string>;
  untested?: string;
}

export const STEP_EXPECTATIONS: Record<string, StepExpectation> = {
  // evidence-for-the-admin
  'evidence-vmware': { guests: ['vmware-limit-12g-of-32g', 'vmware-no-tools'], expect: { 'vmware-limit-12g-of-32g': 'vmware-toolbox-cmd stat memlimit: 12288 MB', 'vmware-no-tools': 'vmware-toolbox-cmd: not installed' } },
  'evidence-report-file': { guests: [], expect: 'balloon-evidence.md', untested: 'balloon-check is this project\'s own CLI, tested by its own suite; it is not installed in the simulated guests' },
  'evidence-kvm': { guests: ['kvm-virtio-inflated-no-deflate', 'kvm-virtio-inflated-deflate-on-oom'], expect: { 'kvm-virtio-inflated-no-deflate': 'deflate-on-oom off', 'kvm-virtio-inflated-deflate-on-oom': 'deflate-on-oom on' } },
  // fix-and-verify
  'verify-no-limit': { guests: ['vmware-idle-nolimit', 'vmware-limit-12g-of-32g'], expect: { 'vmware-idle-nolimit': 'memlimit: 4294967295 MB', 'vmware-limit-12g-of-32g': 'memlimit: 12288 MB' } },
  'verify-reservation': { guests: ['vmware-limit-12g-of-32g'], expect: 'memres: 0 MB' },
  'swap-now': { guests: ['xen-ballooned', 'vmware-limit-12g-of-32g'], expect: { 'xen-ballooned': 'guest swap: none', 'vmware-limit-12g-of-32g': 'guest swap: 8191 MiB' } },
  'add-swap-file': { guests: [], expect: '/swapfile', untested: 'creates a file, enables swap and edits /etc/fstab: never run by the tests' },
  'verify-deflate-on-oom': { guests: ['kvm-virtio-inflated-deflate-on-oom', 'kvm-virtio-inflated-no-deflate'], expect: { 'kvm-virtio-inflated-deflate-on-oom': 'deflate-on-oom on', 'kvm-virtio-inflated-no-deflate': 'deflate-on-oom off' } },
  // hyperv-balloon-checks
  'hv-balloon-driver': { guests: ['hyperv-dynamic-memory'], expect: 'hv_balloon' },
  'hv-mount-debugfs': { guests: ['hyperv-dynamic-memory'], expect: '/sys/kernel/debug is a mountpoint' },
  'hv-balloon-debugfs': { guests: ['hyperv-dynamic-memory'], expect: 'ballooned: 2048 MiB' },
  'hv-memtotal-vs-blocks': { guests: ['hyperv-dynamic-memory'], expect: 'memory blocks online: 8192 MiB' },
  // is-this-guest-ballooned
  'hypervisor': { guests: ['vmware-limit-12g-of-32g', 'kvm-virtio-inflated-no-deflate', 'hyperv-dynamic-memory', 'xen-ballooned', 'bare-metal', 'vmware-legacy-vmmemctl'], expect: { 'vmware-limit-12g-of-32g': 'VMware, Inc.', 'kvm-virtio-inflated-no-deflate': 'QEMU', 'hyperv-dynamic-memory': 'Microsoft Corporation', 'xen-ballooned': 'xen', 'bare-metal': 'cpu flag: none', 'vmware-legacy-vmmemctl': 'cpu flag: none' } },
  'balloon-driver': { guests: ['vmware-limit-12g-of-32g', 'vmware-legacy-vmmemctl', 'kvm-virtio-inflated-no-deflate', 'hyperv-dynamic-memory', 'xen-ballooned', 'bare-metal'], expect: { 'vmware-limit-12g-of-32g': '/sys/module/vmw_balloon', 'vmware-legacy-vmmemctl': 'vmmemctl', 'kvm-virtio-inflated-no-deflate': '/sys/module/virtio_balloon', 'hyperv-dynamic-memory': '/sys/module/hv_balloon', 'xen-ballooned': '/sys/devices/system/xen_memory/xen_memory0', 'bare-metal': 'no balloon module in lsmod' } },
  'vmmemctl-thread': { guests: ['vmware-legacy-vmmemctl', 'vmware-limit-12g-of-32g'], expect: { 'vmware-legacy-vmmemctl': '[vmmemctl]', 'vmware-limit-12g-of-32g': 'no [vmmemctl] thread' } },
  'kernel-balloon-counters': { guests: ['vmware-limit-12g-of-32g', 'vmware-no-tools', 'kvm-virtio-inflated-no-deflate', 'container-in-kvm', 'vmware-old-kernel-rhel7', 'bare-metal'], expect: { 'vmware-limit-12g-of-32g': 'balloon_inflate - balloon_deflate: 20480 MiB', 'vmware-no-tools': 'balloon_inflate - balloon_deflate: 1536 MiB', 'kvm-virtio-inflated-no-deflate': 'Balloon:         3145728 kB', 'container-in-kvm': 'balloon_inflate - balloon_deflate: 1024 MiB', 'vmware-old-kernel-rhel7': 'no balloon counters in /proc/vmstat', 'bare-metal': 'balloon_inflate - balloon_deflate: 0 MiB' } },
  'memtotal-vs-blocks': { guests: ['kvm-virtio-inflated-no-deflate', 'hyperv-dynamic-memory', 'xen-ballooned', 'vmware-limit-12g-of-32g', 'vmware-legacy-vmmemctl'], expect: { 'kvm-virtio-inflated-no-deflate': 'memory blocks online: 8192 MiB', 'hyperv-dynamic-memory': 'MemTotal: 5853 MiB', 'xen-ballooned': 'MemTotal: 5938 MiB', 'vmware-limit-12g-of-32g': 'memory blocks online: 32768 MiB', 'vmware-legacy-vmmemctl': 'no memory block information' } },
  'unaccounted-memory': { guests: ['vmware-limit-12g-of-32g', 'vmware-idle-nolimit', 'vmware-old-kernel-rhel7', 'kvm-virtio-inflated-deflate-on-oom', 'kvm-virtio-inflated-no-deflate', 'vmware-legacy-vmmemctl'], expect: { 'vmware-limit-12g-of-32g': 'unaccounted: 20627 MiB', 'vmware-idle-nolimit': 'unaccounted: 331 MiB', 'vmware-old-kernel-rhel7': 'unaccounted: 2152 MiB', 'kvm-virtio-inflated-deflate-on-oom': 'unaccounted: 2156 MiB', 'kvm-virtio-inflated-no-deflate': 'unaccounted: 42 MiB', 'vmware-legacy-vmmemctl': 'unaccounted: 1111 MiB' } },
  // kvm-host-balloons (a simulated KVM host: libvirt's test driver on test/fixtures/libvirt/node.xml, the host's /proc/meminfo and KSM files)
  'kvm-host-memory': { guests: ['kvm-host-libvirt'], expect: 'KSM run=1, saving 1024 MiB' },
  'kvm-host-balloons': { guests: ['kvm-host-libvirt'], expect: 'web-ballooned: configured 8192 MiB, actual 2048 MiB, balloon 6144 MiB, usable 1024 MiB' },
  'kvm-host-memballoon': { guests: ['kvm-host-libvirt'], expect: 'app-no-deflate: deflate-on-oom off, stats period none' },
  'kvm-host-overcommit': { guests: ['kvm-host-libvirt'], expect: '1.16 x RAM, 0.92 x (RAM + swap)' },
  // kvm-balloon-checks
  'virtio-balloon-device': { guests: ['kvm-virtio-inflated-no-deflate', 'kvm-virtio-inflated-deflate-on-oom', 'container-in-kvm'], expect: { 'kvm-virtio-inflated-no-deflate': 'driver virtio_balloon, deflate-on-oom off', 'kvm-virtio-inflated-deflate-on-oom': 'driver virtio_balloon, deflate-on-oom on', 'container-in-kvm': 'virtio2: virtio balloon device' } },
  'virtio-balloon-size': { guests: ['kvm-virtio-inflated-no-deflate', 'kvm-virtio-inflated-deflate-on-oom', 'container-in-kvm'], expect: { 'kvm-virtio-inflated-no-deflate': 'balloon_inflate - balloon_deflate: 3072 MiB', 'kvm-virtio-inflated-deflate-on-oom': 'Balloon: 2048 MiB', 'container-in-kvm': 'balloon_inflate - balloon_deflate: 1024 MiB' } },
  'virtio-memtotal-vs-blocks': { guests: ['kvm-virtio-inflated-no-deflate', 'kvm-virtio-inflated-deflate-on-oom'], expect: { 'kvm-virtio-inflated-no-deflate': 'MemTotal: 4854 MiB', 'kvm-virtio-inflated-deflate-on-oom': 'MemTotal: 7926 MiB' } },
  // vmware-balloon-and-limit
  'toolbox-present': { guests: ['vmware-limit-12g-of-32g', 'vmware-no-tools'], expect: { 'vmware-limit-12g-of-32g': '/usr/bin/vmware-toolbox-cmd', 'vmware-no-tools': 'vmware-toolbox-cmd is not installed' } },
  'toolbox-stats': { guests: ['vmware-limit-12g-of-32g', 'vmware-idle-nolimit', 'vmware-old-kernel-rhel7', 'vmware-legacy-vmmemctl'], expect: { 'vmware-limit-12g-of-32g': 'memlimit: 12288 MB', 'vmware-idle-nolimit': 'memlimit: 4294967295 MB', 'vmware-old-kernel-rhel7': 'balloon:  2048 MB', 'vmware-legacy-vmmemctl': 'balloon:  1024 MHz' } },
  'limit-vs-configured': { guests: ['vmware-limit-12g-of-32g', 'vmware-idle-nolimit', 'vmware-old-kernel-rhel7', 'vmware-no-tools'], expect: { 'vmware-limit-12g-of-32g': 'limit 12288 MB is 20480 MiB below the 32768 MiB configured', 'vmware-idle-nolimit': 'not below the 16384 MiB configured', 'vmware-old-kernel-rhel7': 'not below the 8192 MiB configured', 'vmware-no-tools': 'memory limit unknown' } },
  'balloon-from-vmstat': { guests: ['vmware-no-tools', 'vmware-limit-12g-of-32g', 'vmware-old-kernel-rhel7'], expect: { 'vmware-no-tools': 'balloon_inflate - balloon_deflate: 1536 MiB', 'vmware-limit-12g-of-32g': 'balloon_inflate - balloon_deflate: 20480 MiB', 'vmware-old-kernel-rhel7': 'no balloon counters in /proc/vmstat' } },
  'proc-vmmemctl': { guests: [], expect: 'current:', untested: 'procfs cannot create /proc/vmmemctl on the test kernel, so the simulated RHEL 5 guest\'s copy cannot be placed there; the same lines are parsed by the debugfs steps, which are tested' },
  // vmware-debugfs
  'mount-debugfs': { guests: ['vmware-no-tools', 'vmware-limit-12g-of-32g'], expect: '/sys/kernel/debug is a mountpoint' },
  'lockdown-state': { guests: ['vmware-limit-12g-of-32g'], expect: 'lockdown: not reported' },
  'debugfs-lines': { guests: ['vmware-limit-12g-of-32g', 'vmware-old-kernel-rhel7'], expect: { 'vmware-limit-12g-of-32g': 'current               :          5242880', 'vmware-old-kernel-rhel7': 'current:              524288 pages' } },
  'debugfs-balloon-size': { guests: ['vmware-limit-12g-of-32g', 'vmware-idle-nolimit', 'vmware-old-kernel-rhel7', 'vmware-no-tools'], expect: { 'vmware-limit-12g-of-32g': 'balloon now: 20480 MiB', 'vmware-idle-nolimit': 'balloon now: 0 MiB', 'vmware-old-kernel-rhel7': 'balloon now: 2048 MiB', 'vmware-no-tools': 'balloon now: 1536 MiB' } },
  'seed-one-liner': { guests: ['vmware-old-kernel-rhel7', 'vmware-limit-12g-of-32g', 'vmware-no-tools'], expect: { 'vmware-old-kernel-rhel7': '2 GB', 'vmware-limit-12g-of-32g': '0 GB', 'vmware-no-tools': '0 GB' } },
  // xen-balloon-checks
  'xen-type': { guests: ['xen-ballooned', 'kvm-virtio-inflated-no-deflate'], expect: { 'xen-ballooned': 'hypervisor type: xen', 'kvm-virtio-inflated-no-deflate': 'not a Xen guest' } },
  'xen-memory-files': { guests: ['xen-ballooned'], expect: 'target_kb:6291456' },
  'xen-balloon-summary': { guests: ['xen-ballooned'], expect: 'target 6144 MiB, current 6144 MiB, in the balloon 2048 MiB' },
  'xen-retry-settings': { guests: ['xen-ballooned'], expect: 'max_retry_count: 4' },
  'xen-proc-balloon': { guests: ['xen-ballooned'], expect: 'no /proc/xen/balloon' },
};
