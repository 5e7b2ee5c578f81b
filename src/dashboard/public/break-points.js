// Identifiers (model ids, ARNs) as text that a narrow column may wrap where they read best: after
// each `.`, `:` and `/`, e.g. `anthropic.` / `claude-3-5-sonnet-20240620-v1:0`, rather than at the
// last hyphen that fits. Each part is a `.break-part` (job-list.css keeps it whole in the table's
// column) with a <wbr> between parts; the text reads and copies as it was.

/** Nodes for `text`: its parts, each in a span, with <wbr> between. */
export function withBreakPoints(text) {
  const nodes = [];
  for (const part of String(text ?? '').split(/(?<=[.:/])/)) {
    if (nodes.length > 0) nodes.push(document.createElement('wbr'));
    const span = document.createElement('span');
    span.className = 'break-part';
    span.textContent = part;
    nodes.push(span);
  }
  return nodes;
}
