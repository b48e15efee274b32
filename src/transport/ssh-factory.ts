import { SshCredentials } from './ssh-auth';
import { SshConfig, type SshConfigEnvironment } from './ssh-config';
import { SshTransport } from './ssh';

/**
 * The one place an SSH transport is assembled from settings: the CLI (one host or a fleet), the extension's
 * guest manager and the runbook terminal all call sshTransport().
 */
export interface SshSettings {
  /** An SSH config read already (a fleet reads it once), or `configFile` is read now (default ~/.ssh/config). */
  config?: SshConfig;
  configFile?: string;
  /** Home, local user and environment the config is read with (default: this process's). */
  environment?: SshConfigEnvironment;
  /** Shared by every transport of a run or window: a passphrase is asked once. */
  credentials: SshCredentials;
  /** Add an unknown host key to known_hosts (accept-new); a changed key is never accepted. */
  acceptNewHostKey?: boolean;
  /** Overrides the config's ConnectTimeout. */
  connectTimeoutSeconds?: number;
  probeTimeoutSeconds?: number;
}

export function sshTransport(destination: string, settings: SshSettings): SshTransport {
  return new SshTransport(destination, {
    config: settings.config ?? SshConfig.load(settings.configFile, settings.environment),
    credentials: settings.credentials,
    acceptNew: settings.acceptNewHostKey === true,
    connectTimeoutSeconds: settings.connectTimeoutSeconds,
    probeTimeoutSeconds: settings.probeTimeoutSeconds,
  });
}
