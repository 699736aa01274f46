import { outsideAddress, type OutsideContact, type OutsidePresenceEvent } from '#common/contract/interworking.js';

/**
 * The XMPP contacts panel's rules on plain data (M28): what a person types becomes an outside address,
 * and presence events land on the right contact (test/renderer/chat-logic.test.ts).
 */

export type AddressInput = { ok: true; address: string } | { ok: false; reason: 'empty' | 'format' };

/** `alice@example.org` (or already `xmpp:alice@example.org`) -> `xmpp:alice@example.org`, case folded. */
export function outsideAddressOf(input: string): AddressInput {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, reason: 'empty' };
  const withScheme = /^xmpp:/i.test(trimmed) ? `xmpp:${trimmed.slice('xmpp:'.length)}` : `xmpp:${trimmed}`;
  const parsed = outsideAddress.safeParse(withScheme);
  return parsed.success ? { ok: true, address: parsed.data } : { ok: false, reason: 'format' };
}

/** The address as a person reads it, without the scheme. */
export function bareAddress(address: string): string {
  return address.replace(/^xmpp:/, '');
}

/** A presence event changes its contact only; one for an address not (yet) listed is kept for later. */
export function withPresence(contacts: readonly OutsideContact[], event: OutsidePresenceEvent): OutsideContact[] {
  return contacts.map((contact) =>
    contact.address === event.address ? { ...contact, presence: { status: event.status, text: event.text, at: event.at } } : contact,
  );
}

/** The list from the server, with presence that arrived by event and is newer than the server's. */
export function mergePresence(contacts: readonly OutsideContact[], seen: ReadonlyMap<string, OutsidePresenceEvent>): OutsideContact[] {
  return contacts.map((contact) => {
    const event = seen.get(contact.address);
    if (event === undefined || (contact.presence !== undefined && contact.presence.at >= event.at)) return contact;
    return { ...contact, presence: { status: event.status, text: event.text, at: event.at } };
  });
}
