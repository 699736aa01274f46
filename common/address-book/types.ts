/** The address-book formats we read. */
export type AddressBookFormat = 'vcard' | 'csv' | 'text' | 'xlsx';

/** Why a number (or a whole record) did not make it into `entries`. */
export type RejectReason =
  /** A national number, and no default region was given to interpret it. */
  | 'region_required'
  /** Digits, but not a number that exists in the numbering plan. */
  | 'invalid_number'
  /** Not recognisable as a phone number at all. */
  | 'not_a_number'
  /**
   * Written in scientific notation by a spreadsheet (8.61380013800E+12): the trailing digits were rounded
   * away when the file was written, so any number we rebuilt could be someone else's.
   */
  | 'imprecise_number'
  /** A contact with no phone number: nothing to upload for it. */
  | 'no_number'
  /** The user's own number: never listed as one of their contacts. */
  | 'own_number';

export interface AddressBookPhone {
  /** The number in E.164, what the server sees. */
  e164: string;
  /** The number exactly as the file wrote it. */
  raw: string;
  /** Lower-case labels from the file, comma separated: `mobile`, `work`, `home`, `fax`, `pager`, `main`, `other`, or a custom label. */
  type?: string;
}

export interface AddressBookEntry {
  /** Opaque and unique within one import; reveals nothing about the numbers (see refs.ts). */
  ref: string;
  /** Display name; may be empty when the file has none (the UI shows the number then). */
  name: string;
  phones: AddressBookPhone[];
  emails?: string[];
  org?: string;
}

export interface RejectedRecord {
  /** 1-based ordinal of the contact in the file (vCard card, data row, text line). */
  record: number;
  /** 1-based line of the text file or row of the sheet where the record starts. */
  line?: number;
  /** The offending number as written, or the raw record when it has no number. */
  raw: string;
  name?: string;
  reason: RejectReason;
}

export type WarningCode =
  | 'encoding_guessed'
  | 'unknown_charset'
  | 'truncated_card'
  | 'no_header'
  | 'first_sheet_guessed'
  | 'malformed_value'
  | 'too_many_warnings';

export interface AddressBookWarning {
  code: WarningCode;
  message: string;
  line?: number;
}

export interface AddressBookImport {
  format: AddressBookFormat;
  /** WHATWG label of the text encoding the file was read with (`utf-8`, `utf-16le`, `gb18030`…). */
  encoding: string;
  entries: AddressBookEntry[];
  rejected: RejectedRecord[];
  warnings: AddressBookWarning[];
  /**
   * Present when the encoding was guessed and another one was nearly as plausible: the encodings that
   * read the file, most plausible first, for the user to choose from (the CLI's `--encoding`).
   */
  encodingChoices?: string[];
}

export type AddressBookErrorCode =
  /** A format we recognise but cannot read (WAB, legacy .xls, other archives): the message says how to export instead. */
  | 'unsupported_format'
  /** Nothing in the file looks like an address book. */
  | 'unrecognised_format'
  | 'empty_file'
  /** The container is damaged (a ZIP that does not unzip, an XLSX without a sheet). */
  | 'corrupt_file'
  /** Decompressed content beyond what an address book can plausibly need: refuse rather than exhaust memory. */
  | 'too_large'
  /** The default region is not an ISO 3166-1 region libphonenumber knows. */
  | 'unknown_region'
  /** The encoding the caller forced is not a label this runtime's TextDecoder knows. */
  | 'unknown_encoding'
  | 'aborted';

/** The only exception the parser throws on purpose; anything else is a bug. */
export class AddressBookError extends Error {
  readonly code: AddressBookErrorCode;
  constructor(code: AddressBookErrorCode, message: string) {
    super(message);
    this.name = 'AddressBookError';
    this.code = code;
  }
}

export interface ParseOptions {
  /** File name, used for the extension (`.vcf`, `.csv`, `.txt`, `.xlsx`, `.wab`…). */
  fileName?: string;
  /** MIME type from a browser `File` or an HTTP upload: a weak hint only (Windows calls CSV `application/vnd.ms-excel`). */
  mimeType?: string;
  /** ISO region of the user's own number: national numbers in the book are read as numbers of that region. */
  defaultRegion?: string;
  /** Skip detection when the caller knows better. */
  format?: AddressBookFormat;
  /** Force a text encoding (a WHATWG label) when detection guesses wrong, e.g. `big5`. */
  encoding?: string;
}

/** The structural part of `AbortSignal` we use, so pure code need not pull in DOM typings. */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

export interface AsyncParseOptions extends ParseOptions {
  onProgress?(done: number, total: number): void;
  signal?: AbortSignalLike;
}

/** One contact as the file wrote it, before normalisation and merging. */
export interface RawContact {
  record: number;
  line?: number;
  name: string;
  phones: RawPhone[];
  emails: string[];
  org?: string;
  /** The record as text, shown for a contact without any number. */
  raw: string;
}

export interface RawPhone {
  raw: string;
  type?: string;
  /**
   * A spreadsheet number cell: its digits are exact but a leading `+` or `00` was necessarily lost,
   * so an international reading is worth trying.
   */
  fromNumericCell?: boolean;
}

/** Collects warnings without letting a pathological file produce millions of them. */
export class WarningSink {
  readonly list: AddressBookWarning[] = [];
  private dropped = 0;
  constructor(private readonly limit = 100) {}
  add(code: WarningCode, message: string, line?: number): void {
    if (this.list.length < this.limit) {
      this.list.push(line === undefined ? { code, message } : { code, message, line });
      return;
    }
    this.dropped += 1;
  }
  finish(): AddressBookWarning[] {
    if (this.dropped > 0) {
      this.list.push({ code: 'too_many_warnings', message: `${this.dropped} more warnings were not listed` });
      this.dropped = 0;
    }
    return this.list;
  }
}

/**
 * What a format parser hands to the importer: the number of records (known after a cheap first pass
 * over the file, so progress has a total) and the records themselves, produced lazily so the async
 * importer can yield between them.
 */
export interface ContactSource {
  total: number;
  contacts(): Iterable<RawContact>;
}
