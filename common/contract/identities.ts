import { z } from 'zod';
import { pluginIdSchema } from '../plugin-manifest/plugin-id.js';
import { IDENTITY_VALUE_MAX_LENGTH } from '../plugin-manifest/identity.js';
import { activityVisibility } from './privacy.js';

/**
 * A user's own handles on other networks (issue 11). The body of a publish is the plugin's declared fields
 * (checked against its manifest with validateIdentity), plus the optional audience `visibleTo`; without
 * one, the identity follows the user's activity setting.
 */
export const identityAudience = activityVisibility;
export type IdentityAudience = (typeof identityAudience)[number];

/** The key that carries the audience next to a network's fields; manifests may not declare a field of this name. */
export const IDENTITY_AUDIENCE_KEY = 'visibleTo';

const fieldValues = z.record(z.string().max(32), z.string().max(IDENTITY_VALUE_MAX_LENGTH));

/** What a PUT carries: field values (validated per plugin by the server) and, optionally, `visibleTo`. */
export const publishIdentityRequest = z.record(z.string().max(32), z.unknown()).meta({
  description: 'The fields the plugin\'s manifest declares (e.g. `{"username": "lina_chen"}` for Telegram), and optionally `"visibleTo": "contacts" | "allowlist" | "nobody"`.',
});

/** One of my identities as I see it: its fields, and `visibleTo` when I chose an audience for it. */
export const ownIdentity = fieldValues.meta({ description: 'Field values; `visibleTo` is present when an audience was chosen (otherwise the activity setting decides).' });
export const ownIdentities = z.record(pluginIdSchema, ownIdentity);
export type OwnIdentities = z.infer<typeof ownIdentities>;

/** Splits a PUT body into the audience and the network's fields. */
export function splitAudience(body: Record<string, unknown>): { visibleTo: IdentityAudience | undefined | 'invalid'; fields: Record<string, unknown> } {
  const { [IDENTITY_AUDIENCE_KEY]: audience, ...fields } = body;
  if (audience === undefined || audience === null) return { visibleTo: undefined, fields };
  const parsed = z.enum(identityAudience).safeParse(audience);
  return { visibleTo: parsed.success ? parsed.data : 'invalid', fields };
}
