/** Reads an icon's intrinsic size without an image library: SVG attributes or the PNG IHDR chunk. */
export type IconSize = { ok: true; width: number; height: number } | { ok: false; reason: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngSize(bytes: Uint8Array): IconSize {
  // Signature (8 bytes), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4), big-endian.
  if (bytes.length < 24 || PNG_SIGNATURE.some((byte, index) => bytes[index] !== byte)) {
    return { ok: false, reason: 'is not a PNG file (bad signature)' };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    return { ok: false, reason: 'is not a valid PNG (first chunk is not IHDR)' };
  }
  return { ok: true, width: view.getUint32(16), height: view.getUint32(20) };
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return match === null ? undefined : (match[1] ?? match[2]);
}

/** Absolute lengths only: a percentage says nothing about the drawing's proportions. */
function length(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$/.exec(value);
  return match === null ? undefined : Number(match[1]);
}

export function svgSize(text: string): IconSize {
  const tag = /<svg\b[^>]*>/i.exec(text)?.[0];
  if (tag === undefined) return { ok: false, reason: 'is not an SVG file (no <svg> element)' };
  const viewBox = attribute(tag, 'viewBox');
  if (viewBox !== undefined) {
    const numbers = viewBox.trim().split(/[\s,]+/).map(Number);
    const [, , width, height] = numbers;
    if (numbers.length !== 4 || numbers.some(Number.isNaN) || width === undefined || height === undefined || width <= 0 || height <= 0) {
      return { ok: false, reason: `has an invalid viewBox "${viewBox}"` };
    }
    return { ok: true, width, height };
  }
  const width = length(attribute(tag, 'width'));
  const height = length(attribute(tag, 'height'));
  if (width === undefined || height === undefined) {
    return { ok: false, reason: 'has neither a viewBox nor absolute width and height' };
  }
  return { ok: true, width, height };
}

export function iconSize(fileName: string, bytes: Uint8Array): IconSize {
  if (/\.png$/i.test(fileName)) return pngSize(bytes);
  return svgSize(new TextDecoder('utf-8').decode(bytes));
}
