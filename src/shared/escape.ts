/**
 * Escaping for every output the project writes: Markdown (CLI, tree tooltips, status bar, knowledge section),
 * HTML (report page, knowledge articles, the panel's shell) and Prometheus label values. Pure: no vscode, no DOM.
 */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]);
}

/**
 * Text that Markdown shows literally, inline or in a table cell: no emphasis, code, link, HTML or table cell
 * break survives anywhere; list and heading markers are escaped where they count (at the start). Line breaks
 * become spaces, as Markdown shows them anyway, so a table row stays one row.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|[\r\n]/g, ' ')
    .replace(/[\\`*_[\]<>|~]/g, (char) => `\\${char}`)
    .replace(/^(\s*)([#+-])(?=[\s#-]|$)/g, '$1\\$2')
    .replace(/^(\s*)(=+\s*)$/g, '$1\\$2')
    .replace(/^(\s*\d{1,9})([.)])(?=\s|$)/g, '$1\\$2');
}

/** A table cell of text that is already Markdown (kept as written): only cell breaks are escaped. */
export function markdownTableCell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Prometheus label value (text exposition format): backslash, newline and double quote escaped. */
export function escapePrometheusLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
