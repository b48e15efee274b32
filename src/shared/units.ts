/** Byte figures for the report page: the same formatting the CLI and the tree use (src/core/units is pure). */
export { formatBytes, percent } from '../core/units';
