import { xml, type XmlElement } from '@xmpp/component';
import type { OutsideStatus } from '#common/contract/interworking.js';

/** The XMPP extensions the bridge speaks, and the stanzas it builds and reads. */
export const ns = {
  receipts: 'urn:xmpp:receipts', // XEP-0184
  markers: 'urn:xmpp:chat-markers:0', // XEP-0333
  chatStates: 'http://jabber.org/protocol/chatstates', // XEP-0085
  stanzaIds: 'urn:xmpp:sid:0', // XEP-0359
  hints: 'urn:xmpp:hints', // XEP-0334
  ping: 'urn:xmpp:ping', // XEP-0199
  stanzaErrors: 'urn:ietf:params:xml:ns:xmpp-stanzas',
} as const;

export type TypingState = 'typing' | 'paused';

/**
 * A chat message of ours: ids both ways (XEP-0359), a receipt asked for (XEP-0184), markable as read
 * (XEP-0333), the sender active (XEP-0085).
 */
export function chatMessageStanza(m: { from: string; to: string; id: string; text: string }): XmlElement {
  return xml(
    'message',
    { type: 'chat', from: m.from, to: m.to, id: m.id },
    xml('body', {}, m.text),
    xml('request', { xmlns: ns.receipts }),
    xml('markable', { xmlns: ns.markers }),
    xml('active', { xmlns: ns.chatStates }),
    xml('origin-id', { xmlns: ns.stanzaIds, id: m.id }),
    // We are the archive of this conversation for our user: the id it has there.
    xml('stanza-id', { xmlns: ns.stanzaIds, id: m.id, by: m.from.split('/')[0] }),
  );
}

export function receiptStanza(r: { from: string; to: string; id: string }): XmlElement {
  return xml('message', { from: r.from, to: r.to }, xml('received', { xmlns: ns.receipts, id: r.id }), xml('store', { xmlns: ns.hints }));
}

/** XEP-0333: the person was shown this message and everything before it. */
export function displayedStanza(d: { from: string; to: string; id: string }): XmlElement {
  return xml('message', { type: 'chat', from: d.from, to: d.to }, xml('displayed', { xmlns: ns.markers, id: d.id }), xml('store', { xmlns: ns.hints }));
}

export function chatStateStanza(s: { from: string; to: string; state: TypingState }): XmlElement {
  return xml('message', { type: 'chat', from: s.from, to: s.to }, xml(s.state === 'typing' ? 'composing' : 'paused', { xmlns: ns.chatStates }), xml('no-store', { xmlns: ns.hints }));
}

export function presenceStanza(p: { from: string; to: string; type?: 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed' | 'probe' | 'unavailable' }): XmlElement {
  return xml('presence', { from: p.from, to: p.to, type: p.type });
}

/** A Switchboard user's status as XMPP availability (RFC 6121 4.7.2.1): offline is unavailable. */
export function availabilityStanza(a: { from: string; to: string; status: OutsideStatus }): XmlElement {
  if (a.status === 'offline') return xml('presence', { from: a.from, to: a.to, type: 'unavailable' });
  const show = a.status === 'busy' ? 'dnd' : a.status === 'away' ? 'away' : undefined;
  return xml('presence', { from: a.from, to: a.to }, show === undefined ? undefined : xml('show', {}, show));
}

export function pingStanza(from: string, to: string): XmlElement {
  return xml('iq', { type: 'get', from, to }, xml('ping', { xmlns: ns.ping }));
}

export type ErrorCondition = 'service-unavailable' | 'not-acceptable' | 'resource-constraint' | 'internal-server-error';

/** The error answer to a stanza (RFC 6120 8.3): to its sender, from its addressee, with the same id. */
export function errorReply(stanza: XmlElement, condition: ErrorCondition, text?: string): XmlElement {
  const type = condition === 'resource-constraint' || condition === 'internal-server-error' ? 'wait' : condition === 'not-acceptable' ? 'modify' : 'cancel';
  return xml(
    stanza.name,
    { type: 'error', from: stanza.attrs.to, to: stanza.attrs.from, id: stanza.attrs.id },
    xml('error', { type }, xml(condition, { xmlns: ns.stanzaErrors }), text === undefined ? undefined : xml('text', { xmlns: ns.stanzaErrors, 'xml:lang': 'en' }, text)),
  );
}

/** What an incoming `<message/>` carries that the bridge acts on. */
export type IncomingMessage = {
  id: string | undefined;
  /** XEP-0359 origin-id: the id the sender's client gave the message, kept across retries. */
  originId: string | undefined;
  text: string | undefined;
  wantsReceipt: boolean;
  /** XEP-0333: the sender wants to hear when it was shown. */
  markable: boolean;
  /** XEP-0184: the id of one of our messages that reached the person. */
  receiptFor: string | undefined;
  /** XEP-0333: the id of one of our messages the person was shown (and everything before it). */
  displayedFor: string | undefined;
  typing: TypingState | undefined;
};

export function readMessage(stanza: XmlElement): IncomingMessage {
  const states = stanza.getChildElements().filter((child) => child.getNS() === ns.chatStates || child.attrs.xmlns === ns.chatStates);
  const state = states[0]?.name;
  return {
    id: stanza.attrs.id,
    originId: stanza.getChild('origin-id', ns.stanzaIds)?.attrs.id,
    text: stanza.getChildText('body') ?? undefined,
    wantsReceipt: stanza.getChild('request', ns.receipts) !== undefined,
    markable: stanza.getChild('markable', ns.markers) !== undefined,
    receiptFor: stanza.getChild('received', ns.receipts)?.attrs.id,
    displayedFor: stanza.getChild('displayed', ns.markers)?.attrs.id,
    typing: state === undefined ? undefined : state === 'composing' ? 'typing' : 'paused',
  };
}

/** A person's availability as one resource reports it (RFC 6121 4.7.2.1), in Switchboard's words. */
export function statusOfPresence(stanza: XmlElement): { status: OutsideStatus; text: string } {
  if (stanza.attrs.type === 'unavailable') return { status: 'offline', text: '' };
  const show = stanza.getChildText('show');
  const status: OutsideStatus = show === 'dnd' ? 'busy' : show === 'away' || show === 'xa' ? 'away' : 'online';
  return { status, text: (stanza.getChildText('status') ?? '').slice(0, 280) };
}
