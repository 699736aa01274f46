import { createHash } from 'node:crypto';
import { plainTextOf, type ChatMessage, type MessageSendPayload, type MessageSendResult } from '#common/contract/messages.js';
import { parsePhone, regionOfE164 } from '#common/phone/phone.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { Keyring } from '../../platform/crypto.js';
import type { Logger } from '../../platform/logger.js';
import { parseSmsCommand, type SmsCommand, type SmsLanguage } from './sms-commands.js';
import { relayText, replies } from './sms-replies.js';
import type { SmsService } from './sms.service.js';
import type { GatewaySession, SmsRepository } from './sms.repository.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the gateway needs of identity: password sign-in with its attempt limits, and sessions. */
export interface GatewayIdentity {
  loginWithPassword(
    input: { phone: string; password: string; device: { id: string; name: string; platform: string } },
    ip: string,
  ): Promise<{ session: { id: string; userId: string } }>;
  revokeDevice(userId: string, deviceId: string, block: boolean): Promise<boolean>;
  endedAmong(sessionIds: string[]): Promise<Map<string, 'expired' | 'revoked'>>;
  primaryPhones(userIds: string[]): Promise<Map<string, string>>;
}

/** What the gateway needs of messages: sending as a user's device, and marking what the phone got. */
export interface GatewayMessages {
  send(sender: { userId: string; deviceId: string }, payload: MessageSendPayload): Promise<MessageSendResult>;
  markDelivered(device: { userId: string; deviceId: string }, conversationId: string, upTo: number): Promise<void>;
  /** Whether any device of the user holds a socket on any node. */
  online(userId: string): Promise<boolean>;
  /** The group's title, or undefined for a direct conversation. */
  groupTitle(conversationId: string): Promise<string | undefined>;
}

/**
 * The SMS gateway of seed 004: a phone without data signs in to an account with its password and then
 * chats with users by SMS. The phone is one device of the account ("SMS +86..."), with a real session
 * that the owner sees and may end from the app; every answer is an SMS.
 */
export class PhoneGatewayService {
  constructor(
    private readonly deps: {
      repo: SmsRepository;
      sms: SmsService;
      identity: GatewayIdentity;
      messages: GatewayMessages;
      keyring: Keyring;
      clock: Clock;
      log: Logger;
      defaultRegion: string | undefined;
    },
  ) {}

  /** One inbound SMS from `phone` (E.164), already de-duplicated. `messageKey` makes a retried send idempotent. */
  async handle(phone: string, text: string, messageKey: string): Promise<void> {
    const command = parseSmsCommand(text);
    const { sms } = this.deps;
    if (command.kind === 'stop') {
      await this.endSession(phone);
      if (await sms.setOptedOut(phone, true)) await sms.send(phone, replies.optedOut(command.language), [sms.gatewayCap(phone)], { ignoreOptOut: true });
      return;
    }
    if (command.kind === 'start') {
      if (await sms.setOptedOut(phone, false)) await sms.send(phone, replies.optedIn(command.language), [sms.gatewayCap(phone)]);
      return;
    }
    const session = await this.liveSession(phone);
    if (command.kind === 'help') {
      const text = session ? replies.help(command.language) : replies.notSignedIn(command.language);
      await sms.send(phone, text, [session ? sms.gatewayCap(phone) : sms.helpCap(phone)], { ignoreOptOut: true });
      return;
    }
    // An opted-out phone asked for silence: only STOP, START and HELP are answered.
    if (await sms.isOptedOut(phone)) {
      this.deps.log.info('inbound SMS from an opted-out number dropped');
      return;
    }
    if (command.kind === 'sign_in') return this.signIn(phone, command);
    if (command.kind === 'malformed_sign_in') {
      await sms.send(phone, replies.malformedSignIn(command.language), [session ? sms.gatewayCap(phone) : sms.helpCap(phone)]);
      return;
    }
    // The same short help whoever owns the number, and only a few a day.
    if (!session) {
      await sms.send(phone, replies.notSignedIn(command.language), [sms.helpCap(phone)]);
      return;
    }
    await this.asSignedIn(session, command, messageKey);
  }

  private async asSignedIn(session: GatewaySession, command: Exclude<SmsCommand, { kind: 'stop' | 'start' | 'help' | 'sign_in' | 'malformed_sign_in' }>, messageKey: string): Promise<void> {
    const { sms } = this.deps;
    const answer = (text: string) => sms.send(session.phone, text, [sms.gatewayCap(session.phone)]).then(() => undefined);
    switch (command.kind) {
      case 'logout':
        await this.endSession(session.phone);
        return answer(replies.loggedOut(command.language));
      case 'malformed_send':
        return answer(replies.malformedSend(command.language));
      case 'send': {
        const parsed = parsePhone(command.to, regionOfE164(session.phone) ?? this.deps.defaultRegion);
        if (!parsed.ok) return answer(replies.invalidNumber(command.language, command.to));
        return this.sendAs(session, { phone: parsed.e164 }, command.text, command.language, messageKey);
      }
      case 'text':
        if (session.lastConversationId === null) return answer(replies.noCorrespondent(command.language));
        return this.sendAs(session, { conversationId: session.lastConversationId }, command.text, command.language, messageKey);
    }
  }

