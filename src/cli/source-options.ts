/**
 * The options that say which guests a check reads and how (a snapshot, sudo, SSH hosts and their
 * bounds): one table for `balloon-check` and `balloon-check serve`, so both accept the same ones.
 */
export const SOURCE_OPTIONS = {
  root: { type: 'string' },
  'run-snapshot-tools': { type: 'boolean' },
  sudo: { type: 'boolean' },
  'tool-timeout': { type: 'string' },
  ssh: { type: 'string', multiple: true },
  'all-ssh-hosts': { type: 'boolean' },
  'ssh-config': { type: 'string' },
  'accept-new': { type: 'boolean' },
  jobs: { type: 'string' },
  'connect-timeout': { type: 'string' },
  'probe-timeout': { type: 'string' },
} as const;
