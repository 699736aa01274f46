import { z } from 'zod';

/**
 * The message channel between the host (the app) and a plugin's sandbox process. Everything the
 * sandbox says is untrusted: the host parses each message with these schemas and treats anything
 * else as a protocol error. Limits keep a hostile plugin from making the host hold huge values.
 */

export const ADAPTER_METHODS = ['importContacts', 'lookupIdentity', 'refreshToken'] as const;
export type AdapterMethod = (typeof ADAPTER_METHODS)[number];

const MAX_TEXT = 2_000;
const MAX_URL = 8_000;
/** Request bodies a plugin sends through `ctx.fetch` (e.g. a search query); contacts never need more. */
export const MAX_REQUEST_BODY = 256 * 1024;
const requestId = z.number().int().nonnegative();

const errorShape = z.strictObject({ code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), message: z.string().max(MAX_TEXT) });
export type ProtocolError = z.infer<typeof errorShape>;

export const fetchInitSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
  headers: z.record(z.string().max(200), z.string().max(MAX_URL)).optional(),
  body: z.string().max(MAX_REQUEST_BODY).optional(),
});
export type FetchInit = z.infer<typeof fetchInitSchema>;

/** What the sandbox may send. */
export const sandboxMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), methods: z.array(z.enum(ADAPTER_METHODS)).max(ADAPTER_METHODS.length) }),
  z.strictObject({ type: z.literal('load_failed'), error: errorShape }),
  z.strictObject({ type: z.literal('result'), callId: requestId, value: z.unknown() }),
  z.strictObject({ type: z.literal('failed'), callId: requestId, error: errorShape }),
  z.strictObject({ type: z.literal('fetch'), callId: requestId, requestId, url: z.string().max(MAX_URL), init: fetchInitSchema.optional() }),
  z.strictObject({
    type: z.literal('secret'),
    callId: requestId,
    requestId,
    op: z.enum(['get', 'set', 'delete']),
    key: z.string().max(200),
    value: z.string().max(64 * 1024).optional(),
  }),
  z.strictObject({ type: z.literal('access_token'), callId: requestId, requestId }),
  z.strictObject({ type: z.literal('log'), level: z.enum(['log', 'warn', 'error']), message: z.string().max(MAX_TEXT) }),
]);
export type SandboxMessage = z.infer<typeof sandboxMessageSchema>;

export type FetchAnswer = { status: number; headers: Record<string, string>; body: string };

/** What the host sends; built by the host itself, so typed rather than parsed. */
export type HostMessage =
  | { type: 'call'; callId: number; method: AdapterMethod; args: unknown[] }
  | { type: 'answer'; requestId: number; ok: true; value: FetchAnswer | string | null }
  | { type: 'answer'; requestId: number; ok: false; error: ProtocolError };

// Results of adapter methods. Lengths are generous for real data and small enough to bound memory.
const shortText = z.string().max(500);
const identitySchema = z.strictObject({
  handle: shortText.optional(),
  id: shortText.optional(),
  email: shortText.optional(),
  team: shortText.optional(),
  server: shortText.optional(),
});

export const importedContactsSchema = z
  .array(
    z.strictObject({
      displayName: shortText.optional(),
      phones: z.array(z.string().max(40)).max(50),
      identity: identitySchema,
    }),
  )
  .max(100_000);

export const lookupResultSchema = identitySchema.optional().nullable();

export const tokenSetSchema = z.strictObject({
  accessToken: z.string().min(1).max(8_000),
  refreshToken: z.string().min(1).max(8_000).optional(),
  expiresIn: z.number().int().positive().optional(),
  scopes: z.array(shortText).max(100).optional(),
});
