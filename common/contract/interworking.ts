import { z } from 'zod';

/**
 * Interworking (M28): people on other IM networks, reached through an XMPP bridge. An outside address is
 * written with its network's URI scheme, `xmpp:alice@example.org` (a bare JID: no resource).
 */

export const outsideNetworks = ['xmpp'] as const;
export type OutsideNetwork = (typeof outsideNetworks)[number];

/** Local part and domain of a bare JID, with the characters RFC 7622 forbids in a local part left out. */
const bareJidPattern = /^xmpp:[^\s"&'/:<>@]{1,256}@[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

/** `xmpp:alice@example.org`; case is folded so that one person has one address. */
export const outsideAddress = z
  .string()
  .max(300)
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.string().regex(bareJidPattern, 'an outside address looks like xmpp:alice@example.org'))
  .meta({ description: 'An address on another network with its scheme, e.g. `xmpp:alice@example.org` (a bare JID).', example: 'xmpp:alice@example.org' });
export type OutsideAddress = z.output<typeof outsideAddress>;

/** Whether a string is written as an outside address (the network's scheme), before any validation. */
export function looksLikeOutsideAddress(value: string): boolean {
  return value.startsWith('xmpp:');
}

export const outsideStatuses = ['online', 'busy', 'away', 'offline'] as const;
export type OutsideStatus = (typeof outsideStatuses)[number];

/** What the network says about the person now (their XMPP presence), shown like a network icon. */
export const outsidePresence = z.object({
  status: z.enum(outsideStatuses),
  text: z.string(),
  at: z.string(),
});
export type OutsidePresence = z.infer<typeof outsidePresence>;

/** One outside address I allow to reach me. */
export const outsideContact = z.object({
  address: z.string(),
  network: z.enum(outsideNetworks),
  addedAt: z.string(),
  presence: outsidePresence.optional(),
});
export type OutsideContact = z.infer<typeof outsideContact>;
export const outsideContacts = z.array(outsideContact);

export const outsideContactParams = z.object({ address: outsideAddress });

/** Server to client `outside:presence`: an allowed outside contact's presence changed (and one per contact at connect). */
export const outsidePresenceEvent = z.object({
  address: z.string(),
  network: z.enum(outsideNetworks),
  status: z.enum(outsideStatuses),
  text: z.string(),
  at: z.string(),
});
export type OutsidePresenceEvent = z.infer<typeof outsidePresenceEvent>;
