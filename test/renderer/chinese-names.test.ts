import { describe, expect, it } from 'vitest';
import { foldFullWidth, normaliseCodeInput, normalisePhoneInput } from '#common/text/typed-digits.js';
import { compareNames, loadPinyin, matchesPinyin, pinyinReady } from '#renderer/features/contacts/chinese-names.js';

const names = ['张伟', 'Bob Smith', '刘洋', '李娜', 'alice', '陈静', '安娜', 'Zoe'];

describe('Chinese names', () => {
  it('sort by the pinyin collation before the dictionary is loaded (Han among themselves)', () => {
    expect(pinyinReady()).toBe(false);
    const han = names.filter((name) => /\p{Script=Han}/u.test(name));
    expect([...han].sort(compareNames)).toEqual(['安娜', '陈静', '李娜', '刘洋', '张伟']);
    expect(matchesPinyin('李娜', 'li')).toBe(false);
  });

  it('sort among Latin names by pinyin, and match pinyin and initials, once the dictionary is loaded', async () => {
    expect(await loadPinyin()).toBe(true);
    expect([...names].sort(compareNames)).toEqual(['alice', '安娜', 'Bob Smith', '陈静', '李娜', '刘洋', '张伟', 'Zoe']);
    expect(matchesPinyin('李娜', 'li')).toBe(true);
    expect(matchesPinyin('李娜', 'lina')).toBe(true);
    expect(matchesPinyin('李娜', 'Li Na')).toBe(true);
    expect(matchesPinyin('李娜', 'ln')).toBe(true);
    expect(matchesPinyin('刘洋', 'ln')).toBe(false);
    expect(matchesPinyin('李娜', 'zh')).toBe(false);
    // A polyphonic surname reads as a surname: 单 is Shan, not Dan.
    expect(matchesPinyin('单田芳', 'shan')).toBe(true);
    expect(matchesPinyin('Bob Smith', 'bs')).toBe(false);
  });
});

describe('typed digits', () => {
  it('folds full-width digits, plus, hyphen and the ideographic space', () => {
    expect(foldFullWidth('＋８６\u3000１３８－００１３')).toBe('+86 138-0013');
    expect(normaliseCodeInput('１２３ ４５６')).toBe('123456');
    expect(normaliseCodeInput('123-456')).toBe('123456');
    expect(normalisePhoneInput(' ＋８６ １３８–００１３ ８０００ ')).toBe('+8613800138000');
    expect(normalisePhoneInput('(415) 555-2671')).toBe('(415)5552671');
  });
});
