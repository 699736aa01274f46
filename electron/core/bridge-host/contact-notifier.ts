import type { PresenceEvent } from '#common/contract/socket-events.js';

export interface ContactNotification {
  userId: string;
  plugin: string;
  title: string;
  body: string;
}

export interface ContactNotifierOptions {
  /** The per-contact switch the person set through `notifications.setForContact`. */
  notifiesFor(userId: string): boolean;
  pluginName(pluginId: string): string | undefined;
  /** How to call the contact: the server never learns names, so main passes the phone number it knows. */
  contactLabel(userId: string): string | undefined;
}

/**
 * Turns the server's presence stream into "Alice is now on Telegram". The first event about a person
 * (the snapshot after connecting) only sets the baseline: reconnecting must not announce everyone who
 * was already online. After that, each network that appears in a contact's apps is one notification.
 */
export class ContactNotifier {
  private readonly known = new Map<string, Set<string>>();

  constructor(private readonly options: ContactNotifierOptions) {}

  observe(event: PresenceEvent): ContactNotification[] {
    const now = new Set(event.status === 'offline' ? [] : event.apps.map((app) => app.plugin));
    const before = this.known.get(event.userId);
    this.known.set(event.userId, now);
    if (before === undefined || !this.options.notifiesFor(event.userId)) return [];
    const label = this.options.contactLabel(event.userId) ?? 'A contact';
    return [...now]
      .filter((plugin) => !before.has(plugin))
      .map((plugin) => {
        const network = this.options.pluginName(plugin) ?? plugin;
        return { userId: event.userId, plugin, title: `${label} is now on ${network}`, body: `Click to open ${network}.` };
      });
  }

  /** After a reconnect the server sends a fresh snapshot; treat it as a new baseline. */
  reset(): void {
    this.known.clear();
  }
}
