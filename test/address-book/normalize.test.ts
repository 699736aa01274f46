import { describe, expect, it } from 'vitest';
import { assignRefs, manualEntry, parseAddressBook } from '#common/address-book/index.js';
import { mergeContacts, normaliseNumber } from '#common/address-book/normalize.js';
import { numbersOf, parseFixture, utf8 } from './fixtures.js';

describe('normaliseNumber', () => {
  it('reads national numbers in the default region and international ones anywhere', () => {
    expect(normaliseNumber({ raw: '138 0013 8000' }, 'CN')).toEqual({ ok: true, e164: '+8613800138000' });
    expect(normaliseNumber({ raw: '0086 138 0013 8000' }, 'GB')).toEqual({ ok: true, e164: '+8613800138000' });
    expect(normaliseNumber({ raw: '07911 123456' }, 'GB')).toEqual({ ok: true, e164: '+447911123456' });
    expect(normaliseNumber({ raw: '07911 123456' }, undefined)).toEqual({ ok: false, reason: 'region_required' });
  });

  it('reads what spreadsheets and URIs wrap numbers in', () => {
    expect(normaliseNumber({ raw: 'tel:+44-7911-123456;phone-context=x' }, undefined)).toEqual({ ok: true, e164: '+447911123456' });
    expect(normaliseNumber({ raw: '13800138000.0' }, 'CN')).toEqual({ ok: true, e164: '+8613800138000' });
    expect(normaliseNumber({ raw: '＋８６ １３８ ００１３ ８０００' }, undefined)).toEqual({ ok: true, e164: '+8613800138000' });
  });

  it('trusts scientific notation only from a number cell', () => {
    expect(normaliseNumber({ raw: '8.61380013800E+12' }, 'CN')).toEqual({ ok: false, reason: 'imprecise_number' });
    expect(normaliseNumber({ raw: '8.613800138000E+12' }, 'CN')).toEqual({ ok: true, e164: '+8613800138000' });
    expect(normaliseNumber({ raw: '8.61380013800E+12', fromNumericCell: true }, 'CN')).toEqual({ ok: true, e164: '+8613800138000' });
  });

  it('tries an international reading for number cells only', () => {
    expect(normaliseNumber({ raw: '447911123456', fromNumericCell: true }, 'CN')).toEqual({ ok: true, e164: '+447911123456' });
    expect(normaliseNumber({ raw: '447911123456' }, 'CN')).toEqual({ ok: false, reason: 'invalid_number' });
  });
});

describe('merging and refs', () => {
  it('merges transitively: A shares with B, B with C', () => {
    const entries = mergeContacts([
      { name: 'A', phones: [{ e164: '+8613800138000', raw: 'a' }], emails: [] },
      { name: 'C', phones: [{ e164: '+8613700137000', raw: 'c' }], emails: ['c@example.com'] },
      { name: 'B', phones: [{ e164: '+8613900139000', raw: 'b' }, { e164: '+8613800138000', raw: 'a2' }, { e164: '+8613700137000', raw: 'c2' }], emails: [] },
      { name: 'D', phones: [{ e164: '+8615012345678', raw: 'd' }], emails: [] },
    ]);
    expect(entries.map((entry) => [entry.name, numbersOf(entry), entry.emails])).toEqual([
      ['A', ['+8613800138000', '+8613700137000', '+8613900139000'], ['c@example.com']],
      ['D', ['+8615012345678'], undefined],
    ]);
  });

  it('takes the name from the first named card when the first has none', () => {
    const result = parseAddressBook(utf8('+44 7911 123456\nAnna +44 7911 123456\n'), {});
    expect(result.entries.map((entry) => entry.name)).toEqual(['Anna']);
  });

  it('gives random, unique refs that say nothing about the numbers', () => {
    const first = parseFixture('vcard30-apple.vcf');
    const again = parseFixture('vcard30-apple.vcf');
    expect(new Set(first.entries.map((entry) => entry.ref)).size).toBe(first.entries.length);
    for (const entry of first.entries) expect(entry.ref).toMatch(/^r1-[0-9a-f]{32}$/);
    expect(again.entries.map((entry) => entry.ref)).not.toEqual(first.entries.map((entry) => entry.ref));
  });

  it('keeps the ref of a person the device already knows, found by any shared number', () => {
    const first = parseFixture('vcard21-android.vcf');
    const known = new Map(first.entries.flatMap((entry) => entry.phones.map((phone) => [phone.e164, entry.ref] as const)));
    const fromText = parseFixture('list.txt');
    assignRefs(fromText.entries, known);
    const zhangFromVcard = first.entries.find((entry) => entry.name === '张三');
    const zhangFromText = fromText.entries.find((entry) => entry.name === '张三');
    expect(zhangFromVcard?.ref).toBeDefined();
    expect(zhangFromText?.ref).toBe(zhangFromVcard?.ref);
    expect(new Set(fromText.entries.map((entry) => entry.ref)).size).toBe(fromText.entries.length);
  });
});

describe('manualEntry', () => {
  it('normalises like an import', () => {
    expect(manualEntry(' 张三 ', '138-0013-8000', 'CN')).toEqual({
      ok: true,
      entry: { ref: expect.stringMatching(/^r1-[0-9a-f]{32}$/), name: '张三', phones: [{ e164: '+8613800138000', raw: '138-0013-8000' }] },
    });
  });

  it('rejects with the same reasons', () => {
    expect(manualEntry('Anna', '138 0013 8000')).toEqual({ ok: false, rejected: { record: 1, raw: '138 0013 8000', name: 'Anna', reason: 'region_required' } });
    expect(manualEntry('Anna', '12345', 'CN')).toMatchObject({ ok: false, rejected: { reason: 'invalid_number' } });
    expect(manualEntry('Anna', 'abc', 'CN')).toMatchObject({ ok: false, rejected: { reason: 'not_a_number' } });
    expect(manualEntry('Anna', '   ', 'CN')).toMatchObject({ ok: false, rejected: { reason: 'no_number' } });
  });
});
