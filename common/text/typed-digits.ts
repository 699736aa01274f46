/**
 * What people type on a phone or with a Chinese input method, folded to what the parsers expect:
 * full-width digits (０-９, as Chinese and Japanese input methods type them), the full-width plus and
 * hyphen, and the ideographic space become their ASCII forms.
 */
export function foldFullWidth(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF0B\uFF0D\u3000]/g, (char) => {
    if (char === '\u3000') return ' ';
    return String.fromCharCode(char.charCodeAt(0) - 0xfee0);
  });
}

/** Spaces and every kind of dash people put between digit groups ("138-0013 8000", "123 456"). */
const separators = /[\s\u2010-\u2015\u2212-]/g;

/** A one-time code as typed or pasted: folded, with spaces and dashes between the digits removed. */
export function normaliseCodeInput(text: string): string {
  return foldFullWidth(text).replace(separators, '');
}

/** A phone number as typed: folded, spaces and dashes removed (the parser reads the rest). */
export function normalisePhoneInput(text: string): string {
  return foldFullWidth(text).trim().replace(separators, '');
}
