// Plain lists typed by people: "张三 138 0013 8000", "13800138000，李四", "Anna Schmidt; +49 30 901820".
import { classifyHeader } from './table.js';
import type { ContactSource, RawContact, RawPhone, WarningSink } from './types.js';

/** Separators between a name and a number, full-width ones included (Chinese input methods type them). */
const fieldSeparators = /[\t,;|，；、:：]+/;
/** Characters a written number may contain; `/` separates two numbers ("138…/139…"). */
const phoneOnly = /^[+＋(（]?[\d０-９\s().\-‐-―（）/]+$/;
const leadingNumber = /^([+＋]?[(（]?[\d０-９][\d０-９\s().\-‐-―（）/+]*[\d０-９])\s*(\S.*)$/;
const trailingNumber = /^(.*?[^\d０-９\s+＋().\-‐-―（）/])\s*([+＋]?[(（]?[\d０-９][\d０-９\s().\-‐-―（）/+]*[\d０-９])$/;
/** Labels people put before a number ("手机 13800138000", "Tel. 030 901820"): not part of the name. */
const labelWords = /\s*(?:tel|tel\.|phone|mobile|mob|cell|handy|fax|手机|电话|手机号|手机号码|电话号码|移动电话)\s*$/i;

const digitCount = (text: string): number => text.replace(/[^\d０-９]/g, '').length;

/** "138 0013 8000 139 0013 9000" or "138…/139…" holds two numbers; one number has at most 15 digits. */
function splitNumbers(run: string): string[] {
  const bySlash = run.split('/').map((part) => part.trim()).filter((part) => part !== '');
  const pieces: string[] = [];
  for (const part of bySlash) {
    if (digitCount(part) <= 15) {
      pieces.push(part);
      continue;
    }
    const groups = part.split(/\s+/);
    if (groups.every((group) => digitCount(group) >= 7)) pieces.push(...groups);
    else pieces.push(part);
  }
  return pieces;
}

interface LineParts {
  names: string[];
  numbers: string[];
}

function splitField(field: string, parts: LineParts): void {
  const text = field.trim();
  if (text === '') return;
  if (phoneOnly.test(text) && digitCount(text) >= 3) {
    parts.numbers.push(...splitNumbers(text));
    return;
  }
  const trailing = trailingNumber.exec(text);
  if (trailing !== null && digitCount(trailing[2] ?? '') >= 5) {
    parts.names.push(trailing[1] ?? '');
    parts.numbers.push(...splitNumbers(trailing[2] ?? ''));
    return;
  }
  const leading = leadingNumber.exec(text);
  if (leading !== null && digitCount(leading[1] ?? '') >= 5) {
    parts.numbers.push(...splitNumbers(leading[1] ?? ''));
    parts.names.push(leading[2] ?? '');
    return;
  }
  parts.names.push(text);
}

function cleanName(names: string[]): string {
  return names
    .map((name) => name.replace(labelWords, '').replace(/^[\s\-–—]+|[\s\-–—]+$/g, ''))
    .filter((name) => name !== '')
    .join(' ')
    .trim();
}

/** A first line like "Name, Phone" or "姓名 电话" is a header, not a contact without a number. */
function isHeaderLine(line: string): boolean {
  if (/[\d０-９]/.test(line)) return false;
  const fields = line.split(fieldSeparators).filter((field) => field.trim() !== '');
  const words = fields.length >= 2 ? fields : line.split(/\s+/).filter((word) => word !== '');
  return words.some((word) => classifyHeader(word)?.kind === 'phone') && words.every((word) => classifyHeader(word) !== undefined);
}

function lineToContact(line: string, lineNumber: number, record: number): RawContact {
  const parts: LineParts = { names: [], numbers: [] };
  for (const field of line.split(fieldSeparators)) splitField(field, parts);
  const phones: RawPhone[] = parts.numbers.map((raw) => ({ raw }));
  return { record, line: lineNumber, name: cleanName(parts.names), phones, emails: [], raw: line.trim() };
}

export function textSource(text: string, _warnings: WarningSink): ContactSource {
  const lines: { text: string; lineNumber: number }[] = [];
  let sawContent = false;
  text.split(/\r\n|\r|\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) return;
    if (!sawContent && isHeaderLine(trimmed)) {
      sawContent = true;
      return;
    }
    sawContent = true;
    lines.push({ text: line, lineNumber: index + 1 });
  });
  return {
    total: lines.length,
    *contacts() {
      for (let index = 0; index < lines.length; index += 1) {
        const line = lines[index];
        if (line !== undefined) yield lineToContact(line.text, line.lineNumber, index + 1);
      }
    },
  };
}
