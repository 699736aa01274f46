import { z } from 'zod';
import { IDENTITY_FIELD_NAME_REGEX, IDENTITY_VALUE_MAX_LENGTH, isBuiltinIdentityField } from './identity.js';

/**
 * Where a person's value for a field may come from: the network's OAuth user info when an account is
 * bound, the plugin's identity-lookup adapter, what the desktop can read locally, or typed by hand.
 */
export const IDENTITY_SOURCES = ['oauth-userinfo', 'adapter', 'local', 'typed'] as const;
export type IdentitySource = (typeof IDENTITY_SOURCES)[number];

/** Languages every manifest label comes in; the same ids as the app's language picker. */
export const LABEL_LANGUAGES = ['en', 'zh-CN'] as const;
export type LabelLanguage = (typeof LABEL_LANGUAGES)[number];

const text = (description: string) => z.string().trim().min(1).max(80).meta({ description });
const localizedLabel = z
  .strictObject({ en: text('English, e.g. "WeChat ID".'), 'zh-CN': text('Simplified Chinese, e.g. "微信号".') })
  .meta({ id: 'PluginLocalizedText' });

/** A quantified group that is itself quantified, e.g. `(a+)+`: the shape of catastrophic backtracking. */
const NESTED_QUANTIFIER_REGEX = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

/** The pattern anchored at both ends: a field's value must match as a whole. */
export function compileFieldPattern(pattern: string): RegExp | undefined {
  if (NESTED_QUANTIFIER_REGEX.test(pattern)) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}

export const identityFieldSchema = z
  .strictObject({
    name: z
      .string()
      .regex(IDENTITY_FIELD_NAME_REGEX, { error: 'must be a camelCase name such as "wechatId" (a-z first, then letters and digits)' })
      .refine((name) => !isBuiltinIdentityField(name), { error: '"phone" and "phoneDigits" are built in; use them without declaring' })
      // A published identity carries its audience under this key, next to the fields.
      .refine((name) => name !== 'visibleTo', { error: '"visibleTo" is reserved for the audience a person chooses' })
      .meta({ description: 'The placeholder templates use, e.g. "team" for {team}.' }),
    label: localizedLabel.meta({ description: 'What the field is called where a person types or reads it.' }),
    pattern: z
      .string()
      .min(1)
      .max(200)
      .refine((pattern) => compileFieldPattern(pattern) !== undefined, {
        error: 'must be a JavaScript regular expression without nested quantifiers such as (a+)+',
      })
      .meta({ description: 'Regular expression the whole value must match (anchored for you), e.g. "[A-Za-z][A-Za-z0-9_]{4,31}".' }),
    example: z.string().min(1).max(IDENTITY_VALUE_MAX_LENGTH).meta({ description: 'A valid value, shown as a hint and used to test every template.' }),
    maxLength: z.number().int().min(1).max(IDENTITY_VALUE_MAX_LENGTH).default(256),
    sources: z
      .array(z.enum(IDENTITY_SOURCES))
      .min(1)
      .meta({ description: 'Where a value may come from: "oauth-userinfo", "adapter", "local" (read on the desktop) or "typed".' }),
  })
  .meta({ id: 'PluginIdentityField', description: 'One piece of a person\'s identity on this network that a template needs.' });

export type IdentityFieldDeclaration = z.output<typeof identityFieldSchema>;

export type IdentityProblemCode = 'not_an_object' | 'unknown_field' | 'not_text' | 'required' | 'too_long' | 'bad_format';

export type IdentityValidation =
  | { ok: true; value: Record<string, string> }
  | {
      ok: false;
      /** The declared field that is wrong; empty when the whole value is (not an object). */
      field: string;
      code: IdentityProblemCode;
      /** A developer-facing sentence; apps show the field's label and example instead. */
      message: string;
      /** A valid value of that field, for a hint next to the input. */
      example?: string;
    };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks what a person typed (or what a bound account reported) against the fields a plugin's
 * manifest declares. Pure, so the server and every client give the same answer. Values are trimmed;
 * every declared field is required, and a field the plugin does not declare is refused rather than
 * stored, so nothing but what the templates use is ever published.
 */
export function validateIdentity(fields: readonly IdentityFieldDeclaration[], input: unknown): IdentityValidation {
  if (!isPlainObject(input)) return { ok: false, field: '', code: 'not_an_object', message: 'expected an object of field values' };
  for (const key of Object.keys(input)) {
    if (!fields.some((field) => field.name === key)) {
      return { ok: false, field: key, code: 'unknown_field', message: `"${key}" is not a field of this network` };
    }
  }
  const value: Record<string, string> = {};
  for (const field of fields) {
    const raw = Object.hasOwn(input, field.name) ? input[field.name] : undefined;
    const wrong = (code: IdentityProblemCode, message: string): IdentityValidation => ({
      ok: false,
      field: field.name,
      code,
      message,
      example: field.example,
    });
    if (raw === undefined || raw === null) return wrong('required', `"${field.name}" is required`);
    if (typeof raw !== 'string') return wrong('not_text', `"${field.name}" must be text`);
    const trimmed = raw.trim();
    if (trimmed === '') return wrong('required', `"${field.name}" is required`);
    if (trimmed.length > field.maxLength) return wrong('too_long', `"${field.name}" is longer than ${field.maxLength} characters`);
    // Length first: the pattern only ever sees a bounded string.
    const pattern = compileFieldPattern(field.pattern);
    if (pattern === undefined || !pattern.test(trimmed)) {
      return wrong('bad_format', `"${field.name}" does not look like ${JSON.stringify(field.example)}`);
    }
    value[field.name] = trimmed;
  }
  return { ok: true, value };
}
