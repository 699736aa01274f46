import type { attachmentTypes } from '#common/contract/messages.js';

type AttachmentType = (typeof attachmentTypes)[number];

const startsWith = (bytes: Buffer, signature: number[], offset = 0) => signature.every((byte, index) => bytes[offset + index] === byte);
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/**
 * The type of a file from its first bytes (magic numbers); the client's Content-Type is only a claim.
 * Text is valid UTF-8 without NUL bytes. Anything else is not recognised.
 */
export function sniffContentType(head: Buffer): AttachmentType | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'application/zip';
  if (head.length > 0 && !head.includes(0) && isUtf8Prefix(head)) return 'text/plain';
  return undefined;
}

/** Valid UTF-8, allowing a character cut at the end of the sample. */
function isUtf8Prefix(sample: Buffer): boolean {
  for (let cut = 0; cut < 4 && cut < sample.length; cut += 1) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cut));
      return true;
    } catch {
      // Try without the last bytes: the sample may end inside a character.
    }
  }
  return false;
}
