import type { z } from 'zod';
import { ApiError } from './api-error.js';

/**
 * Parses untrusted input against a contract schema; a mismatch is a 400 that says which field and why.
 * Every body and query passes here, so this is also where a NUL character is refused in any string
 * (no field of ours may hold one, and PostgreSQL cannot store it in text).
 */
export function parseBody<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const nulAt = findNul(input, []);
  if (nulAt) {
    const path = nulAt.join('.');
    throw new ApiError(400, 'validation_failed', `${path || 'body'}: must not contain a NUL character`, { issues: [{ path, message: 'must not contain a NUL character' }] });
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  throw new ApiError(400, 'validation_failed', first ? `${first.path || 'body'}: ${first.message}` : 'invalid request', { issues });
}

/** Deeper than any schema of ours reaches; beyond it the schema refuses the shape anyway. */
const maxDepth = 64;

/** The path of the first string (value or key) holding U+0000, if any. */
function findNul(value: unknown, path: (string | number)[]): (string | number)[] | undefined {
  if (path.length > maxDepth) return undefined;
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findNul(value[index], [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, entry] of Object.entries(value)) {
      if (key.includes('\0')) return [...path, key];
      const found = findNul(entry, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
