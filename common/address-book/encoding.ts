// Text decoding for address books written by phones, Outlook, Foxmail and spreadsheets over two decades:
// UTF-8 with or without BOM, UTF-16 with or without BOM, and the legacy code pages: GB18030, Big5,
// Shift_JIS, EUC-KR and the Windows single-byte pages (see legacy-encodings.ts for how they are told apart).
import { isClearWinner, legacyEncodings, rankDecodings } from './legacy-encodings.js';

export interface DecodedText {
  text: string;
  /** WHATWG label of the encoding used. */
  encoding: string;
  /** True when nothing in the file proved the encoding and we fell back on a guess. */
  guessed: boolean;
  /** True when another reading was nearly as plausible: the user should be offered `candidates`. */
  uncertain?: boolean;
  /** The encodings that read the file without error, most plausible first (only for a guess). */
  candidates?: string[];
}

const utf8Bom = [0xef, 0xbb, 0xbf];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

/** What we use of a TextDecoder; spelled out because Node's typings declare TextDecoder as a value only. */
interface Decoder {
  readonly encoding: string;
  decode(input: Uint8Array, options?: { stream?: boolean }): string;
}

/** A decoder for `label`, or undefined when this runtime's TextDecoder does not know the label. */
function decoderFor(label: string, fatal: boolean): Decoder | undefined {
  try {
    return new TextDecoder(label, { fatal, ignoreBOM: false });
  } catch {
    return undefined;
  }
}

/** Strict decode: undefined when the bytes are not valid in `label` (or the label is unknown). */
export function tryDecode(bytes: Uint8Array, label: string): string | undefined {
  const decoder = decoderFor(label, true);
  if (decoder === undefined) return undefined;
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Lenient decode with U+FFFD for bad sequences; undefined only for an unknown label. */
export function decodeLenient(bytes: Uint8Array, label: string): string | undefined {
  return decoderFor(label, false)?.decode(bytes);
}

/**
 * UTF-16 without a BOM shows itself by NUL bytes: ASCII text (digits, commas, Latin headers) in UTF-16LE
 * has a NUL in every odd byte, in UTF-16BE in every even byte. Chinese-only text has few NULs, but an
 * address book always has digits and separators.
 */
export function sniffBomlessUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const sampleLength = Math.min(bytes.length, 4096) & ~1;
  if (sampleLength < 4) return undefined;
  let nulAtEven = 0;
  let nulAtOdd = 0;
  for (let index = 0; index < sampleLength; index += 2) {
    if (bytes[index] === 0) nulAtEven += 1;
    if (bytes[index + 1] === 0) nulAtOdd += 1;
  }
  const pairs = sampleLength / 2;
  if (nulAtOdd > pairs * 0.2 && nulAtEven < pairs * 0.02) return 'utf-16le';
  if (nulAtEven > pairs * 0.2 && nulAtOdd < pairs * 0.02) return 'utf-16be';
  return undefined;
}

/** NUL bytes in text that is not UTF-16 mean a binary file. */
export function looksBinary(bytes: Uint8Array): boolean {
  const sampleLength = Math.min(bytes.length, 4096);
  for (let index = 0; index < sampleLength; index += 1) if (bytes[index] === 0) return true;
  return false;
}

export interface DecodeHints {
  /** An encoding the caller forces. */
  forced?: string;
  /** An encoding the content declares (a vCard CHARSET), tried before the GB18030 guess. */
  declared?: string;
}

/**
 * BOM first, then BOM-less UTF-16, then strict UTF-8 (legacy code pages almost never form valid UTF-8
 * by accident), then what the content declares, then GB18030 (a superset of GB2312/GBK, which Chinese
 * Outlook and Foxmail write), and Windows-1252 as the last resort.
 */
