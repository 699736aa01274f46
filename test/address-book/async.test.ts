import { describe, expect, it } from 'vitest';
import { AddressBookError, parseAddressBook, parseAddressBookAsync } from '#common/address-book/index.js';
import { utf8 } from './fixtures.js';

/** 10,000 distinct valid Chinese mobile numbers in a vCard 3.0 file, as a large phone export would be. */
function bigVCard(count: number): Uint8Array {
  const cards: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const number = `+86 138 ${String(Math.floor(index / 10000)).padStart(4, '0')} ${String(index % 10000).padStart(4, '0')}`;
    cards.push(`BEGIN:VCARD\r\nVERSION:3.0\r\nN:联系人;${index};;;\r\nFN:联系人 ${index}\r\nTEL;TYPE=CELL:${number}\r\nEMAIL:c${index}@example.com\r\nEND:VCARD\r\n`);
  }
  return utf8(cards.join(''));
}

describe('parseAddressBookAsync on 10,000 contacts', () => {
  it('imports everything, reports progress and keeps the event loop turning', async () => {
    const bytes = bigVCard(10_000);
    const progress: [number, number][] = [];
    let ticks = 0;
    let longestGap = 0;
    let lastTick = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      longestGap = Math.max(longestGap, now - lastTick);
      lastTick = now;
      ticks += 1;
    }, 5);
    const started = Date.now();
    try {
      const result = await parseAddressBookAsync(bytes, { fileName: 'big.vcf', onProgress: (done, total) => progress.push([done, total]) });
      const elapsed = Date.now() - started;
      expect(result.entries).toHaveLength(10_000);
      expect(result.rejected).toEqual([]);
      expect(result.entries[9_999]?.phones[0]?.e164).toBe('+8613800009999');
      expect(progress.length).toBeGreaterThanOrEqual(10);
      expect(progress.every(([, total]) => total === 10_000)).toBe(true);
      expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
      expect(progress.at(-1)).toEqual([10_000, 10_000]);
      // The interval must keep firing during the import: many ticks, and no long freeze between two.
      expect(ticks).toBeGreaterThanOrEqual(Math.min(10, Math.floor(elapsed / 50)));
      // A synchronous parse of the same file freezes the loop for ~250 ms here; sliced, the longest gap is ~40 ms.
      expect(longestGap).toBeLessThan(150);
    } finally {
      clearInterval(timer);
    }
  });

  it('gives the same result as the sync API', async () => {
    const bytes = bigVCard(600);
    // Refs are random per parse; everything else must be the same.
    const withoutRefs = (result: ReturnType<typeof parseAddressBook>) => ({ ...result, entries: result.entries.map((entry) => ({ ...entry, ref: '' })) });
    expect(withoutRefs(await parseAddressBookAsync(bytes, { fileName: 'x.vcf' }))).toEqual(withoutRefs(parseAddressBook(bytes, { fileName: 'x.vcf' })));
  });

  it('stops with an "aborted" error when the signal fires', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = parseAddressBookAsync(bigVCard(5_000), {
      signal: controller.signal,
      onProgress: (done) => {
        seen.push(done);
        if (done > 0) controller.abort();
      },
    });
    await expect(run).rejects.toSatisfy((error: unknown) => error instanceof AddressBookError && error.code === 'aborted');
    expect(seen.at(-1)).toBeLessThan(5_000);
  });

  it('rejects an already aborted signal at once', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(parseAddressBookAsync(utf8('Anna +44 7911 123456'), { signal: controller.signal })).rejects.toBeInstanceOf(AddressBookError);
  });
});
