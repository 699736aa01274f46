import { describe, expect, it } from 'vitest';
import { parseAddressBook } from '#common/address-book/index.js';
import { numbersOf, parseFixture, utf8 } from './fixtures.js';

describe('plain text list', () => {
  const result = parseFixture('list.txt');

  it('is read as text, skipping the comment and the header line', () => {
    expect([result.format, result.encoding]).toEqual(['text', 'utf-8']);
  });

  it('takes name and number in either order, with any common separator', () => {
    expect(result.entries.map((entry) => [entry.name, numbersOf(entry)])).toEqual([
      ['张三', ['+8613800138000']],
      ['李四', ['+8613900139000']],
      ['王五', ['+8613700137000']],
      ['Anna Schmidt', ['+4930901820']],
      ['Bob Jones', ['+14155552672']],
      ['Carol', ['+14155552671']],
      ['周杰', ['+8613512345678', '+8613612345678']],
    ]);
  });

  it('keeps the raw number and rejects what is not a number, with line numbers', () => {
    expect(result.entries[0]?.phones[0]?.raw).toBe('138 0013 8000');
    expect(result.rejected).toEqual([
      { record: 8, line: 10, raw: '12345', name: 'Dave', reason: 'invalid_number' },
      { record: 9, line: 11, raw: '只有名字没有号码', name: '只有名字没有号码', reason: 'no_number' },
    ]);
  });

  it('handles full-width separators, digits and labels', () => {
    const list = parseAddressBook(utf8('孙八：手机：１３８００１３８０００\n钱七，（010）6552 9988\n'), { fileName: 'a.txt', defaultRegion: 'CN' });
    expect(list.entries.map((entry) => [entry.name, numbersOf(entry)])).toEqual([
      ['孙八', ['+8613800138000']],
      ['钱七', ['+861065529988']],
    ]);
  });

  it('reads a nameless file with no extension as text', () => {
    const list = parseAddressBook(utf8('+44 7911 123456\n'));
    expect(list.format).toBe('text');
    expect(list.entries).toEqual([{ ref: expect.any(String), name: '', phones: [{ e164: '+447911123456', raw: '+44 7911 123456' }] }]);
  });
});

describe('text header lines', () => {
  it('skips a first line made of header words only, but keeps a name-only first line as a rejected contact', () => {
    const withHeader = parseAddressBook(utf8('Full Name: Mobile Phone\nAnna: +44 7911 123456\n'), { fileName: 'a.txt' });
    expect(withHeader.rejected).toEqual([]);
    expect(withHeader.entries.map((entry) => entry.name)).toEqual(['Anna']);
    const nameOnly = parseAddressBook(utf8('张三 手机\nAnna +44 7911 123456\n'), { fileName: 'a.txt' });
    expect(nameOnly.rejected.map((rejected) => rejected.reason)).toEqual(['no_number']);
  });
});
