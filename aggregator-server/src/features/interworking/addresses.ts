import { createHash } from 'node:crypto';
import { outsideAddress } from '#common/contract/interworking.js';

/**
 * How Switchboard names meet XMPP addresses (JIDs). A user is `<E.164 digits>@<component domain>`; an
 * outside person is their bare JID with the scheme, `xmpp:alice@example.org`.
 */

const scheme = 'xmpp:';

/** `xmpp:alice@example.org` -> `alice@example.org`. */
export function bareJidOf(address: string): string {
  return address.slice(scheme.length);
}

/** The outside address of a JID as a stanza carries it (any resource dropped), or undefined when it is not one. */
export function addressOfJid(jid: string | undefined): string | undefined {
  if (!jid) return undefined;
  const slash = jid.indexOf('/');
  const parsed = outsideAddress.safeParse(scheme + (slash === -1 ? jid : jid.slice(0, slash)));
  return parsed.success ? parsed.data : undefined;
}

/** The domain of an outside address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** `+8613800138000` -> `8613800138000@<domain>`. */
export function userJid(phone: string, componentDomain: string): string {
  return `${phone.replace(/^\+/, '')}@${componentDomain}`;
}

/** The E.164 number a JID of the component names (`8613800138000@<domain>[/resource]`), if it names one. */
export function phoneOfUserJid(jid: string | undefined, componentDomain: string): string | undefined {
  const match = /^([1-9]\d{6,14})@([^/]+)(\/.*)?$/.exec(jid ?? '');
  if (!match || match[2]?.toLowerCase() !== componentDomain) return undefined;
  return `+${match[1]}`;
}

const inboundMark = '#';

/**
 * The clientId a message from outside is stored under: its sender's address and a hash of the id its
 * sender gave it (XEP-0359 origin-id, else the stanza id). The same message arriving twice maps to the
 * same clientId, which the messages store keeps once. A Switchboard client's own clientIds are UUIDs, so
 * no user can write one of these.
 */
export function inboundClientId(address: string, xmppId: string): string {
  const digest = createHash('sha256').update(`${address}\n${xmppId}`).digest('hex').slice(0, 32);
  return `${address}${inboundMark}${digest}`;
}

/** The outside address that sent a stored message, read from its clientId; undefined for a user's own message. */
export function senderOfClientId(clientId: string): string | undefined {
  if (!clientId.startsWith(scheme)) return undefined;
  const mark = clientId.lastIndexOf(inboundMark);
  return mark === -1 ? undefined : clientId.slice(0, mark);
}

/** The id of a message we send: its sequence number (which a receipt names back) and its Switchboard id. */
export function outboundStanzaId(seq: number, messageId: string): string {
  return `sb-${seq}-${messageId}`;
}

/** The sequence number named by the id in a delivery receipt, when the id is one of ours. */
export function seqOfStanzaId(id: string | undefined): number | undefined {
  const match = /^sb-(\d{1,12})-[0-9a-f-]{36}$/.exec(id ?? '');
  return match ? Number(match[1]) : undefined;
}
