import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { AddressBookError, parseAddressBook } from '#common/address-book/index.js';
import { entryNamed, numbersOf, parseFixture } from './fixtures.js';

describe('XLSX with a title row above the header', () => {
  const result = parseFixture('contacts-title-row.xlsx');

  it('reads the first sheet of the workbook through its relationships, not sheet1.xml', () => {
    expect([result.format, result.encoding]).toEqual(['xlsx', 'utf-8']);
    expect(result.entries.map((entry) => entry.name)).toEqual(['张伟', '王芳', 'Li Na', '刘强']);
    expect(result.warnings).toEqual([]);
  });

  it('reads numbers stored as numbers, inline strings and shared strings', () => {
    const zhang = entryNamed(result, '张伟');
    expect(zhang.phones).toEqual([
      { e164: '+8613800138000', raw: '13800138000', type: 'mobile' },
      { e164: '+861065529988', raw: '010-6552 9988', type: 'work' },
    ]);
    expect(zhang.emails).toEqual(['zhangwei@example.cn']);
    expect(numbersOf(entryNamed(result, 'Li Na'))).toEqual(['+8613700137000']);
  });

  it('expands a number cell in scientific notation exactly', () => {
    expect(entryNamed(result, '王芳').phones).toEqual([{ e164: '+8613900139000', raw: '8613900139000', type: 'mobile' }]);
  });

  it('restores the plus a number cell lost, when the number is not national', () => {
    expect(numbersOf(entryNamed(result, '刘强'))).toEqual(['+447911123456']);
  });

  it('reports rows by their sheet row number', () => {
    expect(result.rejected).toEqual([
      { record: 5, line: 8, raw: 'abc', name: '陈静', reason: 'not_a_number' },
      { record: 6, line: 10, raw: '没有电话, 研发', name: '没有电话', reason: 'no_number' },
    ]);
  });
});

describe('damaged or foreign ZIP files', () => {
  const codeOf = (bytes: Uint8Array, fileName: string): string => {
    try {
      parseAddressBook(bytes, { fileName });
    } catch (error) {
      if (error instanceof AddressBookError) return error.code;
      throw error;
    }
    return 'no error';
  };

  it('refuses a ZIP that is not a workbook', () => {
    expect(codeOf(zipSync({ 'word/document.xml': strToU8('<w/>') }), 'letter.docx')).toBe('unsupported_format');
  });

  it('calls a truncated ZIP corrupt', () => {
    const zip = zipSync({ 'xl/workbook.xml': strToU8('<workbook/>'.repeat(100)) });
    expect(codeOf(zip.subarray(0, 40), 'cut.xlsx')).toBe('corrupt_file');
  });

  it('calls a workbook without its sheet corrupt, and guesses sheet1 when rels are missing', () => {
    expect(codeOf(zipSync({ 'xl/workbook.xml': strToU8('<workbook><sheets/></workbook>') }), 'empty.xlsx')).toBe('corrupt_file');
    const sheet = '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Mobile</t></is></c></row>'
      + '<row r="2"><c r="A2" t="inlineStr"><is><r><t>An</t></r><r><t>na &amp; Co</t></r></is></c><c r="B2" t="inlineStr"><is><t>+44 7911 123456</t></is></c></row></sheetData></worksheet>';
    const result = parseAddressBook(zipSync({ 'xl/workbook.xml': strToU8('<workbook/>'), 'xl/worksheets/sheet1.xml': strToU8(sheet) }), { fileName: 'bare.xlsx' });
    expect(result.entries.map((entry) => [entry.name, numbersOf(entry)])).toEqual([['Anna & Co', ['+447911123456']]]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(['first_sheet_guessed']);
  });
});
