import { describe, expect, it } from 'vitest';
import { errorCodes } from '#common/contract/errors.js';
import { en } from '#renderer/i18n/en.js';
import { formatMessage } from '#renderer/i18n/message-format.js';
import { zhCN } from '#renderer/i18n/zh-CN.js';

/** Codes a client part produces on its own: the connection, answers, the address-book reader. */
const clientCodes = [
  'network_unreachable',
  'needs_connection',
  'invalid_response',
  'client_error',
  'unsupported_format',
  'unrecognised_format',
  'empty_file',
  'corrupt_file',
  'too_large',
  'unknown_region',
  'aborted',
  'parse_failed',
];

const catalogues = { en, 'zh-CN': zhCN } as const;

/** The parameter names a template uses: `{name}` and the variable of `{count, plural, …}`. */
function parameterNames(template: string): string[] {
  return [...template.matchAll(/\{\s*(\w+)\s*(?:,\s*plural\s*,|\})/g)].map((match) => match[1] ?? '');
}

describe('the message catalogues', () => {
  it('have a message in English and Chinese for every error code', () => {
    const missing: string[] = [];
    for (const code of [...errorCodes, ...clientCodes]) {
      for (const [language, catalogue] of Object.entries(catalogues)) {
        const text = (catalogue as Record<string, string | undefined>)[`error.${code}`];
        if (text === undefined || text.trim() === '') missing.push(`${language}: error.${code}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('fail the check when a code has no message (the check can fail)', () => {
    const withNewCode = [...errorCodes, 'a_code_nobody_wrote_words_for'];
    expect(withNewCode.filter((code) => !(`error.${code}` in en))).toEqual(['a_code_nobody_wrote_words_for']);
  });

  it('never show an environment variable, a raw code or a developer placeholder', () => {
    for (const [language, catalogue] of Object.entries(catalogues)) {
      for (const [key, text] of Object.entries(catalogue)) {
        const prose = text.replace(/\{[^{}]*\}/g, '');
        expect(prose, `${language} ${key}`).not.toMatch(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/);
        expect(prose, `${language} ${key}`).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
        expect(prose, `${language} ${key}`).not.toMatch(/\(error:|错误：/);
      }
    }
  });

  it('use the same parameters in Chinese as in English', () => {
    for (const [key, english] of Object.entries(en)) {
      const chinese = zhCN[key as keyof typeof en];
      expect(new Set(parameterNames(chinese)), key).toEqual(new Set(parameterNames(english)));
    }
  });

  it('render every message completely for one and for many', () => {
    for (const [language, catalogue] of Object.entries(catalogues)) {
      for (const [key, template] of Object.entries(catalogue)) {
        for (const value of [0, 1, 2, 5]) {
          const params = Object.fromEntries(parameterNames(template).map((name) => [name, value]));
          const text = formatMessage(language, template, params);
          expect(text, `${language} ${key} (${value})`).not.toMatch(/[{}#]/);
        }
      }
    }
  });

  it('puts Chinese punctuation in Chinese messages', () => {
    for (const [key, text] of Object.entries(zhCN)) {
      // The words only, plural branches included: placeholders, plural headers, selectors and braces go.
      const prose = text
        .replace(/\{\w+\}/g, '')
        .replace(/\{\w+, plural,/g, '')
        .replace(/(?:=\d+|zero|one|two|few|many|other) \{/g, '')
        .replace(/[{}]/g, '');
      if (!/[\u4e00-\u9fff]/.test(prose)) continue;
      expect(prose, key).not.toMatch(/[,;!?()]|:(?!\/)|\.(?![a-z])/);
    }
  });
});

describe('plurals by the language rules', () => {
  const en1 = (key: keyof typeof en, params: Record<string, number | string>) => formatMessage('en', en[key], params);
  const zh = (key: keyof typeof en, params: Record<string, number | string>) => formatMessage('zh-CN', zhCN[key], params);

  it('counts contacts in English', () => {
    expect(en1('contacts.count', { count: 0 })).toBe('0 contacts');
    expect(en1('contacts.count', { count: 1 })).toBe('1 contact');
    expect(en1('contacts.count', { count: 2 })).toBe('2 contacts');
    expect(en1('contacts.count', { count: 12345 })).toBe('12,345 contacts');
  });

  it('says "1 is" and "2 are" after an import, and "1 try" and "2 tries" at sign-in', () => {
    const done = (entries: number, matches: number) => en1('import.done', { entries, matches, name: 'a.vcf', format: 'vcard', encoding: 'utf-8' });
    expect(done(1, 1)).toBe('Imported 1 contact from a.vcf (vcard, utf-8). 1 of them is on Switchboard.');
    expect(done(2, 2)).toBe('Imported 2 contacts from a.vcf (vcard, utf-8). 2 of them are on Switchboard.');
    expect(done(3, 0)).toBe('Imported 3 contacts from a.vcf (vcard, utf-8). None of them is on Switchboard yet.');
    expect(en1('onboarding.attemptsLeft', { count: 1 })).toBe('1 try left for this code.');
    expect(en1('onboarding.attemptsLeft', { count: 4 })).toBe('4 tries left for this code.');
  });

  it('has no plural forms in Chinese', () => {
    expect(zh('contacts.count', { count: 1 })).toBe('1 位联系人');
    expect(zh('contacts.count', { count: 2 })).toBe('2 位联系人');
    expect(zh('import.skipped', { count: 0 })).toBe('没有跳过任何记录');
    expect(zh('import.skipped', { count: 3 })).toBe('已跳过 3 条记录');
  });

  it('follows languages with more forms than two', () => {
    const template = '{count, plural, one {# plik} few {# pliki} many {# plików} other {# pliku}}';
    expect([1, 2, 5, 22].map((count) => formatMessage('pl', template, { count }))).toEqual(['1 plik', '2 pliki', '5 plików', '22 pliki']);
  });
});
