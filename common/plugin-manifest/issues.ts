import type { z } from 'zod';

/** One thing wrong with a plugin, addressed like `processes.linux[0].name`. */
export interface ManifestIssue {
  path: string;
  /** Machine-readable snake_case reason; tests and tools match on it, people read `message`. */
  code: string;
  message: string;
}

export type PathSegment = string | number;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function issue(path: readonly PathSegment[] | string, code: string, message: string): ManifestIssue {
  return { path: typeof path === 'string' ? path : formatPath(path), code, message };
}

/** Codes for a failed pattern, by the field it failed on, so a bad version reads `bad_semver`. */
const FORMAT_CODE_BY_FIELD: Record<string, string> = {
  id: 'bad_id',
  version: 'bad_semver',
  icon: 'bad_file_path',
  main: 'bad_file_path',
  allowedHosts: 'bad_host',
};

/** Codes for a value outside a closed list, by the field. */
const VALUE_CODE_BY_FIELD: Record<string, string> = {
  capabilities: 'unknown_capability',
  needs: 'unknown_identity_field',
  type: 'unknown_auth_type',
  pkce: 'pkce_required',
};

/** Where "not one of ..." would not tell the author why. */
const VALUE_MESSAGE_BY_FIELD: Record<string, string> = {
  pkce: 'must be true: a desktop app is a public client, so OAuth needs PKCE (RFC 8252)',
};

function lastFieldName(path: readonly PropertyKey[]): string {
  for (let index = path.length - 1; index >= 0; index -= 1) {
    const segment = path[index];
    if (typeof segment === 'string') return segment;
  }
  return '';
}

function describeType(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input === 'object' ? 'an object' : `${typeof input} ${JSON.stringify(input)}`;
}

function toSegments(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
}

/** Turns zod's issues into ours: one per problem, with a stable code and a sentence a person understands. */
export function issuesFromZod(error: z.ZodError, input: unknown, topLevelFields: readonly string[] = []): ManifestIssue[] {
  return error.issues.flatMap((zodIssue): ManifestIssue[] => {
    const segments = toSegments(zodIssue.path);
    const field = lastFieldName(zodIssue.path);
    switch (zodIssue.code) {
      case 'invalid_type': {
        const received = valueAt(input, segments);
        if (received === undefined) return [issue(segments, 'missing_field', 'is required')];
        return [issue(segments, 'wrong_type', `must be ${article(zodIssue.expected)}, not ${describeType(received)}`)];
      }
      case 'unrecognized_keys':
        return zodIssue.keys.map((key) =>
          issue([...segments, key], 'unknown_field', `is not a known field${segments.length === 0 ? suggestion(key, topLevelFields) : ''}`),
        );
      case 'invalid_value': {
        const allowed = zodIssue.values.map((value) => JSON.stringify(value)).join(', ');
        const received = valueAt(input, segments);
        return [
          issue(
            segments,
            VALUE_CODE_BY_FIELD[field] ?? 'unknown_value',
            VALUE_MESSAGE_BY_FIELD[field] ?? `${JSON.stringify(received)} is not one of ${allowed}`,
          ),
        ];
      }
      case 'invalid_union': {
        const options = 'options' in zodIssue && Array.isArray(zodIssue.options) ? zodIssue.options : [];
        const received = valueAt(input, segments);
        return [
          issue(
            segments,
            VALUE_CODE_BY_FIELD[field] ?? 'no_matching_variant',
            `${JSON.stringify(received)} is not one of ${options.map((option) => JSON.stringify(option)).join(', ')}`,
          ),
        ];
      }
      case 'invalid_format':
        return [issue(segments, FORMAT_CODE_BY_FIELD[field] ?? 'bad_format', zodIssue.message)];
      case 'too_small':
        return [
          zodIssue.origin === 'array'
            ? issue(segments, 'too_few', `needs at least ${String(zodIssue.minimum)} entr${zodIssue.minimum === 1 ? 'y' : 'ies'}`)
            : issue(segments, 'empty', 'must not be empty'),
        ];
      case 'too_big':
        return [issue(segments, 'too_long', `must be at most ${String(zodIssue.maximum)} characters`)];
      case 'custom': {
        const code = typeof zodIssue.params?.code === 'string' ? zodIssue.params.code : 'invalid';
        return [issue(segments, code, zodIssue.message)];
      }
      default:
        return [issue(segments, 'invalid', zodIssue.message)];
    }
  });
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** A typo like "proccesses" is the usual cause of an unknown field; say what was probably meant. */
function suggestion(key: string, knownFields: readonly string[]): string {
  const close = knownFields.find((known) => known !== key && editDistance(known.toLowerCase(), key.toLowerCase()) <= 2);
  return close === undefined ? '' : ` (did you mean "${close}"?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function valueAt(input: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = input;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}
