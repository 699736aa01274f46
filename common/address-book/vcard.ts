// vCard 2.1 (phones, Outlook), 3.0 (Apple, Google) and 4.0 (RFC 6350).
import { decodeBase64, decodeLenient, decodeQuotedPrintable, decodeText } from './encoding.js';
import { composeName, phoneTypeFromLabel } from './normalize.js';
import type { ContactSource, RawContact, RawPhone, WarningSink } from './types.js';

interface CardLines {
  /** 1-based line of BEGIN:VCARD. */
  startLine: number;
  lines: string[];
}

interface VCardProperty {
  group?: string;
  /** Upper-case property name. */
  name: string;
  /** Upper-case parameter names to their values (TYPE=CELL;TYPE=WORK and TYPE=CELL,WORK alike). */
  params: Map<string, string[]>;
  /** Parameters written without a name, as vCard 2.1 does: `TEL;CELL;VOICE:`. */
  bareParams: string[];
  value: string;
}

/** Properties we read; everything else (PHOTO above all, often hundreds of kilobytes) is skipped undecoded. */
const wantedProperties = new Set(['FN', 'N', 'TEL', 'EMAIL', 'ORG', 'NICKNAME', 'X-ABLABEL']);

export function looksLikeVCard(text: string): boolean {
  return /^\s*BEGIN:VCARD\s*$/im.test(text.slice(0, 8192));
}

/** An `AGENT:` property with no value: the vCard 2.1 way of saying "the next BEGIN:VCARD is embedded here". */
function opensEmbeddedCard(lines: readonly string[]): boolean {
  const last = lines[lines.length - 1];
  return last !== undefined && /^AGENT(;[^:]*)?:\s*$/i.test(last.trim());
}

/**
 * First pass: cards as line ranges. Cheap, so the importer knows the total before the real work.
 * A BEGIN:VCARD inside an open card closes that card (its END:VCARD is missing) unless it follows an
 * empty AGENT property: a broken card must never swallow the complete cards after it.
 */
function splitCards(text: string, warnings: WarningSink): CardLines[] {
  const physical = text.split(/\r\n|\r|\n/);
  const cards: CardLines[] = [];
  let current: CardLines | undefined;
  let nestedDepth = 0;
  physical.forEach((line, index) => {
    const marker = line.trim().toUpperCase();
    if (marker === 'BEGIN:VCARD') {
      if (current === undefined) current = { startLine: index + 1, lines: [] };
      // vCard 2.1 AGENT embeds a whole card inside another: not a contact of its own.
      else if (nestedDepth > 0 || opensEmbeddedCard(current.lines)) nestedDepth += 1;
      else {
        warnings.add('truncated_card', `the card starting on line ${current.startLine} has no END:VCARD; it was read up to the next card`, current.startLine);
        cards.push(current);
        current = { startLine: index + 1, lines: [] };
      }
      return;
    }
    if (marker === 'END:VCARD') {
      if (nestedDepth > 0) nestedDepth -= 1;
      else if (current !== undefined) {
        cards.push(current);
        current = undefined;
      }
      return;
    }
    if (current !== undefined && nestedDepth === 0) current.lines.push(line);
  });
  if (current !== undefined) {
    warnings.add('truncated_card', 'the file ends inside a card (no END:VCARD); the card was read as far as it goes', current.startLine);
    cards.push(current);
  }
  return cards;
}

function isQuotedPrintableLine(line: string): boolean {
  const colon = line.indexOf(':');
  return colon > 0 && /QUOTED-PRINTABLE/i.test(line.slice(0, colon));
}

/**
 * Logical lines from physical ones. 3.0/4.0 fold by CRLF + one space that unfolding removes; 2.1 folds
 * at existing whitespace, which stays. QUOTED-PRINTABLE values in 2.1 continue after a soft line break
 * (`=` at the end of the line) on a line that need not start with whitespace.
 */
