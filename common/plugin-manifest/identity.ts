/**
 * Fields every plugin may use without declaring them: the phone number is the identity Switchboard
 * itself verifies, and `phoneDigits` is the same number without the "+". Everything else a template
 * uses is declared in the plugin's manifest (`identity`), with its format and an example.
 */
export const BUILTIN_IDENTITY_FIELDS = ['phone', 'phoneDigits'] as const;
export type BuiltinIdentityField = (typeof BUILTIN_IDENTITY_FIELDS)[number];

/** A field name as a template writes it between braces: `{team}`, `{wechatId}`. */
export const IDENTITY_FIELD_NAME_REGEX = /^[a-z][A-Za-z0-9]{0,31}$/;

/** Longest value any identity field may hold (an e-mail address is the longest real one). */
export const IDENTITY_VALUE_MAX_LENGTH = 320;

/**
 * A contact as the launcher sees it on one network: `phone` (E.164) plus the fields that network's
 * manifest declares, e.g. `{ team, id }` for Slack or `{ username }` for Telegram.
 */
export type ContactIdentity = Readonly<Record<string, string | undefined>>;

export function isBuiltinIdentityField(name: string): name is BuiltinIdentityField {
  return (BUILTIN_IDENTITY_FIELDS as readonly string[]).includes(name);
}

/** The value a placeholder stands for, or undefined when the contact lacks it (empty counts as lacking). */
export function identityValue(identity: ContactIdentity, field: string): string | undefined {
  // Own properties only: a field named like an Object.prototype member ("constructor") must not find it.
  const own = (name: string) => (Object.hasOwn(identity, name) ? identity[name] : undefined);
  const raw = field === 'phoneDigits' ? own('phone')?.replace(/\D/g, '') : own(field);
  return typeof raw !== 'string' || raw.trim() === '' ? undefined : raw;
}

/** The phone number templates are checked with; a real-looking E.164 so `{phoneDigits}` has digits. */
export const SAMPLE_PHONE = '+8613800138000';

/**
 * Values that would break out of a URL component if a template put them in raw. Every template is
 * rendered with each of them in every field during validation, and must still go where it says.
 */
export const HOSTILE_VALUES: readonly string[] = [
  'bob/../?x=1&y=#frag',
  'T 0/1',
  'bob+tag@example.com?cc=eve@example.net',
  'javascript:alert(1)//',
];
