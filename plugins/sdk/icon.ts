/**
 * The placeholder artwork of built-in and scaffolded plugins: a coloured rounded square with a
 * letter. Square by construction, so it passes the icon check; authors replace it at will.
 */
export function letterIconSvg(letter: string, background: string): string {
  const glyph = escapeXml((letter.trim()[0] ?? '?').toUpperCase());
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">',
    `  <rect width="64" height="64" rx="14" fill="${escapeXml(background)}"/>`,
    `  <text x="32" y="44" text-anchor="middle" font-family="system-ui, sans-serif" font-size="34" font-weight="700" fill="#ffffff">${glyph}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A stable colour per id, so two scaffolded plugins rarely look alike. */
export function colourForId(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360}, 55%, 42%)`;
}