function unfold(lines: string[], version: string): string[] {
  const logical: string[] = [];
  let current: string | undefined;
  let softBreak = false;
  for (const line of lines) {
    if (current !== undefined && softBreak) {
      current = current.slice(0, -1) + line.trimStart();
      softBreak = current.endsWith('=');
      continue;
    }
    if (current !== undefined && (line.startsWith(' ') || line.startsWith('\t'))) {
      current += version === '2.1' ? line : line.slice(1);
      softBreak = current.endsWith('=') && isQuotedPrintableLine(current);
      continue;
    }
    if (current !== undefined) logical.push(current);
    if (line.trim() === '') {
      current = undefined;
      softBreak = false;
      continue;
    }
    current = line;
    softBreak = current.endsWith('=') && isQuotedPrintableLine(current);
  }
  if (current !== undefined) logical.push(current);
  return logical;
}

/**
 * `item1.TEL;TYPE="voice,cell";PREF=1:value`, honouring quotes around parameter values. Properties we
 * do not read come back undefined before their parameters are parsed.
 */
function parsePropertyLine(line: string): VCardProperty | undefined {
  let index = 0;
  while (index < line.length && line[index] !== ';' && line[index] !== ':') index += 1;
  if (index >= line.length) return undefined;
  const fullName = line.slice(0, index).trim();
  const dot = fullName.lastIndexOf('.');
  const group = dot > 0 ? fullName.slice(0, dot) : undefined;
  const name = (dot > 0 ? fullName.slice(dot + 1) : fullName).toUpperCase();
  if (!wantedProperties.has(name)) return undefined;
  const params = new Map<string, string[]>();
  const bareParams: string[] = [];
  while (line[index] === ';') {
    index += 1;
    let raw = '';
    let quoted = false;
    while (index < line.length && (quoted || (line[index] !== ';' && line[index] !== ':'))) {
      const char = line[index] ?? '';
      if (char === '"') quoted = !quoted;
      raw += char;
      index += 1;
    }
    const equals = raw.indexOf('=');
    if (equals < 0) {
      if (raw.trim() !== '') bareParams.push(raw.trim().toUpperCase());
      continue;
    }
    const key = raw.slice(0, equals).trim().toUpperCase();
    const values = splitParamValues(raw.slice(equals + 1));
    const known = params.get(key);
    if (known === undefined) params.set(key, values);
    else known.push(...values);
  }
  if (line[index] !== ':') return undefined;
  const property: VCardProperty = { name, params, bareParams, value: line.slice(index + 1) };
  if (group !== undefined) property.group = group.toUpperCase();
  return property;
}

function splitParamValues(raw: string): string[] {
  const values: string[] = [];
  for (const match of raw.matchAll(/"([^"]*)"|([^,]+)/g)) {
    const value = (match[1] ?? match[2] ?? '').trim();
    if (value !== '') values.push(value);
  }
  return values;
}

function propertyEncoding(property: VCardProperty): 'quoted-printable' | 'base64' | undefined {
  const declared = [...(property.params.get('ENCODING') ?? []), ...property.bareParams].map((value) => value.toUpperCase());
  if (declared.includes('QUOTED-PRINTABLE')) return 'quoted-printable';
  if (declared.includes('BASE64') || declared.includes('B')) return 'base64';
  return undefined;
}

/** The property's value as text: transfer encoding undone and CHARSET applied, vCard escapes kept. */
function decodedValue(property: VCardProperty, warnings: WarningSink, line: number): string {
  const encoding = propertyEncoding(property);
  if (encoding === undefined) return property.value;
  const bytes = encoding === 'quoted-printable' ? decodeQuotedPrintable(property.value) : decodeBase64(property.value);
  if (bytes === undefined) {
    warnings.add('malformed_value', `${property.name} declares BASE64 but is not base64; read as written`, line);
    return property.value;
  }
  const charset = property.params.get('CHARSET')?.[0];
  // Without CHARSET, old Nokia and Chinese feature phones wrote their own code page: sniff it like a file.
  if (charset === undefined) return decodeText(bytes).text;
  const text = decodeLenient(bytes, charset);
  if (text !== undefined) return text;
  warnings.add('unknown_charset', `${property.name} declares CHARSET=${charset}, which this runtime cannot decode; read as UTF-8`, line);
  return decodeLenient(bytes, 'utf-8') ?? '';
}

