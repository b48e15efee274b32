/**
 * Whether the machine the CLI or the VS Code window runs on can be checked itself. The probe is a Linux shell
 * script: on Windows or macOS the machine is a workstation that reaches Linux guests over SSH, not a guest.
 * Pure: the platform comes in as a value (process.platform, or the extension host's), so every case is tested.
 */

/** Node.js platform names (process.platform). */
export type Platform = 'aix' | 'android' | 'darwin' | 'freebsd' | 'haiku' | 'linux' | 'openbsd' | 'sunos' | 'win32' | 'cygwin' | 'netbsd' | string;

const PLATFORM_NAMES: Record<string, string> = { win32: 'Windows', darwin: 'macOS', freebsd: 'FreeBSD', openbsd: 'OpenBSD', netbsd: 'NetBSD', sunos: 'Solaris', aix: 'AIX', cygwin: 'Cygwin' };

/** "Windows", "macOS", or the platform's own name. */
export function platformName(platform: Platform): string {
  return Object.hasOwn(PLATFORM_NAMES, platform) ? PLATFORM_NAMES[platform] : platform;
}

/** Linux is the only platform whose own memory the probe reads (the guests it checks are Linux). */
export function isLinuxGuestPlatform(platform: Platform): boolean {
  return platform === 'linux';
}

/**
 * Why the CLI does not check this machine when no --ssh, --root or --input names what to check; null on Linux.
 */
export function localCheckRefusal(platform: Platform): string | null {
  if (isLinuxGuestPlatform(platform)) return null;
  return `balloon-check checks Linux guests, and this machine runs ${platformName(platform)}.\n`
    + 'Check a guest over SSH: balloon-check --ssh HOST (or --all-ssh-hosts for every host of your SSH config).\n'
    + 'Or analyse a guest\'s saved probe output with --input FILE, or a copied guest file tree with --root DIR.\n';
}
