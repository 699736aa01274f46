import { describe, expect, it } from 'vitest';
import { parseAddressBook } from '#common/address-book/index.js';
import { fixtureBytes, parseFixture, utf8 } from './fixtures.js';

const namesOf = (name: string) => parseFixture(name, {}).entries.map((entry) => entry.name);

describe('legacy code pages nothing in the file names', () => {
  it.each([
    ['big5-hk.csv', 'big5', ['陳大文', '黃小明', '張偉強', '李美玲']],
    ['shift-jis.csv', 'shift_jis', ['佐藤太郎', '鈴木花子', '高橋一郎', 'さとう ゆみ']],
    ['euc-kr.csv', 'euc-kr', ['김민수', '이지은', '박서연', '최준호']],
    ['cp1252.csv', 'windows-1252', ['José Müller', 'Françoise Lefèvre', 'Björn Ærø']],
    ['cp1251.csv', 'windows-1251', ['Иван Петров', 'Мария Смирнова']],
    ['foxmail-gbk.csv', 'gb18030', undefined],
  ])('reads %s as %s', (file, encoding, names) => {
    const result = parseFixture(file, {});
    expect(result.encoding).toBe(encoding);
    if (names !== undefined) expect(namesOf(file).sort()).toEqual([...names].sort());
  });

  it('reads the file as the user says with --encoding, whatever the guess', () => {
    const forced = parseAddressBook(fixtureBytes('big5-hk.csv'), { fileName: 'big5-hk.csv', encoding: 'gbk' });
    expect(forced.encoding).toBe('gbk');
    expect(forced.encodingChoices).toBeUndefined();
    expect(forced.warnings.map((warning) => warning.code)).not.toContain('encoding_guessed');
  });

  it('refuses an encoding label nobody knows, by a code', () => {
    expect(() => parseAddressBook(utf8('Name,Phone\nA,+447911123456\n'), { encoding: 'klingon-8' })).toThrow(expect.objectContaining({ code: 'unknown_encoding' }));
  });

  it('offers the choices, and only then warns, when two readings are equally plausible', () => {
    // Two bytes that are a rare character in every East Asian code page and a run of two accented letters in Windows-1252.
    const ambiguous = Uint8Array.from([...utf8('Name,Phone\n'), 0xe9, 0xe9, ...utf8(',+447911123456\n')]);
    const result = parseAddressBook(ambiguous, { fileName: 'x.csv' });
    expect(result.encodingChoices?.length ?? 0).toBeGreaterThan(1);
    expect(result.encodingChoices).toContain(result.encoding);
    expect(result.warnings.map((warning) => warning.code)).toContain('encoding_guessed');
  });
});

describe('a broken vCard never swallows its neighbours', () => {
  it('closes a card missing END:VCARD at the next BEGIN:VCARD and reads all three', () => {
    const result = parseFixture('broken-missing-end.vcf', {});
    expect(result.entries.map((entry) => entry.name)).toEqual(['Anna Broken', 'Ben Complete', 'Cara Last']);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'truncated_card', line: 1 })]);
  });
});