/** Splits a structured value (N, ORG) on unescaped `;`, then undoes escapes in each component. */
function splitStructured(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] ?? '';
    if (char === '\\' && index + 1 < value.length) {
      current += char + (value[index + 1] ?? '');
      index += 1;
    } else if (char === ';') {
      parts.push(unescapeText(current));
      current = '';
    } else current += char;
  }
  parts.push(unescapeText(current));
  return parts;
}

export function unescapeText(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\([\\,;:nN])/g, (_, escaped: string) => (escaped === 'n' || escaped === 'N' ? '\n' : escaped));
}

function phoneTypes(property: VCardProperty, groupLabels: Map<string, string>): string | undefined {
  const labels = [...(property.params.get('TYPE') ?? []), ...property.bareParams.filter((value) => !/^(QUOTED-PRINTABLE|BASE64|B|8BIT|7BIT)$/.test(value))];
  if (property.group !== undefined) {
    const groupLabel = groupLabels.get(property.group);
    if (groupLabel !== undefined) labels.push(groupLabel);
  }
  const types: string[] = [];
  for (const label of labels.flatMap((value) => value.split(','))) {
    const type = phoneTypeFromLabel(label);
    if (type !== undefined && !types.includes(type)) types.push(type);
  }
  return types.length > 0 ? types.join(',') : undefined;
}

function cardToContact(card: CardLines, record: number, warnings: WarningSink): RawContact {
  const versionLine = card.lines.find((line) => /^VERSION:/i.test(line));
  const version = versionLine?.slice(8).trim() ?? '3.0';
  const properties: VCardProperty[] = [];
  for (const line of unfold(card.lines, version)) {
    const property = parsePropertyLine(line);
    if (property !== undefined) properties.push(property);
  }
  // Apple writes the label of a grouped TEL as a separate property: item1.TEL + item1.X-ABLabel.
  const groupLabels = new Map<string, string>();
  for (const property of properties) {
    if (property.name === 'X-ABLABEL' && property.group !== undefined) groupLabels.set(property.group, unescapeText(decodedValue(property, warnings, card.startLine)).trim());
  }
  let formattedName = '';
  let structuredName = '';
  let nickname = '';
  let org: string | undefined;
  const phones: RawPhone[] = [];
  const emails: string[] = [];
  for (const property of properties) {
    const value = decodedValue(property, warnings, card.startLine);
    switch (property.name) {
      case 'FN':
        if (formattedName === '') formattedName = unescapeText(value).trim();
        break;
      case 'N': {
        if (structuredName !== '') break;
        const [family, given, middle, , suffix] = splitStructured(value);
        structuredName = composeName({ family, given, middle, suffix });
        break;
      }
      case 'NICKNAME':
        if (nickname === '') nickname = unescapeText(value).split(',')[0]?.trim() ?? '';
        break;
      case 'ORG':
        if (org === undefined) {
          const company = splitStructured(value).map((part) => part.trim()).filter((part) => part !== '').join(' ');
          if (company !== '') org = company;
        }
        break;
      case 'EMAIL': {
        const email = unescapeText(value).trim();
        if (email !== '') emails.push(email);
        break;
      }
      case 'TEL': {
        const raw = unescapeText(value).trim();
        if (raw === '') break;
        const type = phoneTypes(property, groupLabels);
        phones.push(type === undefined ? { raw } : { raw, type });
        break;
      }
    }
  }
  const name = formattedName || structuredName || nickname || org || emails[0] || '';
  const contact: RawContact = { record, line: card.startLine, name, phones, emails, raw: name || `vCard at line ${card.startLine}` };
  if (org !== undefined) contact.org = org;
  return contact;
}

export function vcardSource(text: string, warnings: WarningSink): ContactSource {
  const cards = splitCards(text, warnings);
  return {
    total: cards.length,
    *contacts() {
      for (let index = 0; index < cards.length; index += 1) {
        const card = cards[index];
        if (card !== undefined) yield cardToContact(card, index + 1, warnings);
      }
    },
  };
}
