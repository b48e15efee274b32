import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { GUESTS_DIR, runCli } from '../helpers/guests';

const markdownOf = (args: string[]) => {
  const run = runCli([...args, '--format', 'markdown']);
  const section = /## For the vSphere\/KVM admin\n([\s\S]*?)\n## Evidence/.exec(run.stdout);
  assert.ok(section, run.stdout);
  return section[1]!;
};

test('the Markdown report tells the VMware admin which esxtop counters and vCenter fields to compare, with the guest\'s figures', () => {
  const text = markdownOf(['--root', join(GUESTS_DIR, 'vmware-limit-12g-of-32g')]);
  assert.match(text, /\*\*MCTLSZ\*\* \(balloon now, MB\): expect about 20480 MB; \*\*MCTLTGT\*\* \(what the host wants\): expect about 20480 MB/);
  assert.match(text, /\*\*SWCUR\*\*/);
  assert.match(text, /\*\*Limit\*\* and \*\*Reservation\*\* \(configured 32768 MB\)/);
});

test('the KVM admin gets virsh dommemstat with the actual size to expect', () => {
  const text = markdownOf(['--root', join(GUESTS_DIR, 'kvm-virtio-inflated-no-deflate')]);
  assert.match(text, /`virsh dommemstat DOMAIN`: `actual` is the memory the balloon leaves the guest \(KiB\): expect about \d+ KiB/);
  assert.match(text, /deflate-on-oom/);
});

test('Hyper-V, Xen and bare metal get their own host-side lines', () => {
  assert.match(markdownOf(['--root', join(GUESTS_DIR, 'hyperv-rhel8-4.18')]), /Get-VMMemory NAME/);
  assert.match(markdownOf(['--root', join(GUESTS_DIR, 'xen-ballooned')]), /xl list/);
  assert.match(markdownOf(['--root', join(GUESTS_DIR, 'bare-metal')]), /No hypervisor was identified/);
  const sos = join(GUESTS_DIR, '..', 'sosreports', 'xen-sos4');
  assert.match(markdownOf(['--sosreport', join(sos, readdirSync(sos)[0]!)]), /the balloon size is unknown from inside/);
});
