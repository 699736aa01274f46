// XLSX (Office Open XML spreadsheets): a ZIP of XML parts. We read only the first sheet and the shared
// strings with a small scanner, since pure code has no DOMParser and a sheet is a flat, regular format.
import { unzipSync } from 'fflate';
import { tableSource, type TableCell, type TableRow } from './table.js';
import { AddressBookError, type ContactSource, type WarningSink } from './types.js';

/** No address book needs a sheet this large uncompressed; beyond it, a ZIP bomb is the likelier story. */
const maxPartBytes = 128 * 1024 * 1024;

const workbookPart = 'xl/workbook.xml';
const workbookRelsPart = 'xl/_rels/workbook.xml.rels';
const sharedStringsPart = 'xl/sharedStrings.xml';

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function readParts(bytes: Uint8Array, wanted: (name: string) => boolean): Record<string, Uint8Array> {
  let oversized: string | undefined;
  try {
    const parts = unzipSync(bytes, {
      filter: (file) => {
        if (!wanted(file.name)) return false;
        if (file.originalSize > maxPartBytes) {
          oversized = file.name;
          return false;
        }
        return true;
      },
    });
    if (oversized !== undefined) throw new AddressBookError('too_large', `${oversized} is larger than ${maxPartBytes / 1024 / 1024} MB uncompressed`);
    return parts;
  } catch (error) {
    if (error instanceof AddressBookError) throw error;
    throw new AddressBookError('corrupt_file', 'the spreadsheet is damaged: its ZIP container cannot be read. Open it in a spreadsheet program and save it again, or export CSV.');
  }
}

const utf8 = new TextDecoder('utf-8');

function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (entity, body: string) => {
    if (body.startsWith('#x')) return safeCodePoint(parseInt(body.slice(2), 16), entity);
    if (body.startsWith('#')) return safeCodePoint(parseInt(body.slice(1), 10), entity);
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[body] ?? entity;
  });
}

function safeCodePoint(codePoint: number, fallback: string): string {
  return Number.isInteger(codePoint) && codePoint >= 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : fallback;
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return match === null ? undefined : decodeXmlEntities(match[2] ?? match[3] ?? '');
}

/** The text of an `<si>` or `<is>`: all `<t>` runs, without the phonetic guides (`<rPh>`) Japanese files carry. */
function richText(xml: string): string {
  const withoutPhonetics = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  let text = '';
  for (const match of withoutPhonetics.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)) text += match[1] ?? '';
  return decodeXmlEntities(text);
}

function readSharedStrings(xml: string | undefined): string[] {
  if (xml === undefined) return [];
  return [...xml.matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)].map((match) => richText(match[1] ?? ''));
}

/** The path of the first sheet in workbook order, through the workbook relationships. */
function firstSheetPath(workbookXml: string | undefined, relsXml: string | undefined): string | undefined {
  const sheetTag = workbookXml === undefined ? null : /<(?:\w+:)?sheet\s[^>]*>/.exec(workbookXml);
  const relationId = sheetTag === null ? undefined : attribute(sheetTag[0], 'r:id');
  if (relationId === undefined || relsXml === undefined) return undefined;
  for (const match of relsXml.matchAll(/<Relationship\s[^>]*>/g)) {
    if (attribute(match[0], 'Id') !== relationId) continue;
    const target = attribute(match[0], 'Target');
    if (target === undefined) return undefined;
    return target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
  }
  return undefined;
}

/** `C12` → column index 2. */
function columnIndex(reference: string | undefined): number | undefined {
  const letters = reference === undefined ? null : /^([A-Z]+)\d*$/i.exec(reference);
  if (letters === null) return undefined;
  let index = 0;
  for (const letter of (letters[1] ?? '').toUpperCase()) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

/**
 * A number cell's text. Excel stores doubles; writers spell big ones as `8.6138001380000E+12`, but the
 * stored value is exact, so expanding the exponent restores the digits a phone number needs.
 */
function numericCellText(value: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(value.trim());
  if (match === null) return value.trim();
  const integer = match[2] ?? '';
  const fraction = match[3] ?? '';
  const exponent = Number(match[4]);
  if (exponent < fraction.length) return value.trim();
  return `${match[1] ?? ''}${(integer + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '')}`;
}

function readSheetRows(xml: string, sharedStrings: string[]): TableRow[] {
  const rows: TableRow[] = [];
  let implicitRowNumber = 0;
  for (const rowMatch of xml.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const rowNumber = Number(attribute(rowMatch[1] ?? '', 'r') ?? implicitRowNumber + 1);
    implicitRowNumber = Number.isFinite(rowNumber) ? rowNumber : implicitRowNumber + 1;
    const cells: TableCell[] = [];
    let implicitColumn = 0;
    for (const cellMatch of (rowMatch[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attributes = cellMatch[1] ?? '';
      const column = columnIndex(attribute(attributes, 'r')) ?? implicitColumn;
      implicitColumn = column + 1;
      const body = cellMatch[2] ?? '';
      const type = attribute(attributes, 't') ?? 'n';
      const value = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      let cell: TableCell;
      if (type === 's') cell = { text: sharedStrings[Number(value)] ?? '' };
      else if (type === 'inlineStr') cell = { text: richText(/<is>([\s\S]*?)<\/is>/.exec(body)?.[1] ?? '') };
      else if (type === 'n' && value !== undefined) cell = { text: numericCellText(value), numeric: true };
      else cell = { text: decodeXmlEntities(value ?? '') };
      while (cells.length < column) cells.push({ text: '' });
      cells[column] = cell;
    }
    rows.push({ line: implicitRowNumber, cells });
  }
  return rows;
}

export function xlsxSource(bytes: Uint8Array, warnings: WarningSink): ContactSource {
  const meta = readParts(bytes, (name) => name === workbookPart || name === workbookRelsPart || name === sharedStringsPart);
  const text = (part: Uint8Array | undefined): string | undefined => (part === undefined ? undefined : utf8.decode(part));
  const workbookXml = text(meta[workbookPart]);
  if (workbookXml === undefined) {
    throw new AddressBookError('unsupported_format', 'this ZIP archive is not an Excel workbook (.xlsx). Export your contacts as vCard (.vcf) or CSV instead.');
  }
  let sheetPath = firstSheetPath(workbookXml, text(meta[workbookRelsPart]));
  if (sheetPath === undefined) {
    warnings.add('first_sheet_guessed', 'the workbook does not say where its first sheet is; read xl/worksheets/sheet1.xml');
    sheetPath = 'xl/worksheets/sheet1.xml';
  }
  const wantedSheet = sheetPath;
  const sheetXml = text(readParts(bytes, (name) => name === wantedSheet)[wantedSheet]);
  if (sheetXml === undefined) throw new AddressBookError('corrupt_file', `the workbook names ${wantedSheet} as its first sheet, but the file does not contain it`);
  return tableSource(readSheetRows(sheetXml, readSharedStrings(text(meta[sharedStringsPart]))), warnings);
}
