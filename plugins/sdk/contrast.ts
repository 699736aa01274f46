/**
 * WCAG 2.x colour contrast, and the adjustment the icon generator makes when a brand colour is too
 * close to one of the app's backgrounds. Pure, so the generator and the browser test that measures
 * the rendered icons compute contrast the same way.
 */
export type Rgb = readonly [number, number, number];

export function parseHex(hex: string): Rgb {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (match === null) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(match[1] ?? '0', 16), parseInt(match[2] ?? '0', 16), parseInt(match[3] ?? '0', 16)];
}

export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}

/** WCAG 2.x relative luminance of an sRGB colour (channels 0-255). */
export function relativeLuminance([r, g, b]: Rgb): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function toHsl([r, g, b]: Rgb): [number, number, number] {
  const [rn, gn, bn] = [r / 255, g / 255, b / 255];
  const max = Math.max(rn, gn, bn);
  const min = Math.min(rn, gn, bn);
  const lightness = (max + min) / 2;
  if (max === min) return [0, 0, lightness];
  const delta = max - min;
  const saturation = lightness > 0.5 ? delta / (2 - max - min) : delta / (max + min);
  const hue = max === rn ? (gn - bn) / delta + (gn < bn ? 6 : 0) : max === gn ? (bn - rn) / delta + 2 : (rn - gn) / delta + 4;
  return [hue / 6, saturation, lightness];
}

function fromHsl([hue, saturation, lightness]: [number, number, number]): Rgb {
  if (saturation === 0) return [lightness * 255, lightness * 255, lightness * 255].map(Math.round) as unknown as Rgb;
  const q = lightness < 0.5 ? lightness * (1 + saturation) : lightness + saturation - lightness * saturation;
  const p = 2 * lightness - q;
  const channel = (t0: number) => {
    const t = t0 < 0 ? t0 + 1 : t0 > 1 ? t0 - 1 : t0;
    if (t < 1 / 6) return p + (q - p) * 6 * t;
    if (t < 1 / 2) return q;
    if (t < 2 / 3) return p + (q - p) * (2 / 3 - t) * 6;
    return p;
  };
  return [channel(hue + 1 / 3), channel(hue), channel(hue - 1 / 3)].map((value) => Math.round(value * 255)) as unknown as Rgb;
}

/** The smallest contrast a colour has against any of the backgrounds. */
export function worstContrast(colour: Rgb, backgrounds: readonly Rgb[]): number {
  return Math.min(...backgrounds.map((background) => contrastRatio(colour, background)));
}

export interface Adjustment {
  colour: Rgb;
  /** How far the HSL lightness moved up (positive) or down (negative), 0 when the brand colour passed. */
  shift: number;
  contrast: number;
}

/**
 * The brand colour itself when it reaches `minimum` against every background; otherwise the nearest colour along the line to white or to black that does (hue kept, lightness
 * moved). Marks sit on the light and the dark theme alike, so one colour must work on both: a
 * mid-tone band exists for 3:1 against near-white and near-black backgrounds.
 */
export function adjustForContrast(brand: Rgb, backgrounds: readonly Rgb[], minimum: number): Adjustment {
  const initial = worstContrast(brand, backgrounds);
  if (initial >= minimum) return { colour: brand, shift: 0, contrast: initial };
  let best: Adjustment | undefined;
  const [hue, saturation, lightness] = toHsl(brand);
  // Hue and saturation stay, so the colour stays the brand's; only lightness moves, the least that works.
  for (const sign of [1, -1] as const) {
    for (let step = 1; step <= 200; step += 1) {
      const shift = (sign * step) / 200;
      const target = lightness + shift;
      if (target < 0 || target > 1) break;
      const colour = fromHsl([hue, saturation, target]);
      const contrast = worstContrast(colour, backgrounds);
      if (contrast >= minimum) {
        if (best === undefined || Math.abs(shift) < Math.abs(best.shift)) best = { colour, shift, contrast };
        break;
      }
    }
  }
  if (best === undefined) throw new Error(`no shade of ${toHex(brand)} reaches ${minimum}:1 against every background`);
  return best;
}
