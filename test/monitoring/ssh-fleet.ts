import { guestPath } from '../helpers/guests';
import { freePort, type SshLab, TEST_USER } from '../helpers/sshd';

/** Two simulated guests behind sshd and one dead port, in one SSH config. */
export async function sshFleet(lab: SshLab): Promise<{ config: string; home: string }> {
  const hosts: string[] = [];
  const known: string[] = [];
  for (const [alias, guest] of [['guest-seed', 'vmware-limit-12g-of-32g'], ['guest-idle', 'vmware-idle-nolimit']] as const) {
    // The prelude assigns BI_ROOT; the server side points it at the simulated guest.
    const server = await lab.startSshd({ extraConfig: [`ForceCommand sed 's|^BI_ROOT=.*|BI_ROOT=${guestPath(guest)}|' | sh -s`] });
    hosts.push(`Host ${alias}\n  Port ${server.port}`);
    known.push(server.knownHostsLine());
  }
  hosts.push(`Host guest-down\n  Port ${await freePort()}`);
  const knownHosts = lab.write('prom.known_hosts', `${known.join('\n')}\n`);
  const config = lab.write('prom.conf', [...hosts, 'Host *', '  HostName 127.0.0.1', `  User ${TEST_USER}`, `  IdentityFile ${lab.userKey.path}`,
    `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile none', ''].join('\n'));
  return { config, home: lab.path('home') };
}
