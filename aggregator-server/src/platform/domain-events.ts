import { EventEmitter } from 'node:events';

/** What features announce to each other and to realtime, without importing one another. */
export type DomainEventMap = {
  /** A user's address book changed; `sessionId` made the change (its own sockets need no notice). */
  addressBookChanged: [{ userId: string; sessionId: string; version: number }];
  /** One of the user's devices asks for the book key; `sessionId` asked (its own sockets need no notice). */
  keyExchangePending: [{ userId: string; sessionId: string; deviceId: string; name: string; platform: string }];
  /** A key request of one of the user's devices was approved or rejected. */
  keyExchangeAnswered: [{ userId: string; deviceId: string; state: 'approved' | 'rejected' }];
  /** Who may see `userId`'s activity may have changed (privacy settings, lists, or the book). */
  audienceChanged: [{ userId: string }];
  /** `userId` put `otherId` on their blocklist: whatever connects the two (a call) ends now. */
  blocked: [{ userId: string; otherId: string }];
  /** `userId` published, changed or removed one of their network identities. */
  identitiesChanged: [{ userId: string }];
  /** `userId` became invisible or stopped being invisible. */
  invisibilityChanged: [{ userId: string }];
  /** Who among these users' contacts is on Switchboard changed (someone in their books joined). */
  contactsChanged: [{ userIds: string[] }];
};

export class DomainEvents {
  private readonly emitter = new EventEmitter();

  emit<K extends keyof DomainEventMap>(event: K, ...payload: DomainEventMap[K]): void {
    this.emitter.emit(event, ...payload);
  }

  on<K extends keyof DomainEventMap>(event: K, listener: (...payload: DomainEventMap[K]) => void): () => void {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...args: unknown[]) => void);
  }
}
