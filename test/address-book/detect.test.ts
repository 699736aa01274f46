import { describe, expect, it } from 'vitest';
import { AddressBookError, parseAddressBook, type AddressBookErrorCode, type ParseOptions } from '#common/address-book/index.js';
import { decodeText, looksSingleByte } from '#common/address-book/encoding.js';
import { fixtureBytes, utf8 } from './fixtures.js';

function failure(bytes: Uint8Array, options: ParseOptions): { code: AddressBookErrorCode; message: string } {
  try {
    parseAddressBook(bytes, options);
  } catch (error) {
    if (error instanceof AddressBookError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an AddressBookError');
}

describe('formats we refuse with advice', () => {
  it('refuses a WAB file by its magic bytes, whatever its name, and says how to export', () => {
    const { code, message } = failure(fixtureBytes('outlook-express.wab'), { fileName: 'contacts.dat' });
    expect(code).toBe('unsupported_format');
    expect(message).toMatch(/Windows Address Book/);
    expect(message).toMatch(/vCard/);
    expect(message).toMatch(/CSV/);
  });

  it('refuses a .wab by its extension too', () => {
    expect(failure(utf8('not really'), { fileName: 'old.WAB' }).code).toBe('unsupported_format');
  });

  it('refuses a legacy .xls (OLE2) and says to save as .xlsx or CSV', () => {
    const { code, message } = failure(fixtureBytes('legacy.xls'), { fileName: 'legacy.xls' });
    expect(code).toBe('unsupported_format');
    expect(message).toMatch(/\.xlsx or CSV/);
  });

  it('refuses other binary files', () => {
    expect(failure(utf8('%PDF-1.7\n...'), { fileName: 'contacts.pdf' }).code).toBe('unsupported_format');
    expect(failure(Uint8Array.from([1, 2, 0, 0, 0, 7, 0, 9, 3, 0, 0, 0, 4, 4, 0, 0, 5]), {}).code).toBe('unsupported_format');
  });

  it('says when the file is empty or named .vcf without cards', () => {
    expect(failure(new Uint8Array(0), {}).code).toBe('empty_file');
    expect(failure(utf8(' \n\n '), {}).code).toBe('empty_file');
    expect(failure(utf8('hello'), { fileName: 'x.vcf' }).code).toBe('unrecognised_format');
  });

  it('refuses an unknown default region', () => {
    expect(failure(utf8('Anna +44 7911 123456'), { defaultRegion: 'XX' }).code).toBe('unknown_region');
  });
});

describe('format detection', () => {
  it('trusts content over a wrong extension', () => {
    const result = parseAddressBook(utf8('BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nTEL:+44 7911 123456\nEND:VCARD\n'), { fileName: 'contacts.csv' });
    expect(result.format).toBe('vcard');
  });

  it('reads a .txt with a delimited phone header as CSV', () => {
    const result = parseAddressBook(utf8('Name\tPhone\nAnna\t+44 7911 123456\n'), { fileName: 'export.txt' });
    expect(result.format).toBe('csv');
    expect(result.entries[0]?.name).toBe('Anna');
  });

  it('lets the caller force a format and an encoding', () => {
    const big5 = Uint8Array.from([0xb3, 0xaf, 0xa4, 0x6a, 0xa4, 0xe5, 0x20, ...utf8('+852 9123 4567')]);
    const result = parseAddressBook(big5, { format: 'text', encoding: 'big5' });
    expect([result.format, result.encoding, result.entries[0]?.name]).toEqual(['text', 'big5', '陳大文']);
  });
});

describe('encoding detection', () => {
  it('prefers a BOM, then UTF-8, then GB18030 for Chinese, Windows-1252 for Western text', () => {
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41])).encoding).toBe('utf-8');
    expect(decodeText(Uint8Array.from([0xfe, 0xff, 0, 0x41])).text).toBe('A');
    expect(decodeText(utf8('名字')).encoding).toBe('utf-8');
    const gbk = Uint8Array.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三
    expect(decodeText(gbk)).toMatchObject({ text: '张三', encoding: 'gb18030', guessed: true });
    const latin = Uint8Array.from([0x4a, 0x6f, 0x73, 0xe9, 0x20, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]); // José Müller
    expect(looksSingleByte(latin)).toBe(true);
    expect(decodeText(latin)).toMatchObject({ text: 'José Müller', encoding: 'windows-1252', guessed: true });
  });
});
