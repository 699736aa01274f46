import { describe, expect, it } from 'vitest';
import { isExactVersion, isNewerVersion, isValidRange, satisfiesRange } from '#common/plugin-manifest/index.js';

describe('satisfiesRange', () => {
  it.each([
    // caret: the left-most non-zero part is fixed
    ['1.2.3', '^1.2.3', true],
    ['1.9.0', '^1.2.3', true],
    ['2.0.0', '^1.2.3', false],
    ['1.2.2', '^1.2.3', false],
    ['0.1.5', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.5.0', '^1.x', true],
    ['0.9.0', '^0', true],
    ['1.0.0', '^0', false],
    // tilde: minor fixed when given
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9.0', '~1', true],
    ['2.0.0', '~1', false],
    // primitives, including rounding of partial versions
    ['1.0.0', '>=1.0.0', true],
    ['0.9.9', '>=1.0.0', false],
    ['1.2.9', '>1.2', false],
    ['1.3.0', '>1.2', true],
    ['1.2.9', '<=1.2', true],
    ['1.3.0', '<=1.2', false],
    ['1.1.9', '<1.2', true],
    ['1.2.0', '<1.2', false],
    ['1.2.3', '=1.2.3', true],
    ['1.2.4', '1.2.3', false],
    // x-ranges
    ['5.4.3', '*', true],
    ['1.7.0', '1.x', true],
    ['2.0.0', '1.x', false],
    ['1.2.7', '1.2.*', true],
    ['1.3.0', '1.2', false],
    ['3.0.0', '', false],
    // AND, OR, operator followed by a space, hyphen ranges
    ['1.5.0', '>=1.2.0 <2.0.0', true],
    ['2.0.0', '>=1.2.0 <2.0.0', false],
    ['1.5.0', '>= 1.2.0 < 2', true],
    ['0.1.0', '^2.0.0 || ^0.1.0', true],
    ['1.0.0', '^2.0.0 || ^0.1.0', false],
    ['2.3.4', '1.2.3 - 2.3.4', true],
    ['2.3.5', '1.2.3 - 2.3.4', false],
    ['2.3.9', '1.2.3 - 2.3', true],
    // pre-releases opt in only on the same major.minor.patch
    ['1.5.0-beta.1', '^1.0.0', false],
    ['1.2.3-beta.2', '^1.2.3-beta.1', true],
    ['1.2.3-alpha', '^1.2.3-beta.1', false],
    ['2.0.0-rc.1', '^1.2.3', false],
    ['1.0.0', '^1.0.0-rc.1', true],
  ])('%s in "%s" is %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });

  it('is false for an invalid version or range instead of throwing', () => {
    expect(satisfiesRange('1.0', '^1.0.0')).toBe(false);
    expect(satisfiesRange('1.0.0', '^^1')).toBe(false);
    expect(satisfiesRange('1.0.0', 'latest')).toBe(false);
  });
});

describe('isValidRange', () => {
  it.each(['^0.1.0', '~1.2', '>=1 <2', '1.x || 2.x', '*', '1.2.3 - 2', '>= 0.1.0'])('accepts %s', (range) => {
    expect(isValidRange(range)).toBe(true);
  });
  it.each(['', '^^1', 'abc', '1.2.3.4', '>=', '1.2.3 -', '01.2.3'])('rejects "%s"', (range) => {
    expect(isValidRange(range)).toBe(false);
  });
});

describe('isExactVersion and isNewerVersion', () => {
  it('takes a version only as written exactly', () => {
    expect(isExactVersion('1.2.3-beta.4+sha.5')).toBe(true);
    for (const loose of ['1.2', '1.02.3', 'v1.2.3', ' 1.2.3', '=1.2.3', '']) expect(isExactVersion(loose), loose).toBe(false);
  });

  it('orders versions by semver precedence', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.10.0', '2.0.0'];
    for (let index = 1; index < ordered.length; index += 1) {
      const [older, newer] = [ordered[index - 1]!, ordered[index]!];
      expect(isNewerVersion(newer, older), `${newer} > ${older}`).toBe(true);
      expect(isNewerVersion(older, newer)).toBe(false);
    }
    expect(isNewerVersion('2.0.0', 'v1.0.0')).toBe(false);
    expect(isNewerVersion('latest', '1.0.0')).toBe(false);
  });
});
