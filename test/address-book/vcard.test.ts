import { describe, expect, it } from 'vitest';
import { parseAddressBook } from '#common/address-book/index.js';
import { entryNamed, numbersOf, parseFixture, utf8 } from './fixtures.js';

describe('vCard 2.1 (Android export)', () => {
  const result = parseFixture('vcard21-android.vcf');

  it('detects the format and reads the file as UTF-8', () => {
    expect(result.format).toBe('vcard');
    expect(result.encoding).toBe('utf-8');
  });

  it('decodes QUOTED-PRINTABLE UTF-8 names and bare 2.1 TEL types', () => {
    const zhang = entryNamed(result, '张三');
    expect(zhang.phones[0]).toEqual({ e164: '+8613800138000', raw: '138 0013 8000', type: 'mobile' });
    expect(zhang.phones[1]).toEqual({ e164: '+861065529988', raw: '010-6552-9988', type: 'work' });
  });

  it('decodes QUOTED-PRINTABLE with CHARSET=GB2312', () => {
    expect(numbersOf(entryNamed(result, '李四'))).toEqual(['+8613700137000']);
  });

  it('joins QUOTED-PRINTABLE soft line breaks', () => {
    expect(numbersOf(entryNamed(result, '司马相如（长安律师事务所合伙人）'))).toEqual(['+8615012345678']);
  });

  it('falls back to N when there is no FN, and skips a folded BASE64 photo', () => {
    expect(entryNamed(result, 'Wu Wang').phones).toEqual([{ e164: '+447911123456', raw: '+44 7911 123456', type: 'mobile' }]);
  });

  it('decodes ENCODING=BASE64 names', () => {
    const zhao = entryNamed(result, '赵六');
    expect(zhao.phones.map((phone) => [phone.e164, phone.type])).toEqual([
      ['+8618612345679', 'mobile'],
      ['+8675512345678', 'fax'],
    ]);
  });

  it('merges a second card with the same number into the first, keeping its name and adding numbers', () => {
    expect(result.entries.filter((entry) => entry.phones.some((phone) => phone.e164 === '+8613800138000'))).toHaveLength(1);
    expect(numbersOf(entryNamed(result, '张三'))).toEqual(['+8613800138000', '+861065529988', '+8613900139000']);
    expect(result.entries.map((entry) => entry.name)).not.toContain('张三（旧卡）');
  });

  it('reports a bad number and a card without numbers instead of dropping them', () => {
    expect(result.rejected).toEqual([
      { record: 7, line: 53, raw: '12345', name: 'Broken Number', reason: 'invalid_number' },
      { record: 8, line: 58, raw: 'Only Email', name: 'Only Email', reason: 'no_number' },
    ]);
    expect(result.entries).toHaveLength(5);
  });
});

describe('vCard 3.0 (Apple export)', () => {
  const result = parseFixture('vcard30-apple.vcf');

  it('reads grouped TEL properties with their X-ABLabel', () => {
    const mei = entryNamed(result, 'Mei Chen');
    expect(mei.phones.slice(0, 3)).toEqual([
      { e164: '+8613900139000', raw: '+86 139 0013 9000', type: 'mobile' },
      { e164: '+14155552671', raw: '+1 (415) 555-2671', type: 'work' },
      { e164: '+447911123457', raw: '+44 7911 123457', type: 'mobile' },
    ]);
  });

  it('unescapes commas and semicolons and keeps the company', () => {
    expect(entryNamed(result, 'Mei Chen').org).toBe('Acme, Inc. Sales');
    expect(numbersOf(entryNamed(result, "Seán O'Brien, Jr.; the elder"))).toEqual(['+353851234567']);
  });

  it('keeps several TYPE parameters', () => {
    expect(entryNamed(result, '山田 太郎').phones[0]?.type).toBe('mobile,work');
  });

  it('composes CJK names from N without a space', () => {
    expect(numbersOf(entryNamed(result, '김지수'))).toEqual(['+821012345678']);
  });

  it('unfolds folded lines by removing the fold and one space', () => {
    expect(numbersOf(entryNamed(result, 'Alexandra Konstantinopoulou-Papadopoulou'))).toEqual(['+306912345678']);
  });

  it('merges a card sharing a number: first name kept, numbers and e-mails unioned', () => {
    const mei = entryNamed(result, 'Mei Chen');
    expect(numbersOf(mei)).toEqual(['+8613900139000', '+14155552671', '+447911123457', '+862112345678']);
    expect(mei.emails).toEqual(['mei@example.com', 'mei.chen@acme.example']);
    expect(result.entries).toHaveLength(5);
    expect(result.rejected).toEqual([]);
  });
});

