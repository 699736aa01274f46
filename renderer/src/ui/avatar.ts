/** The number of avatar tones in tokens.css (`--avatar-N-bg`). */
export const avatarTones = 8;

const hanOrKana = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;

/**
 * Initials as messaging apps show them: "Alice Zhang" → "AZ", "李娜" → "李" (the family name, as
 * Telegram shows a Chinese name), a number or an empty name → "#".
 */
export function initialsOf(name: string): string {
  // "(Athens office, mobile)" describes the entry, not the person.
  const trimmed = name.replace(/[(（[][^)）\]]*[)）\]]/gu, ' ').trim();
  if (trimmed === '' || !/\p{L}/u.test(trimmed)) return '#';
  const first = [...trimmed][0] ?? '#';
  if (hanOrKana.test(first)) return first;
  // Hyphens stay inside a word: "Papadopoulos-Worthington" is one family name.
  const words = trimmed.split(/[\s_.,]+/u).filter((word) => /\p{L}/u.test(word));
  const letters = [words[0], words.length > 1 ? words[words.length - 1] : undefined]
    .map((word) => (word === undefined ? '' : ([...word].find((char) => /\p{L}/u.test(char)) ?? '')))
    .join('');
  return letters.toLocaleUpperCase() || '#';
}

/** A stable tone for a person (FNV-1a of their ref): the same colour on every device and every visit. */
export function toneOf(seed: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < seed.length; index += 1) {
    hash ^= seed.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % avatarTones;
}
