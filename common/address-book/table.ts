// Rows and columns (CSV and XLSX alike) to contacts: find the header row, tell name, phone, e-mail and
// company columns apart by keywords in whatever language the exporting product used.
import { composeName, phoneTypeFromLabel } from './normalize.js';
import type { ContactSource, RawContact, RawPhone, WarningSink } from './types.js';

export interface TableCell {
  text: string;
  /** A spreadsheet number cell, whose digits are exact but which lost any leading `+`. */
  numeric?: boolean;
}

export interface TableRow {
  /** 1-based line of the CSV file or row of the sheet. */
  line: number;
  cells: TableCell[];
}

type NamePart = 'fullName' | 'given' | 'middle' | 'family' | 'nickname' | 'prefix' | 'suffix';

type ColumnRole =
  | { kind: 'phone'; type?: string; typeKey?: string }
  | { kind: 'phoneType'; typeKey: string }
  | { kind: 'email' }
  | { kind: 'org' }
  | { kind: NamePart };

const namePartsByHeader = new Map<string, NamePart>([
  ...['name', 'full name', 'fullname', 'display name', 'contact name', 'contact', '姓名', '名称', '全名', '显示名', '显示名称', '联系人', '联系人姓名', '联系人名称', 'anzeigename', 'vollständiger name', 'nom complet', 'nom et prénom', 'nombre completo', 'nome completo', '氏名', '名前', '이름', 'имя и фамилия', 'фио'].map((header) => [header, 'fullName'] as const),
  ...['first name', 'firstname', 'given name', 'givenname', '名', '名字', 'vorname', 'prénom', 'prenom', 'nombre', 'nome', 'имя'].map((header) => [header, 'given'] as const),
  ...['middle name', 'additional name', '中间名', '中间名字', 'weitere vornamen', 'zweiter vorname', 'deuxième prénom', 'segundo nombre'].map((header) => [header, 'middle'] as const),
  ...['last name', 'lastname', 'family name', 'surname', '姓', '姓氏', 'nachname', 'nom', 'nom de famille', 'apellido', 'apellidos', 'cognome', 'фамилия'].map((header) => [header, 'family'] as const),
  ...['nickname', 'nick name', '昵称', 'spitzname', 'surnom', 'apodo'].map((header) => [header, 'nickname'] as const),
  ...['title', 'name prefix', 'prefix', '称谓', '称呼', 'anrede'].map((header) => [header, 'prefix'] as const),
  ...['suffix', 'name suffix', '后缀', 'namenszusatz'].map((header) => [header, 'suffix'] as const),
]);

const orgHeaders = new Set(['company', 'organization', 'organisation', 'organization 1 - name', 'organization name', 'company name', '公司', '单位', '公司名称', '单位名称', '工作单位', 'firma', 'unternehmen', 'société', 'entreprise', 'empresa', 'azienda', '会社', '회사']);

const phoneKeywords = /(phone|mobile|\bcell|\btel\b|\btel\.|telephone|téléphone|telefon|telefono|teléfono|\bhandy\b|\bportable\b|móvil|movil|celular|cellulare|\bfax\b|pager|callback|isdn|电话|手机|传真|呼机|電話|携帯|전화|휴대폰|телефон)/;
const emailKeywords = /(e-?mail|courriel|电子邮件|邮箱|邮件地址|メール|이메일|correo|почта)/;
const typeColumnKeywords = /(\btype\b|\blabel\b|\btyp\b|类型|标签|libellé|tipo)/;
const emailIgnoredKeywords = /(display|type|显示|类型|anzeige)/;
/** Google's `Phone 1 - Value` / `Phone 1 - Type`, also translated. */
const googleColumn = /^(.*?\d+)\s*-\s*(value|wert|valeur|valor|值|type|typ|label|类型|标签|tipo)$/;

function normaliseHeader(header: string): string {
  return header.replace(/^\ufeff/, '').trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*:$/, '');
}

export function classifyHeader(header: string): ColumnRole | undefined {
  const text = normaliseHeader(header);
  if (text === '') return undefined;
  const google = googleColumn.exec(text);
  if (google !== null) {
    const key = google[1] ?? '';
    const isTypeColumn = typeColumnKeywords.test(google[2] ?? '');
    if (phoneKeywords.test(key)) return isTypeColumn ? { kind: 'phoneType', typeKey: key } : { kind: 'phone', typeKey: key };
    if (emailKeywords.test(key)) return isTypeColumn ? undefined : { kind: 'email' };
  }
  if (orgHeaders.has(text)) return { kind: 'org' };
  const namePart = namePartsByHeader.get(text);
  if (namePart !== undefined) return { kind: namePart };
  if (emailKeywords.test(text)) return emailIgnoredKeywords.test(text) ? undefined : { kind: 'email' };
  if (phoneKeywords.test(text) && !typeColumnKeywords.test(text)) {
    const type = phoneTypeFromLabel(text);
    return type === undefined ? { kind: 'phone' } : { kind: 'phone', type };
  }
  return undefined;
}

