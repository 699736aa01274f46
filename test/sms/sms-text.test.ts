import { describe, expect, it } from 'vitest';
import { fitSms, smsEncodingOf, smsLength, splitSms } from '#server/features/sms/sms-text.js';

describe('SMS splitting', () => {
  it('keeps GSM 7-bit text in one SMS up to 160 septets, then parts of 153', () => {
    expect(splitSms('a'.repeat(160))).toEqual({ encoding: 'gsm7', parts: ['a'.repeat(160)] });
    const split = splitSms('a'.repeat(161));
    expect(split.parts.map((part) => part.length)).toEqual([153, 8]);
    expect(splitSms('a'.repeat(306)).parts.map((part) => part.length)).toEqual([153, 153]);
    expect(splitSms('a'.repeat(307)).parts).toHaveLength(3);
  });

  it('counts extension characters as two septets and never cuts one from its escape', () => {
    expect(smsEncodingOf('price: 5€ {ok} [x] ~|^\\')).toBe('gsm7');
    expect(smsLength('€{}')).toBe(6);
    expect(splitSms('€'.repeat(80)).parts).toEqual(['€'.repeat(80)]);
    // 152 septets of "a", then "€" (2 septets) does not fit in the first part's 153: it opens the second.
    const split = splitSms(`${'a'.repeat(152)}€${'b'.repeat(20)}`);
    expect(split.parts).toEqual(['a'.repeat(152), `€${'b'.repeat(20)}`]);
  });

  it('uses UCS-2 for anything outside the GSM alphabet: 70 characters, then parts of 67', () => {
    expect(smsEncodingOf('你好')).toBe('ucs2');
    expect(smsEncodingOf('naïve')).toBe('ucs2');
    expect(splitSms('中'.repeat(70)).parts).toHaveLength(1);
    expect(splitSms('中'.repeat(71)).parts.map((part) => part.length)).toEqual([67, 4]);
    // One Latin letter outside GSM makes the whole text UCS-2.
    expect(splitSms(`ç${'a'.repeat(100)}`).encoding).toBe('ucs2');
    expect(splitSms(`ç${'a'.repeat(100)}`).parts).toHaveLength(2);
  });

  it('never splits a surrogate pair (an emoji takes two UTF-16 units)', () => {
    const text = `${'中'.repeat(66)}😀${'中'.repeat(3)}`;
    expect(smsLength(text)).toBe(71);
    const split = splitSms(text);
    expect(split.parts).toEqual(['中'.repeat(66), `😀${'中'.repeat(3)}`]);
    expect(split.parts.join('')).toBe(text);
  });

  it('cuts a long text to a number of parts with an ellipsis that keeps the encoding', () => {
    const gsm = fitSms('a'.repeat(1000), 2);
    expect(gsm.endsWith('...')).toBe(true);
    expect(splitSms(gsm).parts).toHaveLength(2);
    expect(smsLength(gsm)).toBe(306);
    const chinese = fitSms('字'.repeat(1000), 3);
    expect(chinese.endsWith('…')).toBe(true);
    expect(chinese.length).toBe(3 * 67);
    expect(fitSms('short', 1)).toBe('short');
  });
});
