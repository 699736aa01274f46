import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AddressBookError, parseAddressBook } from '#common/address-book/index.js';
import { fixtureBytes, fixturesDir, utf8 } from './fixtures.js';

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const copy = Array.from(bytes);
  const edits = 1 + Math.floor(next() * 8);
  for (let edit = 0; edit < edits; edit += 1) {
    const at = Math.floor(next() * copy.length);
    const kind = next();
    if (kind < 0.4) copy[at] = Math.floor(next() * 256);
    else if (kind < 0.6) copy.splice(at, 1 + Math.floor(next() * 20));
    else if (kind < 0.8) copy.splice(at, 0, ...Array.from(utf8(['"', '\n', '=', ';', ':', '\\', '=\r\n', 'BEGIN:VCARD\n', 'END:VCARD\n', '<row>', '<c t="s"><v>99999</v></c>'][Math.floor(next() * 11)] ?? '')));
    else copy.length = Math.max(0, at);
  }
  return Uint8Array.from(copy);
}

describe('bad input', () => {
  const fixtures = readdirSync(fixturesDir).filter((name) => !name.endsWith('.py'));

  it('never throws anything but AddressBookError on mutated fixtures', () => {
    const next = random(20240601);
    let parsed = 0;
    let refused = 0;
    for (const fixture of fixtures) {
      const original = fixtureBytes(fixture);
      for (let round = 0; round < 150; round += 1) {
        const bytes = mutate(original, next);
        try {
          const result = parseAddressBook(bytes, { fileName: fixture, defaultRegion: 'CN' });
          for (const entry of result.entries) expect(entry.phones.length).toBeGreaterThan(0);
          parsed += 1;
        } catch (error) {
          if (!(error instanceof AddressBookError)) throw new Error(`${fixture} round ${round}: ${String(error)}`, { cause: error });
          refused += 1;
        }
      }
    }
    expect(parsed).toBeGreaterThan(refused);
  });

  it('survives pathological text', () => {
    const inputs = [
      `BEGIN:VCARD\nN:${'a;'.repeat(50_000)}\nTEL;${'TYPE=CELL;'.repeat(50_000)}:+44 7911 123456\nEND:VCARD\n`,
      `${'Phone,'.repeat(20_000)}\n${'1,'.repeat(20_000)}\n`,
      `${'a1 '.repeat(3_000)}\n${'1 '.repeat(5_000)}a\n`,
      '"'.repeat(10_000), ',\n'.repeat(5_000), 'BEGIN:VCARD\n'.repeat(2_000), `TEL:${'9'.repeat(5_000)}`, '=\n'.repeat(3_000), '\u0000\u0001'.repeat(100)];
    for (const text of inputs) {
      const started = Date.now();
      try {
        parseAddressBook(utf8(text), { defaultRegion: 'CN' });
      } catch (error) {
        expect(error).toBeInstanceOf(AddressBookError);
      }
      // Nothing quadratic: each of these is a few hundred kilobytes at most.
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });
});
