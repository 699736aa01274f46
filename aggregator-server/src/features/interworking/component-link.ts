import { component, type XmlElement, type XmppComponent } from '@xmpp/component';
import type { Logger } from '../../platform/logger.js';

export type ComponentSettings = { service: string; domain: string; secret: string };

export type LinkHandlers = {
  onStanza(stanza: XmlElement): void;
  /** The XMPP server accepted the component (again). */
  onOnline(): void;
  /** The connection went away; the link is trying again unless stopped. */
  onOffline(): void;
};

const firstRetryMs = 250;
const longestRetryMs = 30_000;

/**
 * One XEP-0114 connection to the XMPP server, kept up while wanted: every loss (the server restarting, a
 * refused handshake, another component holding the name) is followed by a new attempt, waiting twice
 * as long each time up to 30 s, with jitter so that several nodes do not knock in step.
 */
export class ComponentLink {
  private entity: XmppComponent | undefined;
  private wanted = false;
  private connected = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly handlers: LinkHandlers,
    private readonly log: Logger,
  ) {}

  get online(): boolean {
    return this.connected;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.attempt = 0;
    this.connect();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retry);
    const entity = this.entity;
    this.entity = undefined;
    const wasOnline = this.connected;
    this.connected = false;
    if (entity) await entity.stop().catch(() => undefined);
    if (wasOnline) this.handlers.onOffline();
  }

  async send(stanza: XmlElement): Promise<void> {
    const entity = this.entity;
    if (!entity || !this.connected) throw new Error('the XMPP component is not connected');
    await entity.send(stanza);
  }

  /** An IQ and its answer; an error answer rejects. */
  async request(iq: XmlElement, timeoutMs: number): Promise<XmlElement> {
    const entity = this.entity;
    if (!entity || !this.connected) throw new Error('the XMPP component is not connected');
    return entity.iqCaller.request(iq, timeoutMs);
  }

  private connect(): void {
    const { service, domain, secret } = this.settings;
    const entity = component({ service, domain, password: secret });
    // xmpp.js would retry every second forever, and not at all after a failed first attempt: we retry ourselves.
    entity.reconnect.stop();
    this.entity = entity;
    entity.on('error', (error: Error) => {
      if (this.entity === entity) this.log.warn({ reason: error.message }, 'xmpp component error');
    });
    entity.on('stanza', (stanza) => {
      if (this.entity === entity && this.connected) this.handlers.onStanza(stanza);
    });
    entity.on('online', () => {
      if (this.entity !== entity) return;
      this.attempt = 0;
      this.connected = true;
      this.log.info({ domain }, 'xmpp component online');
      this.handlers.onOnline();
    });
    entity.on('disconnect', () => this.lost(entity));
    entity.start().catch((error: unknown) => {
      this.log.warn({ reason: (error as Error).message, service }, 'xmpp component could not connect');
      this.lost(entity);
    });
  }

  private lost(entity: XmppComponent): void {
    if (this.entity !== entity) return;
    this.entity = undefined;
    const wasOnline = this.connected;
    this.connected = false;
    entity.stop().catch(() => undefined);
    if (wasOnline) {
      this.log.warn({ domain: this.settings.domain }, 'xmpp component offline');
      this.handlers.onOffline();
    }
    if (!this.wanted) return;
    const delay = Math.min(longestRetryMs, firstRetryMs * 2 ** this.attempt) + Math.floor(Math.random() * firstRetryMs);
    this.attempt = Math.min(this.attempt + 1, 16);
    this.retry = setTimeout(() => {
      if (this.wanted && !this.entity) this.connect();
    }, delay);
    this.retry.unref();
  }
}
