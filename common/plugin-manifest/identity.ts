/**
 * What a launch template may know about a contact. The phone number is the identity Switchboard
 * itself guarantees; the other fields come from account binding or a plugin's contact import.
 */
export const IDENTITY_FIELDS = ['phone', 'phoneDigits', 'handle', 'id', 'email', 'team', 'server'] as const;

export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** A contact as the launcher sees it on one network. `phoneDigits` is derived from `phone`. */
export interface ContactIdentity {
  /** E.164, e.g. "+8613800138000". */
  phone?: string;
  /** User name on the network, e.g. a Telegram username or the local part of a Matrix id. */
  handle?: string;
  /** The network's own user id, e.g. a Discord snowflake, a Slack member id or a QQ number. */
  id?: string;
  email?: string;
  /** Workspace or tenant, e.g. a Slack team id. */
  team?: string;
  /** Home server of federated networks, e.g. "matrix.org". */
  server?: string;
}

export function isIdentityField(name: string): name is IdentityField {
  return (IDENTITY_FIELDS as readonly string[]).includes(name);
}

/** The value a placeholder stands for, or undefined when the contact lacks it (empty counts as lacking). */
export function identityValue(identity: ContactIdentity, field: IdentityField): string | undefined {
  const raw = field === 'phoneDigits' ? identity.phone?.replace(/\D/g, '') : identity[field];
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

/**
 * Contacts every built-in and third-party template is rendered against during validation. The
 * second one carries characters that would break out of a URL component if a value went in raw.
 */
export const SAMPLE_CONTACTS: readonly ContactIdentity[] = [
  {
    phone: '+8613800138000',
    handle: 'alice',
    id: 'U024BE7LH',
    email: 'alice@example.org',
    team: 'T12345',
    server: 'example.org',
  },
  {
    phone: '+14155550123',
    handle: 'bob/../?x=1&y=#frag',
    id: '80351110224678912',
    email: 'bob+tag@example.com?cc=eve@example.net',
    team: 'T 0/1',
    server: 'chat.example.com',
  },
];
