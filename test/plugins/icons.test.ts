import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adjustForContrast, contrastRatio, parseHex, relativeLuminance, toHex } from '#plugins/sdk/contrast.js';
import { ICON_MIN_CONTRAST, renderIcons, themeBackgrounds } from '#plugins/sdk/generate-icons.js';
import { MARKS } from '#plugins/sdk/icon-marks.js';
import { BUILTIN_PLUGINS_DIR, builtinPluginIds } from './paths.js';

describe('built-in plugin icons', () => {
  it('are the committed output of npm run plugin:icons, one per built-in plugin', () => {
    expect(Object.keys(MARKS).sort()).toEqual(builtinPluginIds().sort());
    for (const icon of renderIcons()) {
      const committed = readFileSync(path.join(BUILTIN_PLUGINS_DIR, icon.id, 'icon.svg'), 'utf8');
      expect(committed, `${icon.id}: stale, run npm run plugin:icons`).toBe(icon.svg);
    }
  });

  it('are drawn marks, not letters, in a colour with enough contrast on both themes', () => {
    const { light, dark } = themeBackgrounds();
    for (const icon of renderIcons()) {
      expect(icon.svg).not.toContain('<text');
      for (const background of [...light, ...dark]) expect(contrastRatio(parseHex(icon.colour), background)).toBeGreaterThanOrEqual(ICON_MIN_CONTRAST);
    }
  });

  it('reads the backgrounds from the renderer design tokens, so a theme change regenerates them', () => {
    const { light, dark } = themeBackgrounds(':root { --color-bg: #ffffff; --color-surface: #ffffff; --color-hover: #eeeeee; }\n@media (prefers-color-scheme: dark) { :root { --color-bg: #000000; --color-surface: #111111; --color-hover: #222222; } }');
    expect(light.map(toHex)).toEqual(['#FFFFFF', '#FFFFFF', '#EEEEEE']);
    expect(dark.map(toHex)).toEqual(['#000000', '#111111', '#222222']);
    expect(() => themeBackgrounds(':root { --color-bg: #ffffff; }')).toThrow(/--color-surface/);
  });
});

describe('contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio(parseHex('#767676'), [255, 255, 255])).toBeCloseTo(4.54, 2);
    expect(relativeLuminance([255, 255, 255])).toBe(1);
  });

  it('keeps a brand colour that passes and moves one that fails only as far as needed, keeping its hue', () => {
    const backgrounds = [parseHex('#f6f7f9'), parseHex('#15181c')];
    const thunderbird = adjustForContrast(parseHex('#0A84FF'), backgrounds, 3);
    expect(thunderbird).toMatchObject({ shift: 0, colour: parseHex('#0A84FF') });
    // Slack's aubergine is nearly black: on a dark page it disappears, so it is lightened.
    const slack = adjustForContrast(parseHex('#4A154B'), backgrounds, 3);
    expect(slack.shift).toBeGreaterThan(0);
    expect(slack.contrast).toBeGreaterThanOrEqual(3);
    const [r, g, b] = slack.colour;
    expect(r).toBeGreaterThan(g);
    expect(b).toBeGreaterThan(g);
    // WhatsApp's green is too light for a white page: darkened.
    expect(adjustForContrast(parseHex('#25D366'), backgrounds, 3).shift).toBeLessThan(0);
    // Nothing reaches 5:1 against mid-grey (white 4.5, black 4.7): the generator stops instead of writing a bad icon.
    expect(() => adjustForContrast(parseHex('#777777'), [parseHex('#777777')], 5)).toThrow(/no shade/);
  });
});
