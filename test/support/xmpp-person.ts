import { randomUUID } from 'node:crypto';
import { client, xml, type XmlElement, type XmppClient } from '@xmpp/client';

/**
 * A person on an XMPP server, with a real XMPP client (@xmpp/client) on loopback: keeps every stanza it
 * receives, approves presence subscriptions, and sends what a modern client sends (XEP-0359 origin-id,
 * XEP-0184 receipt requests, XEP-0085 chat states).
 */
export class XmppPerson {
  readonly stanzas: XmlElement[] = [];
  private readonly xmpp: XmppClient;
  private waiters: (() => void)[] = [];

  constructor(
    readonly jid: string,
    service: string,
    options: { approveSubscriptions?: boolean } = {},
  ) {
    const [username = '', domain = ''] = jid.split('@');
    this.xmpp = client({ service, domain, username, password: 'pw', resource: 'test' });
    this.xmpp.on('error', () => undefined);
    // Available presence on every (re)connection, as a client does: Prosody then hands over what it kept offline.
    this.xmpp.on('online', () => void this.xmpp.send(xml('presence', {})).catch(() => undefined));
    this.xmpp.on('stanza', (stanza) => {
      this.stanzas.push(stanza);
      if (stanza.name === 'presence' && stanza.attrs.type === 'subscribe' && options.approveSubscriptions !== false && stanza.attrs.from) {
        void this.xmpp.send(xml('presence', { to: stanza.attrs.from, type: 'subscribed' })).catch(() => undefined);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async online(): Promise<this> {
    const started = new Promise<void>((resolve) => this.xmpp.on('online', () => resolve()));
    await this.xmpp.start();
    await started;
    return this;
  }

  /** Whether the client is connected now (it reconnects by itself after the server went away). */
  get connected(): boolean {
    return this.xmpp.status === 'online';
  }

  send(stanza: XmlElement): Promise<void> {
    return this.xmpp.send(stanza);
  }

  /** A chat message as a modern client sends it (receipt asked, markable); answers its id (also its origin-id). */
  async say(to: string, text: string, id: string = randomUUID()): Promise<string> {
    await this.xmpp.send(
      xml('message', { type: 'chat', to, id }, xml('body', {}, text), xml('request', { xmlns: 'urn:xmpp:receipts' }), xml('markable', { xmlns: 'urn:xmpp:chat-markers:0' }), xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id }), xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' })),
    );
    return id;
  }

  typing(to: string, state: 'composing' | 'paused'): Promise<void> {
    return this.xmpp.send(xml('message', { type: 'chat', to }, xml(state, { xmlns: 'http://jabber.org/protocol/chatstates' })));
  }

  receipt(to: string, id: string): Promise<void> {
    return this.xmpp.send(xml('message', { to }, xml('received', { xmlns: 'urn:xmpp:receipts', id })));
  }

  /** The first stanza (already received or still to come) that matches. */
  async waitFor(predicate: (stanza: XmlElement) => boolean, what: string, timeoutMs = 15_000): Promise<XmlElement> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.stanzas.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.jid} timed out waiting for ${what}; got:\n${this.stanzas.map((s) => s.toString()).join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Chat messages with a body, in arrival order. */
  bodies(): { from: string; text: string; stanza: XmlElement }[] {
    return this.stanzas.flatMap((stanza) => {
      const text = stanza.name === 'message' && stanza.attrs.type !== 'error' ? stanza.getChildText('body') : null;
      return text === null ? [] : [{ from: stanza.attrs.from ?? '', text, stanza }];
    });
  }

  async stop(): Promise<void> {
    await this.xmpp.stop().catch(() => undefined);
  }
}