export function decodeText(bytes: Uint8Array, hints: DecodeHints = {}): DecodedText {
  if (hints.forced !== undefined) {
    const forcedText = decodeLenient(bytes, hints.forced);
    if (forcedText !== undefined) return { text: stripBom(forcedText), encoding: canonicalLabel(hints.forced), guessed: false };
  }
  if (startsWith(bytes, utf8Bom)) return { text: decodeLenient(bytes.subarray(3), 'utf-8') ?? '', encoding: 'utf-8', guessed: false };
  if (startsWith(bytes, [0xff, 0xfe])) return { text: decodeLenient(bytes.subarray(2), 'utf-16le') ?? '', encoding: 'utf-16le', guessed: false };
  if (startsWith(bytes, [0xfe, 0xff])) return { text: decodeLenient(bytes.subarray(2), 'utf-16be') ?? '', encoding: 'utf-16be', guessed: false };
  const bomless = sniffBomlessUtf16(bytes);
  if (bomless !== undefined) return { text: decodeLenient(bytes, bomless) ?? '', encoding: bomless, guessed: false };
  const utf8 = tryDecode(bytes, 'utf-8');
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8', guessed: false };
  if (hints.declared !== undefined) {
    const declaredText = tryDecode(bytes, hints.declared);
    if (declaredText !== undefined) return { text: declaredText, encoding: canonicalLabel(hints.declared), guessed: false };
  }
  return guessLegacyEncoding(bytes);
}

/** Bytes of a file to score: enough for a few hundred names, so a 5 MB file is not decoded eight times over. */
const scoringSampleBytes = 64 * 1024;

/** Every legacy code page that reads the file without error, scored on a sample; the best one wins. */
function guessLegacyEncoding(bytes: Uint8Array): DecodedText {
  const sample = bytes.subarray(0, scoringSampleBytes);
  const readings: { encoding: string; text: string }[] = [];
  for (const encoding of legacyEncodings) {
    const text = tryDecodeSample(sample, encoding, sample.length < bytes.length);
    if (text !== undefined) readings.push({ encoding, text });
  }
  const ranked = rankDecodings(readings);
  for (const candidate of ranked) {
    // The sample read cleanly; the whole file must too, or the next candidate is tried.
    const text = tryDecode(bytes, candidate.encoding);
    if (text === undefined) continue;
    return { text, encoding: candidate.encoding, guessed: true, uncertain: !isClearWinner(ranked), candidates: ranked.map((entry) => entry.encoding) };
  }
  return { text: decodeLenient(bytes, 'windows-1252') ?? '', encoding: 'windows-1252', guessed: true, uncertain: true, candidates: ranked.map((entry) => entry.encoding) };
}

/** Strict decode of a sample that may end inside a multi-byte character when it was cut from a longer file. */
function tryDecodeSample(sample: Uint8Array, label: string, truncated: boolean): string | undefined {
  const decoder = decoderFor(label, true);
  if (decoder === undefined) return undefined;
  try {
    return decoder.decode(sample, { stream: truncated });
  } catch {
    return undefined;
  }
}

/**
 * Windows-1252 text ("José Müller") is often valid GB18030 too, since a GBK trail byte may be ASCII.
 * The two differ in shape: Chinese text is runs of high-byte pairs (GB2312 trail bytes are 0xA1–0xFE),
 * Western text has high bytes standing alone between ASCII letters.
 */
export function looksSingleByte(bytes: Uint8Array): boolean {
  let pairs = 0;
  let isolated = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index] ?? 0;
    if (byte < 0x80) continue;
    const next = bytes[index + 1] ?? 0;
    if (next >= 0x80) {
      pairs += 1;
      index += 1;
    } else isolated += 1;
  }
  return isolated > pairs;
}

/** The WHATWG name of a label (`GB2312` → `gbk`), or the label lower-cased when unknown. */
export function canonicalLabel(label: string): string {
  return decoderFor(label, false)?.encoding ?? label.toLowerCase();
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const textEncoder = new TextEncoder();

/**
 * QUOTED-PRINTABLE to bytes. The payload is ASCII by definition, but phones do write raw UTF-8 inside
 * QP values, so anything else is re-encoded as UTF-8 rather than lost. A malformed `=` escape is kept literally.
 */
export function decodeQuotedPrintable(value: string): Uint8Array {
  const bytes: number[] = [];
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] ?? '';
    if (char === '=') {
      const hex = value.slice(index + 1, index + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        index += 2;
        continue;
      }
    }
    const code = value.charCodeAt(index);
    if (code < 0x80) bytes.push(code);
    else for (const byte of textEncoder.encode(char)) bytes.push(byte);
  }
  return Uint8Array.from(bytes);
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Values = new Map<string, number>([...base64Alphabet].map((char, index) => [char, index]));

/** Base64 (and URL-safe base64) to bytes, ignoring whitespace; undefined when it is not base64. */
export function decodeBase64(value: string): Uint8Array | undefined {
  const clean = value.replace(/[\s=]+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const sextet = base64Values.get(char);
    if (sextet === undefined) return undefined;
    buffer = (buffer << 6) | sextet;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}
