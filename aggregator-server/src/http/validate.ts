import type { z } from 'zod';
import { ApiError } from './api-error.js';

/** Parses untrusted input against a contract schema; a mismatch is a 400 that says which field and why. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  throw new ApiError(400, 'validation_failed', first ? `${first.path || 'body'}: ${first.message}` : 'invalid request', { issues });
}
