/**
 * A small semantic-versioning checker for `engines.switchboard`, following node-semver's grammar
 * (https://semver.org and npm's range syntax) so plugin authors can write what they already know.
 * Written here because common/ must stay dependency-light and run in the browser too.
 */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated pre-release identifiers, e.g. ["beta", 2]; empty for a release. */
  prerelease: (string | number)[];
}

type Operator = '<' | '<=' | '>' | '>=' | '=';

interface Comparator {
  operator: Operator;
  version: SemVer;
}

/** Every comparator must hold; an empty list matches any release. */
type ComparatorSet = Comparator[];

const NUMERIC = '0|[1-9]\\d*';
const PRERELEASE_ID = `(?:${NUMERIC}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const VERSION_PATTERN =
  `(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})` +
  `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` +
  `(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?`;

/** Full semantic version, build metadata allowed; exported for the manifest schema. */
export const SEMVER_REGEX = new RegExp(`^${VERSION_PATTERN}$`);

const PARTIAL_PART = `(?:${NUMERIC}|[xX*])`;
const PARTIAL_REGEX = new RegExp(
  `^(${PARTIAL_PART})(?:\\.(${PARTIAL_PART})(?:\\.(${PARTIAL_PART})` +
    `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` +
    `(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?)?)?$`,
);

function toPrerelease(text: string | undefined): (string | number)[] {
  if (text === undefined || text === '') return [];
  return text.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function parseVersion(text: string): SemVer | undefined {
  const match = SEMVER_REGEX.exec(text.trim());
  if (match === null) return undefined;
  const [, major, minor, patch, prerelease] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: toPrerelease(prerelease),
  };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  // Numeric identifiers have lower precedence than alphanumeric ones (semver 2.0.0 §11.4.3).
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareVersions(a: SemVer, b: SemVer): number {
  const core = Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) || Math.sign(a.patch - b.patch);
  if (core !== 0) return core;
  // A release ranks above any of its pre-releases.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return Math.sign(b.prerelease.length - a.prerelease.length);
  }
  const length = Math.max(a.prerelease.length, b.prerelease.length);
  for (let index = 0; index < length; index += 1) {
    const left = a.prerelease[index];
    const right = b.prerelease[index];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    const order = compareIdentifiers(left, right);
    if (order !== 0) return order;
  }
  return 0;
}

function version(major: number, minor: number, patch: number, prerelease: (string | number)[] = []): SemVer {
  return { major, minor, patch, prerelease };
}

/** `<2.0.0-0` excludes 2.0.0's pre-releases too, exactly as npm desugars caret and tilde ranges. */
function below(major: number, minor: number, patch: number): Comparator {
  return { operator: '<', version: version(major, minor, patch, [0]) };
}

function atLeast(major: number, minor: number, patch: number, prerelease: (string | number)[] = []): Comparator {
  return { operator: '>=', version: version(major, minor, patch, prerelease) };
}

interface Partial {
  major: number | undefined;
  minor: number | undefined;
  patch: number | undefined;
  prerelease: (string | number)[];
}

function parsePartial(text: string): Partial | undefined {
  const match = PARTIAL_REGEX.exec(text);
  if (match === null) return undefined;
  const wildcard = (part: string | undefined) => part === undefined || /^[xX*]$/.test(part);
  const [, major, minor, patch, prerelease] = match;
  const majorNumber = wildcard(major) ? undefined : Number(major);
  const minorNumber = majorNumber === undefined || wildcard(minor) ? undefined : Number(minor);
  const patchNumber = minorNumber === undefined || wildcard(patch) ? undefined : Number(patch);
  return {
    major: majorNumber,
    minor: minorNumber,
    patch: patchNumber,
    prerelease: patchNumber === undefined ? [] : toPrerelease(prerelease),
  };
}

function caret(p: Partial): ComparatorSet {
  if (p.major === undefined) return [];
  if (p.minor === undefined) return [atLeast(p.major, 0, 0), below(p.major + 1, 0, 0)];
  if (p.patch === undefined) {
    return p.major > 0
      ? [atLeast(p.major, p.minor, 0), below(p.major + 1, 0, 0)]
      : [atLeast(0, p.minor, 0), below(0, p.minor + 1, 0)];
  }
  const lower = atLeast(p.major, p.minor, p.patch, p.prerelease);
  // Left-most non-zero part is the one that may not change.
  if (p.major > 0) return [lower, below(p.major + 1, 0, 0)];
  if (p.minor > 0) return [lower, below(0, p.minor + 1, 0)];
  return [lower, below(0, 0, p.patch + 1)];
}

function tilde(p: Partial): ComparatorSet {
  if (p.major === undefined) return [];
  if (p.minor === undefined) return [atLeast(p.major, 0, 0), below(p.major + 1, 0, 0)];
  if (p.patch === undefined) return [atLeast(p.major, p.minor, 0), below(p.major, p.minor + 1, 0)];
  return [atLeast(p.major, p.minor, p.patch, p.prerelease), below(p.major, p.minor + 1, 0)];
}

/** `1.2` means the whole 1.2.x line, `1` the whole 1.x line, `*` anything. */
function xRange(p: Partial): ComparatorSet {
  if (p.major === undefined) return [];
  if (p.minor === undefined) return [atLeast(p.major, 0, 0), below(p.major + 1, 0, 0)];
  if (p.patch === undefined) return [atLeast(p.major, p.minor, 0), below(p.major, p.minor + 1, 0)];
  return [{ operator: '=', version: version(p.major, p.minor, p.patch, p.prerelease) }];
}

const NOTHING: ComparatorSet = [{ operator: '<', version: version(0, 0, 0, [0]) }];

function primitive(operator: Operator, p: Partial): ComparatorSet {
  if (operator === '=') return xRange(p);
  if (p.major === undefined) return operator === '>=' || operator === '<=' ? [] : NOTHING;
  const major = p.major;
  if (p.minor === undefined || p.patch === undefined) {
    const minor = p.minor;
    // Partial versions are rounded so that `>1.2` means "above the whole 1.2.x line".
    switch (operator) {
      case '>':
        return minor === undefined ? [atLeast(major + 1, 0, 0)] : [atLeast(major, minor + 1, 0)];
      case '>=':
        return [atLeast(major, minor ?? 0, 0)];
      case '<':
        return [below(major, minor ?? 0, 0)];
      case '<=':
        return minor === undefined ? [below(major + 1, 0, 0)] : [below(major, minor + 1, 0)];
    }
  }
  return [{ operator, version: version(major, p.minor, p.patch, p.prerelease) }];
}

const TOKEN_REGEX = /^(\^|~>?|>=|<=|>|<|=)?v?(.+)$/;

function parseComparatorSet(text: string): ComparatorSet | undefined {
  const trimmed = text.trim();
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(trimmed);
  if (hyphen !== null) {
    const from = parsePartial(hyphen[1] ?? '');
    const to = parsePartial(hyphen[2] ?? '');
    if (from === undefined || to === undefined) return undefined;
    return [...primitive('>=', from), ...primitive('<=', to)];
  }
  // npm accepts `>= 1.2.3`; glue the operator to its version before splitting on spaces.
  const tokens = trimmed.replace(/(\^|~>?|>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).filter((t) => t !== '');
  if (tokens.length === 0) return [];
  const set: ComparatorSet = [];
  for (const token of tokens) {
    const match = TOKEN_REGEX.exec(token);
    const partial = match === null ? undefined : parsePartial(match[2] ?? '');
    if (match === null || partial === undefined) return undefined;
    const operator = match[1];
    if (operator === '^') set.push(...caret(partial));
    else if (operator === '~' || operator === '~>') set.push(...tilde(partial));
    else set.push(...primitive((operator ?? '=') as Operator, partial));
  }
  return set;
}

/** Parses a range into OR-ed sets of AND-ed comparators; undefined when it is not a valid range. */
function parseRange(range: string): ComparatorSet[] | undefined {
  const sets: ComparatorSet[] = [];
  for (const part of range.split('||')) {
    const set = parseComparatorSet(part);
    if (set === undefined) return undefined;
    sets.push(set);
  }
  return sets;
}

export function isValidRange(range: string): boolean {
  return range.trim() !== '' && parseRange(range) !== undefined;
}

function holds(comparator: Comparator, candidate: SemVer): boolean {
  const order = compareVersions(candidate, comparator.version);
  switch (comparator.operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
  }
}

function setAllows(set: ComparatorSet, candidate: SemVer): boolean {
  if (!set.every((comparator) => holds(comparator, candidate))) return false;
  if (candidate.prerelease.length === 0) return true;
  // npm's rule: a pre-release only satisfies a range that names a pre-release of the same
  // major.minor.patch, so `^1.0.0` never silently opts into `1.5.0-beta`.
  return set.some(
    ({ version: bound }) =>
      bound.prerelease.length > 0 &&
      bound.major === candidate.major &&
      bound.minor === candidate.minor &&
      bound.patch === candidate.patch,
  );
}

/** True when `version` is a valid semantic version inside `range`; false for any invalid input. */
export function satisfiesRange(versionText: string, range: string): boolean {
  const candidate = parseVersion(versionText);
  const sets = range.trim() === '' ? undefined : parseRange(range);
  if (candidate === undefined || sets === undefined) return false;
  return sets.some((set) => setAllows(set, candidate));
}
