import type { ProbeSettings } from '../core/sections';
import type { Target } from '../core/report';

/** How the probe script reaches one guest. Each run is one process or one channel: the script on stdin. */
export interface Transport {
  readonly target: Target;
  /** Runs the probe script and resolves with everything it printed. */
  runProbe(settings: ProbeSettings, signal?: AbortSignal): Promise<string>;
  dispose?(): void;
}

/** A host that could not be checked, with the schema's `$defs/hostError` kinds. */
export type HostErrorKind = 'refused' | 'timeout' | 'unreachable' | 'auth' | 'host-key-unknown' | 'host-key-changed' | 'dropped' | 'bad-output' | 'config' | 'other';

export class ProbeError extends Error {
  constructor(readonly kind: HostErrorKind, message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

/**
 * The SSH settings are unusable (ssh_config, a destination, ProxyJump, known_hosts): nothing was contacted.
 * A ProbeError of kind `config`, so every report of a host's failure shows it as such.
 */
export class SshConfigError extends ProbeError {
  constructor(message: string) {
    super('config', message);
    this.name = 'SshConfigError';
  }
}

/** Node.js timers hold at most 2^31 - 1 ms; a longer one fires at once (TimeoutOverflowWarning). */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Most output the engine accepts from one run; the probe's own sections are capped far below. */
export const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/**
 * A child's standard error kept as text for an error message: its first `limitBytes`, decoded once at the end, so a
 * character whose bytes came in two reads stays whole.
 */
export function stderrText(limitBytes = 4096): { add(chunk: Buffer): void; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    add(chunk) {
      if (size >= limitBytes) return;
      const piece = chunk.subarray(0, limitBytes - size);
      chunks.push(piece);
      size += piece.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