  private async sendAs(session: GatewaySession, to: MessageSendPayload['to'], text: string, language: SmsLanguage, messageKey: string): Promise<void> {
    const { sms, messages } = this.deps;
    const answer = (reply: string) => sms.send(session.phone, reply, [sms.gatewayCap(session.phone)]).then(() => undefined);
    try {
      const result = await messages.send(
        { userId: session.userId, deviceId: session.deviceId },
        { clientId: this.clientIdFor(messageKey), to, body: { text }, fallback: 'none' },
      );
      if (result.message) {
        await this.deps.repo.setLastConversation(session.phone, result.message.conversationId);
        // The phone holds its own message: it is delivered to this device.
        await messages.markDelivered({ userId: session.userId, deviceId: session.deviceId }, result.message.conversationId, result.message.seq);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'not_a_user') return answer(replies.notAUser(language, 'phone' in to ? to.phone : ''));
      if (error.code === 'rate_limited') return answer(replies.slowDown(language));
      if (error.code === 'validation_failed' && 'phone' in to) return answer(replies.invalidNumber(language, to.phone));
      return answer(replies.notDelivered(language));
    }
  }

  private async signIn(phone: string, command: Extract<SmsCommand, { kind: 'sign_in' }>): Promise<void> {
    const { identity, sms } = this.deps;
    const answer = (text: string) => sms.send(phone, text, [sms.gatewayCap(phone)]).then(() => undefined);
    const accountPhone = await this.accountPhone(command.username, phone);
    const deviceId = this.deviceIdFor(phone);
    try {
      // The same limits as password sign-in: the phone is the "address" of the attempts.
      const opened = await identity.loginWithPassword(
        { phone: accountPhone ?? command.username, password: command.password, device: { id: deviceId, name: `SMS ${phone}`, platform: 'sms' } },
        `sms:${phone}`,
      );
      const userId = opened.session.userId;
      const previous = await this.deps.repo.gatewaySession(phone);
      // One account per phone: signing in to another account ends the first.
      if (previous && previous.userId !== userId) await identity.revokeDevice(previous.userId, previous.deviceId, false);
      await this.deps.repo.saveGatewaySession({
        phone,
        userId,
        sessionId: opened.session.id,
        deviceId,
        language: command.language,
        lastConversationId: null,
        signedInAt: this.deps.clock.now(),
      });
      return answer(replies.signedIn(command.language, accountPhone ?? command.username));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 429) {
        const seconds = typeof error.details.retryAfter === 'number' ? error.details.retryAfter : 60;
        return answer(replies.tooManyAttempts(command.language, Math.max(1, Math.ceil(seconds / 60))));
      }
      // Wrong password, unknown number or id, malformed number, blocked device: one answer for all.
      return answer(replies.wrongCredentials(command.language));
    }
  }

  /**
   * Messages to a user signed in by SMS who has no device online go to the phone as
   * `[+8613800138000] text` (`[Family · +8613800138000] text` from a group); the phone's plain reply goes
   * back to that conversation, the group included.
   */
  async relay(message: ChatMessage, recipientIds: string[]): Promise<void> {
    // Most receivers are online: they cost no query here (the presence check is in memory or Redis).
    const offline = await Promise.all(recipientIds.map(async (userId) => ((await this.deps.messages.online(userId)) ? undefined : userId)));
    const candidates = offline.filter((userId): userId is string => userId !== undefined);
    if (candidates.length === 0) return;
    const sessions = await this.deps.repo.gatewaySessionsOfUsers(candidates);
    if (sessions.length === 0) return;
    const ended = await this.deps.identity.endedAmong(sessions.map((session) => session.sessionId));
    const groupTitle = await this.deps.messages.groupTitle(message.conversationId);
    for (const session of sessions) {
      if (ended.has(session.sessionId)) {
        await this.deps.repo.deleteGatewaySession(session.phone);
        continue;
      }
      const text = plainTextOf(message.body);
      const outcome = await this.deps.sms.send(session.phone, relayText(message.from.phone, text, groupTitle), [this.deps.sms.gatewayCap(session.phone)]);
      if (outcome !== 'sent') continue;
      await this.deps.repo.setLastConversation(session.phone, message.conversationId);
      await this.deps.messages.markDelivered({ userId: session.userId, deviceId: session.deviceId }, message.conversationId, message.seq);
    }
  }

  /** A session that ended elsewhere (the owner signed the phone out in the app, password change...). */
  async sessionsEnded(sessionIds: string[]): Promise<void> {
    await this.deps.repo.deleteGatewaySessionsBySession(sessionIds);
  }

  async deleteUser(userId: string): Promise<void> {
    await this.deps.repo.deleteGatewaySessionsOfUser(userId);
  }

  /** The phone's session, if it is still valid (it may have been ended from the app on another node). */
  private async liveSession(phone: string): Promise<GatewaySession | undefined> {
    const session = await this.deps.repo.gatewaySession(phone);
    if (!session) return undefined;
    const ended = await this.deps.identity.endedAmong([session.sessionId]);
    if (!ended.has(session.sessionId)) return session;
    await this.deps.repo.deleteGatewaySession(phone);
    return undefined;
  }

  private async endSession(phone: string): Promise<void> {
    const session = await this.deps.repo.deleteGatewaySession(phone);
    if (session) await this.deps.identity.revokeDevice(session.userId, session.deviceId, false);
  }

  /** The account's number, from a number (national ones in the phone's region) or a user id. */
  private async accountPhone(username: string, phone: string): Promise<string | undefined> {
    if (uuidPattern.test(username)) return (await this.deps.identity.primaryPhones([username.toLowerCase()])).get(username.toLowerCase());
    const parsed = parsePhone(username, regionOfE164(phone) ?? this.deps.defaultRegion);
    return parsed.ok ? parsed.e164 : undefined;
  }

  /** One device id per phone, stable, without the number in clear. */
  private deviceIdFor(phone: string): string {
    return `sms-${this.deps.keyring.keyedHash('sms-device', phone).slice(0, 20)}`;
  }

  /** A retried inbound SMS sends its message once: the clientId comes from the message's key. */
  private clientIdFor(messageKey: string): string {
    const hex = createHash('sha256').update(this.deps.keyring.keyedHash('sms-client-id', messageKey)).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}