describe('vCard 4.0', () => {
  const result = parseFixture('vcard40.vcf');

  it('reads tel: URIs, drops their parameters, and keeps quoted TYPE lists', () => {
    const ivan = entryNamed(result, 'Иван Петров');
    expect(ivan.phones).toEqual([
      { e164: '+79123456789', raw: 'tel:+7-912-345-67-89', type: 'mobile' },
      { e164: '+12015550123', raw: 'tel:+1-201-555-0123;ext=102', type: 'work' },
    ]);
    expect(ivan.emails).toEqual(['ivan@example.org']);
  });

  it('reads right-to-left and accented names', () => {
    expect(numbersOf(entryNamed(result, 'محمد علي'))).toEqual(['+971501234567']);
    expect(numbersOf(entryNamed(result, 'Zoë Ångström'))).toEqual(['+33612345678']);
  });

  it('rejects a tel: URI that is not a number', () => {
    expect(result.rejected).toEqual([{ record: 3, line: 14, raw: 'tel:not-a-number', name: 'Zoë Ångström', reason: 'not_a_number' }]);
  });
});

describe('numbers that fail', () => {
  it('gives each its reason; a national number needs a region', () => {
    const withoutRegion = parseFixture('bad-numbers.vcf', {});
    expect(withoutRegion.entries).toEqual([]);
    expect(withoutRegion.rejected.map((rejected) => [rejected.raw, rejected.reason])).toEqual([
      ['12345', 'region_required'],
      ['call me', 'not_a_number'],
      ['+999 1234 5678', 'not_a_number'],
      ['138 0013 8000', 'region_required'],
    ]);
    const inChina = parseFixture('bad-numbers.vcf', { defaultRegion: 'CN' });
    expect(inChina.entries.map((entry) => numbersOf(entry))).toEqual([['+8613800138000']]);
    expect(inChina.rejected.map((rejected) => rejected.reason)).toEqual(['invalid_number', 'not_a_number', 'not_a_number']);
  });
});

describe('vCard edge cases', () => {
  it('reads a card cut off without END:VCARD and says so', () => {
    const result = parseAddressBook(utf8('BEGIN:VCARD\nVERSION:3.0\nFN:Cut Off\nTEL:+44 7911 123456\n'), { fileName: 'cut.vcf' });
    expect(result.entries.map((entry) => entry.name)).toEqual(['Cut Off']);
    expect(result.warnings.map((warning) => warning.code)).toEqual(['truncated_card']);
  });

  it('ignores an embedded AGENT card', () => {
    const text = 'BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Boss\r\nTEL:+44 7911 123456\r\nAGENT:\r\nBEGIN:VCARD\r\nFN:Assistant\r\nTEL:+44 7911 123457\r\nEND:VCARD\r\nEND:VCARD\r\n';
    const result = parseAddressBook(utf8(text), { fileName: 'agent.vcf' });
    expect(result.entries.map((entry) => [entry.name, numbersOf(entry)])).toEqual([['Boss', ['+447911123456']]]);
  });

  it('keeps 2.1 folding whitespace', () => {
    const result = parseAddressBook(utf8('BEGIN:VCARD\nVERSION:2.1\nFN:Anna\n Maria\nTEL:+44 7911 123456\nEND:VCARD\n'), {});
    expect(result.entries[0]?.name).toBe('Anna Maria');
  });

  it('falls back to UTF-8 with a warning on an unknown CHARSET', () => {
    const result = parseAddressBook(utf8('BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=X-UNKNOWN;ENCODING=QUOTED-PRINTABLE:=41=6E=6E\nTEL:+44 7911 123456\nEND:VCARD\n'), {});
    expect(result.entries[0]?.name).toBe('Ann');
    expect(result.warnings.map((warning) => warning.code)).toEqual(['unknown_charset']);
  });

  it('sniffs the code page of QUOTED-PRINTABLE values without CHARSET', () => {
    const text = 'BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:=D5=C5=C8=FD\nTEL:+8613800138000\nEND:VCARD\n'
      + 'BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:Jos=E9\nTEL:+44 7911 123456\nEND:VCARD\n'
      + 'BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E\nTEL:+8613700137000\nEND:VCARD\n';
    expect(parseAddressBook(utf8(text), {}).entries.map((entry) => entry.name)).toEqual(['张三', 'José', '李']);
  });

  it('decodes raw Big5 bytes when the card declares CHARSET=BIG5', () => {
    const head = utf8('BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=BIG5:');
    const big5Name = Uint8Array.from([0xb3, 0xaf, 0xa4, 0x6a, 0xa4, 0xe5]); // 陳大文
    const tail = utf8('\r\nTEL;CELL:+852 9123 4567\r\nEND:VCARD\r\n');
    const result = parseAddressBook(Uint8Array.from([...head, ...big5Name, ...tail]), { fileName: 'hk.vcf' });
    expect(result.encoding).toBe('big5');
    expect(result.entries[0]?.name).toBe('陳大文');
  });
});
