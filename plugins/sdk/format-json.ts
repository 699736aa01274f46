/**
 * Pretty-prints JSON the way people write manifests: nested values stay on one line while they fit,
 * so a matcher or template reads as one line instead of five.
 */
export function formatJson(value: unknown, maxWidth = 100): string {
  return `${format(value, '', maxWidth, 0)}\n`;
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, entry]) => entry !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([key, entry]) => `${JSON.stringify(key)}: ${inline(entry)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function format(value: unknown, indent: string, maxWidth: number, depth: number): string {
  const single = inline(value);
  if (value === null || typeof value !== 'object' || (depth > 0 && indent.length + single.length <= maxWidth)) return single;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((entry) => inner + format(entry, inner, maxWidth, depth + 1)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, entry]) => entry !== undefined);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, entry]) => `${inner}${JSON.stringify(key)}: ${format(entry, inner, maxWidth, depth + 1)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}
