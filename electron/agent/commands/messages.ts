// `switchboard send` and `switchboard messages`: chat by phone number from a terminal, as one more device
// of the signed-in user (its session from `switchboard login`, kept in the OS keychain).
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { parseMessageSendAck, type ChatMessage, type ConversationView } from '#common/contract/messages.js';
import { routes } from '#common/contract/routes.js';
import { validatedListener, type ClientToServerEvents, type ServerToClientEvents } from '#common/contract/socket-events.js';
import { VaultError } from '#core/vault/index.js';
import { booleanOption, EXIT_FAILURE, EXIT_OK, stringOption, UsageError, type CliIo, type Command } from './command.js';
import { defaultServerUrl, openSessionStore } from './session-store.js';

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type SignedIn = { serverUrl: string; token: string; api: SwitchboardClient };

const e164 = /^\+[1-9]\d{6,14}$/;

const serverOption = { type: 'string', description: 'The Switchboard server (default SWITCHBOARD_SERVER_URL or http://127.0.0.1:8080).' } as const;

async function signedIn(options: Record<string, unknown>, io: CliIo): Promise<SignedIn | undefined> {
  const serverUrl = (typeof options.server === 'string' ? options.server : undefined) ?? defaultServerUrl(io.env);
  try {
    const session = await openSessionStore().get(serverUrl);
    if (!session) {
      io.stderr(`not signed in to ${serverUrl}: run \`switchboard login\` first\n`);
      return undefined;
    }
    return { serverUrl, token: session.token, api: new SwitchboardClient({ baseUrl: serverUrl, token: () => session.token, timeoutMs: 30_000 }) };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    io.stderr(`${error.code}: ${error.message}\n`);
    return undefined;
  }
}

/**
 * Connects; `listen` attaches the event listeners first, since the server replays the backlog (and any
 * message sent meanwhile) right after the handshake: a listener added after `connect` could miss it.
 */
function openSocket(session: SignedIn, listen: (socket: ChatSocket) => void = () => undefined): Promise<ChatSocket> {
  const socket: ChatSocket = connect(session.serverUrl, { auth: { token: session.token }, transports: ['websocket'], reconnection: false, autoConnect: false });
  listen(socket);
  socket.connect();
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(new Error(`cannot reach ${session.serverUrl}: ${error.message}`)));
  });
}

function textOf(message: ChatMessage): string {
  const { body } = message;
  if ('call' in body) return `[${body.call.media === 'video' ? 'video' : 'voice'} call: ${body.call.outcome}${body.call.durationSeconds === undefined ? '' : `, ${body.call.durationSeconds} s`}]`;
  return 'text' in body ? body.text : `[file ${body.attachmentId}]${body.caption ? ` ${body.caption}` : ''}`;
}

function line(message: ChatMessage): string {
  return `${message.sentAt.slice(0, 19).replace('T', ' ')}  ${message.from.phone}: ${textOf(message)}\n`;
}

const routeWords = { delivered: 'delivered', stored: 'stored until they come online', sms: 'sent as SMS' } as const;

export const send: Command = {
  name: ['send'],
  args: '--to +E164 TEXT [--sms]',
  summary: 'Send a message to a phone number; with --sms, numbers without Switchboard get it by SMS.',
  options: {
    to: { type: 'string', description: 'The receiver\'s number in international form, e.g. +8613800138000.' },
    sms: { type: 'boolean', description: 'Fall back to SMS: for a number without Switchboard, or a notice when they are offline.' },
    server: serverOption,
  },
  async run({ positionals, options }, io) {
    const to = stringOption(options, 'to');
    if (!to || !e164.test(to)) throw new UsageError('--to needs a number in international form, e.g. +8613800138000');
    const text = positionals.join(' ').trim();
    if (text === '') throw new UsageError('missing TEXT, the message to send');
    const session = await signedIn(options, io);
    if (!session) return EXIT_FAILURE;
    const socket = await openSocket(session);
    try {
      const payload = { clientId: randomUUID(), to: { phone: to }, body: { text }, fallback: booleanOption(options, 'sms') ? 'sms' : 'none' } as const;
      const answer = parseMessageSendAck(await socket.timeout(30_000).emitWithAck('message:send', payload));
      if ('error' in answer) {
        const reasons: Record<string, string> = {
          not_a_user: `${to} does not use Switchboard; add --sms to text them instead`,
          blocked: `${to} cannot receive your messages`,
          rate_limited: 'too many messages; wait a little',
          too_many_requests: 'too many SMS today; try again tomorrow',
        };
        io.stderr(`not sent: ${reasons[answer.error.code] ?? answer.error.message} (${answer.error.code})\n`);
        return EXIT_FAILURE;
      }
      io.stdout(`${routeWords[answer.route]}${answer.sms && answer.route === 'stored' ? ', and an SMS told them' : ''}\n`);
      return EXIT_OK;
    } finally {
      socket.disconnect();
    }
  },
};

