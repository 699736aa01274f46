import { describe, expect, it } from 'vitest';
import { pngSize, svgSize } from '#core/plugins/icon-size.js';
import { parseJsonWithLocation } from '#core/plugins/json-location.js';

describe('parseJsonWithLocation', () => {
  it.each([
    ['{\n  "a": 1,\n}', 3, 1],
    ['{\n  "a": tru\n}', 2, 8],
    ['{"a": 1', 1, 8],
    ['', 1, 1],
    ['{"a": "line\nbreak"}', 1, 12],
  ])('locates the error in %j at line %i, column %i', (text, line, column) => {
    const result = parseJsonWithLocation(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.location).toMatchObject({ line, column });
      expect(result.message).toContain(`line ${line}, column ${column}`);
    }
  });

  it('returns the value of valid JSON', () => {
    expect(parseJsonWithLocation('{"id":"x"}')).toEqual({ ok: true, value: { id: 'x' } });
  });
});

describe('icon size', () => {
  it('reads the viewBox first, then absolute width and height', () => {
    expect(svgSize('<svg viewBox="0 0 24 24" width="48" height="12"/>')).toEqual({ ok: true, width: 24, height: 24 });
    expect(svgSize("<svg width='32px' height='16'>")).toEqual({ ok: true, width: 32, height: 16 });
    expect(svgSize('<svg width="100%" height="100%">')).toMatchObject({ ok: false });
    expect(svgSize('<svg viewBox="0 0 -1 4">')).toMatchObject({ ok: false });
    expect(svgSize('<html></html>')).toMatchObject({ ok: false });
  });

  it('reads a PNG header and refuses other bytes', () => {
    const png = new Uint8Array(33);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(png.buffer).setUint32(16, 300);
    new DataView(png.buffer).setUint32(20, 200);
    expect(pngSize(png)).toEqual({ ok: true, width: 300, height: 200 });
    expect(pngSize(new TextEncoder().encode('GIF89a........................'))).toMatchObject({ ok: false });
  });
});
