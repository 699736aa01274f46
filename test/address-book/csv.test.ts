import { describe, expect, it } from 'vitest';
import { parseAddressBook } from '#common/address-book/index.js';
import { classifyHeader } from '#common/address-book/table.js';
import { detectDelimiter, parseCsv } from '#common/address-book/csv.js';
import { entryNamed, numbersOf, parseFixture, utf8 } from './fixtures.js';

describe('Outlook CSV, English, Windows-1252', () => {
  const result = parseFixture('outlook-en.csv');

  it('detects CSV and the single-byte code page, with a warning that it was a guess', () => {
    expect(result.format).toBe('csv');
    expect(result.encoding).toBe('windows-1252');
    expect(result.warnings.map((warning) => warning.code)).toEqual(['encoding_guessed']);
  });

  it('composes names from first and last name (no honorific) and types numbers by column', () => {
    const john = entryNamed(result, 'John Smith');
    expect(john.phones).toEqual([
      { e164: '+12015550123', raw: '+1 (201) 555-0123', type: 'work' },
      { e164: '+14155552671', raw: '+1 415-555-2671', type: 'mobile' },
      { e164: '+12015550124', raw: '+1 201 555 0124', type: 'fax' },
    ]);
    expect(john.org).toBe('Acme, Inc.');
    expect(john.emails).toEqual(['john@acme.example']);
  });

  it('reads accented names and quoted fields with commas, quotes and line breaks', () => {
    expect(numbersOf(entryNamed(result, 'José Müller'))).toEqual(['+4915123456789']);
    expect(numbersOf(entryNamed(result, 'Paul Page'))).toEqual(['+61412345678']);
  });

  it('rejects a contact without numbers and an invalid number, pointing at the right lines', () => {
    expect(result.rejected).toEqual([
      { record: 3, line: 6, raw: 'Kate, Brown, kate@example.com, SMTP', name: 'Kate Brown', reason: 'no_number' },
      { record: 4, line: 7, raw: '555-0199', name: 'Ann Lee', reason: 'invalid_number' },
    ]);
  });
});

describe('Outlook CSV, Chinese headers, GBK', () => {
  const result = parseFixture('outlook-zh-gbk.csv');

  it('detects GB18030 and Chinese header keywords', () => {
    expect(result.encoding).toBe('gb18030');
    const zhang = entryNamed(result, '张三');
    expect(zhang.phones).toEqual([
      { e164: '+861065529988', raw: '(010) 6552 9988', type: 'work' },
      { e164: '+8613800138000', raw: '13800138000', type: 'mobile' },
    ]);
    expect(zhang.org).toBe('长城科技');
    expect(zhang.emails).toEqual(['zhangsan@example.cn']);
  });

  it('composes compound surnames and reads multi-line notes without breaking rows', () => {
    expect(numbersOf(entryNamed(result, '欧阳娜娜'))).toEqual(['+85291234567']);
    expect(numbersOf(entryNamed(result, '李四'))).toEqual(['+8613700137000']);
    expect(result.rejected).toEqual([{ record: 4, line: 6, raw: '无号码, 王, wang@example.cn, SMTP', name: '王无号码', reason: 'no_number' }]);
  });
});

describe('Google Contacts CSV', () => {
  const result = parseFixture('google.csv');

  it('reads UTF-8 with BOM', () => {
    expect(result.encoding).toBe('utf-8');
    expect(result.warnings).toEqual([]);
  });

  it('splits " ::: " numbers, takes types from "Phone N - Type", merges the older duplicate', () => {
    const liu = entryNamed(result, '刘洋');
    expect(liu.phones).toEqual([
      { e164: '+8615012345678', raw: '+86 150 1234 5678', type: 'mobile' },
      { e164: '+8618612345678', raw: '+86 186 1234 5678', type: 'mobile' },
      { e164: '+862112345678', raw: '021-12345678', type: 'work' },
      { e164: '+8618612345679', raw: '+86 186 1234 5679', type: 'home' },
    ]);
    expect(result.entries.map((entry) => entry.name)).toEqual(['刘洋', 'Maria Garcia']);
  });

  it('reads the organisation and rejects "n/a"', () => {
    expect(entryNamed(result, 'Maria Garcia').org).toBe('Telefónica');
    expect(result.rejected).toEqual([{ record: 4, line: 5, raw: 'n/a', name: 'No Number', reason: 'not_a_number' }]);
  });
});

describe('Foxmail CSV, GBK', () => {
  const result = parseFixture('foxmail-gbk.csv');

  it('reads 姓名/手机/办公电话 columns', () => {
    expect(result.encoding).toBe('gb18030');
    const zhao = entryNamed(result, '赵六');
    expect(zhao.phones).toEqual([
      { e164: '+8613800138001', raw: '138-0013-8001', type: 'mobile' },
      { e164: '+862112345679', raw: '021 1234 5679', type: 'work' },
    ]);
    expect(zhao.org).toBe('华夏贸易');
    expect(numbersOf(entryNamed(result, '钱七'))).toEqual(['+8615012345679']);
    expect(result.rejected).toEqual([{ record: 3, line: 5, raw: '1380013', name: '孙八', reason: 'invalid_number' }]);
  });
});

