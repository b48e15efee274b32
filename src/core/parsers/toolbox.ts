import { known, lines, parseCount, refuseText, unknown, type Parsed } from '../parsed';

/** `vmware-toolbox-cmd stat balloon|swap|memlimit|memres`: one "%u MB" line. */
export interface ToolboxValue {
  /** MiB, or null when the host reports no limit (uint32 -1 = 4294967295). */
  mib: number | null;
}

const UNLIMITED = 4294967295;

/** Parses one stat answer. Old releases printed the balloon as "N MHz" (a copy-paste bug): accepted. */
export function parseToolboxStat(text: string): Parsed<ToolboxValue> {
  const refused = refuseText(text, 'vmware-toolbox-cmd output');
  if (refused) return unknown(refused);
  const meaningful = lines(text).map((line) => line.trim()).filter(Boolean);
  if (meaningful.length !== 1) {
    const failure = meaningful.find((line) => /failed|not available|not enabled|must be run|Unknown subcommand/i.test(line));
    return unknown(failure ? `vmware-toolbox-cmd: ${failure.slice(0, 160)}` : 'vmware-toolbox-cmd printed something other than one "N MB" line');
  }
  const match = /^(-?\d+) (MB|MHz)$/.exec(meaningful[0]);
  if (!match) return unknown(`vmware-toolbox-cmd printed ${JSON.stringify(meaningful[0].slice(0, 80))}, not "N MB"`);
  if (match[1] === '-1') return known({ mib: null });
  const value = parseCount(match[1]);
  if (value === null) return unknown('vmware-toolbox-cmd value is out of range');
  return known({ mib: value >= UNLIMITED ? null : value });
}