function describeConversation(conversation: ConversationView, myId: string): string {
  const others = conversation.members.filter((member) => member.userId !== myId).map((member) => member.phone);
  const name = conversation.title ?? others.join(', ');
  const last = conversation.lastMessage ? `  ${conversation.lastMessage.from.phone}: ${textOf(conversation.lastMessage)}` : '';
  return `${name}${conversation.unread > 0 ? ` (${conversation.unread} unread)` : ''}${last}\n`;
}

export const messages: Command = {
  name: ['messages'],
  args: '[--with +E164] [--follow]',
  summary: 'List conversations, or show one conversation with a number; --follow prints new messages until Ctrl-C.',
  options: {
    with: { type: 'string', description: 'Show the conversation with this number (international form).' },
    follow: { type: 'boolean', short: 'f', description: 'Keep running and print each new message (and mark it delivered).' },
    limit: { type: 'string', description: 'How many past messages to show (default 20, at most 200).' },
    server: serverOption,
  },
  async run({ options }, io) {
    const withPhone = stringOption(options, 'with');
    if (withPhone !== undefined && !e164.test(withPhone)) throw new UsageError('--with needs a number in international form');
    const limit = Number(stringOption(options, 'limit') ?? '20');
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit is a number from 1 to 200');
    const session = await signedIn(options, io);
    if (!session) return EXIT_FAILURE;
    try {
      const me = await session.api.call(routes.me, {});
      const conversations = await session.api.call(routes.conversations, {});
      const chosen = withPhone === undefined ? undefined : conversations.find((c) => c.kind === 'direct' && c.members.some((m) => m.phone === withPhone));
      if (withPhone === undefined) for (const conversation of conversations) io.stdout(describeConversation(conversation, me.id));
      else if (chosen) {
        const page = await session.api.call(routes.conversationMessages, { params: { id: chosen.id }, query: { limit } });
        for (const message of [...page.messages].reverse()) io.stdout(line(message));
      } else if (!booleanOption(options, 'follow')) io.stdout(`no messages with ${withPhone} yet\n`);
      if (!booleanOption(options, 'follow')) return EXIT_OK;
      return await follow(session, io, (message) => withPhone === undefined || message.from.phone === withPhone || message.conversationId === chosen?.id);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      io.stderr(`${error.code}: ${error.message}\n`);
      return EXIT_FAILURE;
    }
  },
};

/** Prints matching messages as they arrive (the backlog first) and acknowledges them, until interrupted. */
async function follow(session: SignedIn, io: CliIo, matches: (message: ChatMessage) => boolean): Promise<number> {
  const seen = new Set<string>();
  const socket = await openSocket(session, (socket) =>
    socket.on(
      'message',
      validatedListener(
        'message',
        (message) => {
          if (seen.has(message.id)) return;
          seen.add(message.id);
          if (matches(message)) io.stdout(line(message));
          socket.emit('message:ack', { conversationId: message.conversationId, upTo: message.seq }, () => undefined);
        },
        (event, problem) => io.stderr(`ignored a malformed ${event} event: ${problem}\n`),
      ),
    ),
  );
  return new Promise((resolve) => {
    const stop = () => {
      socket.disconnect();
      resolve(EXIT_OK);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      io.stderr(`connection lost (${reason})\n`);
      resolve(EXIT_FAILURE);
    });
  });
}
