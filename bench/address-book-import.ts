// Address-book import throughput: a 10,000-contact vCard 3.0 (the size of a large phone export),
// parsed synchronously five times; the median is reported so one GC pause does not decide.
import { pathToFileURL } from 'node:url';
import { parseAddressBook, parseAddressBookAsync } from '#common/address-book/index.js';

const contactCount = 10_000;
const runs = 5;

function generateVCard(count: number): Uint8Array {
  const cards: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const block = String(Math.floor(index / 10_000)).padStart(4, '0');
    const line = String(index % 10_000).padStart(4, '0');
    cards.push(
      [
        'BEGIN:VCARD',
        'VERSION:3.0',
        `N:联系人;${index};;;`,
        `FN:联系人 ${index}`,
        `ORG:Example Co\\, Ltd.;Team ${index % 17}`,
        `item1.TEL;type=pref:+86 138 ${block} ${line}`,
        'item1.X-ABLabel:_$!<Mobile>!$_',
        `TEL;TYPE=WORK,VOICE:+86 10 6552 ${line}`,
        `EMAIL;TYPE=INTERNET:contact${index}@example.com`,
        'END:VCARD',
      ].join('\r\n'),
    );
  }
  return new TextEncoder().encode(`${cards.join('\r\n')}\r\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function benchAddressBookImport(): Promise<Record<string, string | number>> {
  const bytes = generateVCard(contactCount);
  const timings: number[] = [];
  let entries = 0;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    entries = parseAddressBook(bytes, { fileName: 'bench.vcf', defaultRegion: 'CN' }).entries.length;
    timings.push(performance.now() - started);
  }
  const asyncStarted = performance.now();
  let progressReports = 0;
  await parseAddressBookAsync(bytes, { fileName: 'bench.vcf', defaultRegion: 'CN', onProgress: () => (progressReports += 1) });
  const asyncMs = performance.now() - asyncStarted;
  const medianMs = median(timings);
  return {
    'address-book.contacts': contactCount,
    'address-book.file_kib': Math.round(bytes.length / 1024),
    'address-book.entries': entries,
    'address-book.parse_ms_median': Math.round(medianMs * 10) / 10,
    'address-book.entries_per_s': Math.round(entries / (medianMs / 1000)),
    'address-book.async_parse_ms': Math.round(asyncMs * 10) / 10,
    'address-book.async_progress_reports': progressReports,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchAddressBookImport();
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(38)} ${value}`);
}