describe('UTF-16 CSV', () => {
  it('reads UTF-16LE with BOM and tab separators (Outlook "Unicode text")', () => {
    const result = parseFixture('outlook-unicode-utf16le.csv');
    expect([result.format, result.encoding]).toEqual(['csv', 'utf-16le']);
    expect(numbersOf(entryNamed(result, '周杰'))).toEqual(['+886912345678']);
    expect(numbersOf(entryNamed(result, 'Αλέξης Παπάς'))).toEqual(['+306912345679']);
  });

  it('recognises UTF-16LE without a BOM by its NUL bytes', () => {
    const result = parseFixture('contacts-utf16le-nobom.csv');
    expect(result.encoding).toBe('utf-16le');
    expect(result.entries.map((entry) => [entry.name, numbersOf(entry)])).toEqual([
      ['吴九', ['+8613512345678']],
      ['郑十', ['+8613612345678']],
    ]);
  });

  it('recognises UTF-16BE without a BOM', () => {
    const text = 'Name,Mobile\r\nAnna,+44 7911 123456\r\n';
    const bytes = new Uint8Array(text.length * 2);
    [...text].forEach((char, index) => {
      bytes[index * 2 + 1] = char.charCodeAt(0);
    });
    const result = parseAddressBook(bytes, { fileName: 'be.csv' });
    expect(result.encoding).toBe('utf-16be');
    expect(numbersOf(entryNamed(result, 'Anna'))).toEqual(['+447911123456']);
  });
});

describe('German Outlook CSV', () => {
  it('detects ";" separators and German headers', () => {
    const result = parseFixture('outlook-de-semicolon.csv', { defaultRegion: 'DE' });
    const juergen = entryNamed(result, 'Jürgen Groß');
    expect(juergen.phones).toEqual([
      { e164: '+4930901820', raw: '+49 30 901820', type: 'work' },
      { e164: '+4915123456780', raw: '+49 151 23456780', type: 'mobile' },
    ]);
    expect(juergen.org).toBe('Bäckerei Groß');
  });
});

describe('CSV structure', () => {
  it('finds the header below title rows, and reads French headers', () => {
    const csv = 'Mes contacts\n\nPrénom,Nom,Téléphone mobile,Courriel\nÉlodie,Durand,06 12 34 56 78,elodie@example.fr\n';
    const result = parseAddressBook(utf8(csv), { fileName: 'contacts.csv', defaultRegion: 'FR' });
    expect(result.entries).toEqual([
      { ref: expect.stringMatching(/^r1-[0-9a-f]{32}$/), name: 'Élodie Durand', phones: [{ e164: '+33612345678', raw: '06 12 34 56 78', type: 'mobile' }], emails: ['elodie@example.fr'] },
    ]);
  });

  it('reads a headerless CSV by the look of its cells, with a warning', () => {
    const result = parseAddressBook(utf8('Anna,+44 7911 123456\nBob,+44 7911 123457\n'), { fileName: 'x.csv' });
    expect(result.entries.map((entry) => [entry.name, numbersOf(entry)])).toEqual([
      ['Anna', ['+447911123456']],
      ['Bob', ['+447911123457']],
    ]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(['no_header']);
  });

  it('rejects numbers Excel rounded into scientific notation, and strips Excel text wrappers', () => {
    const csv = 'Name,Mobile\nRounded,8.61380013800E+12\nWrapped,"=""13800138000"""\nApostrophe,\'+8613900139000\n';
    const result = parseAddressBook(utf8(csv), { fileName: 'x.csv', defaultRegion: 'CN' });
    expect(result.rejected).toEqual([{ record: 1, line: 2, raw: '8.61380013800E+12', name: 'Rounded', reason: 'imprecise_number' }]);
    expect(result.entries.map((entry) => numbersOf(entry))).toEqual([['+8613800138000'], ['+8613900139000']]);
  });

  it('parses quoted fields with embedded delimiters, quotes and newlines', () => {
    expect(parseCsv('a,"b,c","d ""e""\nf"\r\ng,h\n', ',').map((row) => [row.line, row.cells.map((cell) => cell.text)])).toEqual([
      [1, ['a', 'b,c', 'd "e"\nf']],
      [3, ['g', 'h']],
    ]);
  });

  it('detects tab and semicolon delimiters', () => {
    expect(detectDelimiter('Name\tMobile\nA\t1\n')).toBe('\t');
    expect(detectDelimiter('Name;Mobile;Note\nA;1;"x,y"\n')).toBe(';');
  });

  it('classifies headers in several languages and ignores type and display-name columns', () => {
    expect(classifyHeader('移动电话')).toEqual({ kind: 'phone', type: 'mobile' });
    expect(classifyHeader('住宅电话')).toEqual({ kind: 'phone', type: 'home' });
    expect(classifyHeader('电话')).toEqual({ kind: 'phone' });
    expect(classifyHeader('Phone 2 - Value')).toEqual({ kind: 'phone', typeKey: 'phone 2' });
    expect(classifyHeader('Phone 2 - Type')).toEqual({ kind: 'phoneType', typeKey: 'phone 2' });
    expect(classifyHeader('E-mail Display Name')).toBeUndefined();
    expect(classifyHeader('电子邮件类型')).toBeUndefined();
    expect(classifyHeader('姓名')).toEqual({ kind: 'fullName' });
    expect(classifyHeader('Photo')).toBeUndefined();
    expect(classifyHeader('Handy')).toEqual({ kind: 'phone', type: 'mobile' });
  });
});
