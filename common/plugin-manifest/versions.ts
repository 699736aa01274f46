import semver from 'semver';

/**
 * Versions and `engines.switchboard` ranges, through npm's own `semver` package so plugin authors get
 * exactly the grammar they know from package.json. It is plain JavaScript without Node built-ins, so
 * it runs in the browser too. Two rules of ours on top: a version is written exactly (no "v" prefix,
 * no spaces), and an empty range is no range (semver would read it as "*").
 */

export function isExactVersion(text: string): boolean {
  // semver itself forgives a "v" or "=" in front and surrounding spaces; a manifest may not.
  return /^\d/.test(text) && text.trim() === text && semver.valid(text) !== null;
}

export function isValidRange(range: string): boolean {
  return range.trim() !== '' && semver.validRange(range) !== null;
}

/** False, never a throw, for a malformed version or range. */
export function satisfiesRange(version: string, range: string): boolean {
  return isExactVersion(version) && isValidRange(range) && semver.satisfies(version, range);
}

/** Whether `candidate` is a later version than `current`; false when either is not a version. */
export function isNewerVersion(candidate: string, current: string): boolean {
  return isExactVersion(candidate) && isExactVersion(current) && semver.gt(candidate, current);
}