const digitCount = (text: string): number => text.replace(/\D/g, '').length;

/** Numbers several to a cell: Google joins them with ` ::: `, people with line breaks. */
function splitPhoneCell(text: string): string[] {
  return text
    .split(/\s*:::\s*|\r?\n/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

interface HeaderLayout {
  rowIndex: number;
  roles: (ColumnRole | undefined)[];
}

/**
 * The header is the first row with a phone column and no cell that looks like a number; title rows
 * ("My contacts, exported 2024") above it are skipped.
 */
function findHeader(rows: TableRow[], minimumColumns = 1): HeaderLayout | undefined {
  const searchLimit = Math.min(rows.length, 30);
  for (let rowIndex = 0; rowIndex < searchLimit; rowIndex += 1) {
    const cells = rows[rowIndex]?.cells ?? [];
    if (cells.filter((cell) => cell.text.trim() !== '').length < minimumColumns) continue;
    if (cells.some((cell) => cell.numeric === true || digitCount(cell.text) >= 7)) continue;
    const roles = cells.map((cell) => classifyHeader(cell.text));
    if (roles.some((role) => role?.kind === 'phone')) return { rowIndex, roles };
  }
  return undefined;
}

const isBlankRow = (row: TableRow): boolean => row.cells.every((cell) => cell.text.trim() === '');

function rowSummary(row: TableRow): string {
  return row.cells
    .map((cell) => cell.text.trim())
    .filter((text) => text !== '')
    .join(', ')
    .slice(0, 200);
}

function rowToContact(row: TableRow, record: number, roles: (ColumnRole | undefined)[]): RawContact {
  const parts: Partial<Record<NamePart, string>> = {};
  const phones: RawPhone[] = [];
  const emails: string[] = [];
  let org: string | undefined;
  const typesByKey = new Map<string, string>();
  roles.forEach((role, column) => {
    const text = row.cells[column]?.text.trim() ?? '';
    if (role?.kind === 'phoneType' && text !== '') {
      const type = phoneTypeFromLabel(text.replace(/^\*\s*/, ''));
      if (type !== undefined) typesByKey.set(role.typeKey, type);
    }
  });
  roles.forEach((role, column) => {
    const cell = row.cells[column];
    const text = cell?.text.trim() ?? '';
    if (role === undefined || text === '') return;
    switch (role.kind) {
      case 'phone': {
        const type = role.type ?? (role.typeKey === undefined ? undefined : typesByKey.get(role.typeKey));
        for (const raw of splitPhoneCell(text)) {
          const phone: RawPhone = { raw };
          if (type !== undefined) phone.type = type;
          if (cell?.numeric === true) phone.fromNumericCell = true;
          phones.push(phone);
        }
        break;
      }
      case 'email':
        for (const email of text.split(/\s*:::\s*/)) if (email !== '') emails.push(email);
        break;
      case 'org':
        org ??= text;
        break;
      case 'phoneType':
        break;
      default:
        parts[role.kind] ??= text;
    }
  });
  const name = parts.fullName ?? (composeName(parts) || parts.nickname || org || emails[0] || '');
  const contact: RawContact = { record, line: row.line, name, phones, emails, raw: rowSummary(row) };
  if (org !== undefined) contact.org = org;
  return contact;
}

/** Without a header: numbers are the cells that look like numbers, the name is the first other cell. */
function headerlessRowToContact(row: TableRow, record: number): RawContact {
  const phones: RawPhone[] = [];
  let name = '';
  for (const cell of row.cells) {
    const text = cell.text.trim();
    if (text === '') continue;
    if (cell.numeric === true || (/^[+＋(]?[\d０-９\s().\-/+eE]+$/.test(text) && digitCount(text) >= 5)) {
      phones.push(cell.numeric === true ? { raw: text, fromNumericCell: true } : { raw: text });
    } else if (name === '') name = text;
  }
  return { record, line: row.line, name, phones, emails: [], raw: rowSummary(row) };
}

export function tableSource(rows: TableRow[], warnings: WarningSink): ContactSource {
  const header = findHeader(rows);
  if (header === undefined) warnings.add('no_header', 'no header row with a phone column was found; numbers were recognised by their look');
  const dataRows = rows.slice(header === undefined ? 0 : header.rowIndex + 1).filter((row) => !isBlankRow(row));
  return {
    total: dataRows.length,
    *contacts() {
      for (let index = 0; index < dataRows.length; index += 1) {
        const row = dataRows[index];
        if (row === undefined) continue;
        yield header === undefined ? headerlessRowToContact(row, index + 1) : rowToContact(row, index + 1, header.roles);
      }
    },
  };
}

/**
 * A delimited header row that names a phone column: what tells a CSV apart from a plain list, whose
 * first line may well be a lone "姓名 电话".
 */
export function hasRecognisableHeader(rows: TableRow[]): boolean {
  return findHeader(rows, 2) !== undefined;
}
