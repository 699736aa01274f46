// Which format a file is in, from its bytes first and its name second: people rename files, and Windows
// labels every CSV `application/vnd.ms-excel`.
import { csvSource, detectDelimiter, parseCsv } from './csv.js';
import { decodeLenient, decodeText, looksBinary, sniffBomlessUtf16, type DecodedText } from './encoding.js';
import { hasRecognisableHeader } from './table.js';
import { AddressBookError, type AddressBookFormat, type ContactSource, type ParseOptions, type WarningSink } from './types.js';
import { looksLikeVCard, vcardSource } from './vcard.js';
import { isZip, xlsxSource } from './xlsx.js';
import { textSource } from './text.js';

/** The two signatures of Windows Address Book files (Outlook Express 5+/Windows Contacts, and Win95). */
const wabSignatures = [
  [0x9c, 0xcb, 0xcb, 0x8d, 0x13, 0x75, 0xd2, 0x11, 0x91, 0x58, 0x00, 0xc0, 0x4f, 0x79, 0x56, 0xa4],
  [0x81, 0x32, 0x84, 0xc1, 0x85, 0x05, 0xd0, 0x11, 0xb2, 0x90, 0x00, 0xaa, 0x00, 0x3c, 0xf6, 0x76],
];
const ole2Signature = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const otherBinarySignatures: { signature: number[]; what: string }[] = [
  { signature: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { signature: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { signature: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { signature: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { signature: [0x1f, 0x8b], what: 'a gzip archive' },
];

const exportAdvice = 'Export your contacts as vCard (.vcf) or CSV and import that file instead.';

function hasSignature(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((byte, index) => bytes[index] === byte);
}

function extensionOf(fileName: string | undefined): string {
  const match = fileName === undefined ? null : /\.([A-Za-z0-9]+)$/.exec(fileName);
  return match === null ? '' : (match[1] ?? '').toLowerCase();
}

/** Binary formats we recognise but do not read: a typed error whose message says what to do instead. */
function rejectUnsupportedBinary(bytes: Uint8Array, extension: string): void {
  if (extension === 'wab' || wabSignatures.some((signature) => hasSignature(bytes, signature))) {
    throw new AddressBookError(
      'unsupported_format',
      'This is a Windows Address Book (.wab) file, a binary database Switchboard cannot read. In Windows Contacts or Outlook Express choose File → Export → vCards (folder of .vcf files) or CSV (Comma Separated Values), then import that file.',
    );
  }
  if (hasSignature(bytes, ole2Signature)) {
    throw new AddressBookError(
      'unsupported_format',
      extension === 'xls' || extension === ''
        ? 'This is a legacy Excel workbook (.xls), which Switchboard cannot read. Open it in Excel, LibreOffice or WPS and save it as .xlsx or CSV (UTF-8), or ' + exportAdvice.charAt(0).toLowerCase() + exportAdvice.slice(1)
        : `This is a legacy Microsoft Office binary file (.${extension}), which Switchboard cannot read. ${exportAdvice}`,
    );
  }
  for (const { signature, what } of otherBinarySignatures) {
    if (hasSignature(bytes, signature)) throw new AddressBookError('unsupported_format', `This file is ${what}, not an address book. ${exportAdvice}`);
  }
}

/** A CHARSET a vCard declares, used to decode the whole file when it is not UTF-8 (phones writing raw GBK or Big5). */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const sample = decodeLenient(bytes.subarray(0, 65536), 'windows-1252') ?? '';
  for (const match of sample.matchAll(/CHARSET=([A-Za-z0-9_-]+)/gi)) {
    const charset = (match[1] ?? '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') return charset;
  }
  return undefined;
}

function formatFromHints(extension: string, mimeType: string | undefined): AddressBookFormat | undefined {
  if (extension === 'vcf' || extension === 'vcard' || /vcard/i.test(mimeType ?? '')) return 'vcard';
  if (extension === 'csv' || extension === 'tsv' || /text\/(csv|tab-separated-values)/i.test(mimeType ?? '')) return 'csv';
  return undefined;
}

export interface DetectedSource {
  format: AddressBookFormat;
  encoding: string;
  /** The plausible encodings, when the guess was uncertain. */
  encodingChoices?: string[];
  source: ContactSource;
}

export function openAddressBook(bytes: Uint8Array, options: ParseOptions, warnings: WarningSink): DetectedSource {
  if (bytes.length === 0) throw new AddressBookError('empty_file', 'The file is empty.');
  const extension = extensionOf(options.fileName);
  rejectUnsupportedBinary(bytes, extension);

  if (isZip(bytes)) {
    if (options.format !== undefined && options.format !== 'xlsx') {
      throw new AddressBookError('unsupported_format', `This file is a ZIP archive, not ${options.format}. ${exportAdvice}`);
    }
    if (extension === 'ods' || extension === 'numbers') {
      throw new AddressBookError('unsupported_format', `.${extension} spreadsheets cannot be read. Save the sheet as .xlsx or CSV, or ${exportAdvice.charAt(0).toLowerCase()}${exportAdvice.slice(1)}`);
    }
    return { format: 'xlsx', encoding: 'utf-8', source: xlsxSource(bytes, warnings) };
  }
  if (options.format === 'xlsx') throw new AddressBookError('corrupt_file', 'This file is not an .xlsx workbook (no ZIP container).');
  if (sniffBomlessUtf16(bytes) === undefined && !(bytes[0] === 0xff && bytes[1] === 0xfe) && !(bytes[0] === 0xfe && bytes[1] === 0xff) && looksBinary(bytes)) {
    throw new AddressBookError('unsupported_format', `This is a binary file, not a text address book. ${exportAdvice}`);
  }

  const decodeHints: { forced?: string; declared?: string } = {};
  if (options.encoding !== undefined) {
    if (decodeLenient(new Uint8Array(0), options.encoding) === undefined) {
      throw new AddressBookError('unknown_encoding', `"${options.encoding}" is not a text encoding this program knows (e.g. utf-8, gb18030, big5, shift_jis, euc-kr, windows-1252)`);
    }
    decodeHints.forced = options.encoding;
  }
  const declared = declaredCharset(bytes);
  if (declared !== undefined) decodeHints.declared = declared;
  const decoded: DecodedText = decodeText(bytes, decodeHints);
  if (decoded.text.trim() === '') throw new AddressBookError('empty_file', 'The file contains no text.');
  // Only an uncertain guess is worth a warning, and it comes with the choices to pick from.
  const uncertain = decoded.guessed && decoded.uncertain === true;
  if (uncertain) warnings.add('encoding_guessed', `the file is not UTF-8 and its encoding is uncertain; read it as ${decoded.encoding}. If names look wrong, choose another: ${(decoded.candidates ?? []).join(', ')}`);

  const format = options.format ?? (looksLikeVCard(decoded.text) ? 'vcard' : formatFromHints(extension, options.mimeType) ?? sniffTextFormat(decoded.text));
  if (format === 'vcard' && !looksLikeVCard(decoded.text)) {
    throw new AddressBookError('unrecognised_format', 'The file is named as a vCard but contains no BEGIN:VCARD. ' + exportAdvice);
  }
  const source = format === 'vcard' ? vcardSource(decoded.text, warnings) : format === 'csv' ? csvSource(decoded.text, warnings) : textSource(decoded.text, warnings);
  return uncertain && decoded.candidates !== undefined ? { format, encoding: decoded.encoding, encodingChoices: decoded.candidates, source } : { format, encoding: decoded.encoding, source };
}

/** A .txt or nameless file is CSV when a delimited header names a phone column; a plain list otherwise. */
function sniffTextFormat(text: string): AddressBookFormat {
  const head = text.slice(0, 16384);
  const delimiter = detectDelimiter(head);
  return hasRecognisableHeader(parseCsv(head, delimiter).slice(0, 30)) && head.includes(delimiter) ? 'csv' : 'text';
}
