// `switchboard send` and `switchboard messages`: chat by phone number from a terminal, as one more device
// of the signed-in user (its session from `switchboard login`, kept in the OS keychain).
import { randomUUID } from 'node:crypto';
import { ApiFailure } from '#common/contract/api-failure.js';
import { parseMessageSendAck, type ChatMessage, type ConversationView } from '#common/contract/messages.js';
import { routes } from '#common/contract/routes.js';
import { booleanOption, EXIT_FAILURE, EXIT_OK, stringOption, UsageError, type Command } from './command.js';
import { chatSession, ConnectionRefused, e164, messageLine, openChatSocket, serverOption, textOf } from './chat-connection.js';
import { humanError, wordsForCode } from './human-error.js';
import { follow } from './messages-follow.js';

const routeWords = { delivered: 'delivered', stored: 'stored until they come online', sms: 'sent as SMS' } as const;

/** Why a message was not sent, for the refusals where the terminal has a better next step than the app. */
function refusalWords(code: string, to: string): string {
  const words: Record<string, string> = {
    not_a_user: `${to} does not use Switchboard; add --sms to text them instead.`,
    blocked: `${to} cannot receive your messages.`,
    too_many_requests: 'You have sent as many SMS as allowed today. Try again tomorrow, or message people who use Switchboard.',
  };
  return words[code] ?? wordsForCode(code);
}

export const send: Command = {
  name: ['send'],
  args: '--to +E164 TEXT [--sms]',
  summary: 'Send a message to a phone number; with --sms, numbers without Switchboard get it by SMS.',
  options: {
    to: { type: 'string', description: 'The receiver\'s number in international form, e.g. +8613800138000.' },
    sms: { type: 'boolean', description: 'Fall back to SMS: for a number without Switchboard, or a notice when they are offline.' },
    json: { type: 'boolean', description: 'Print the answer as JSON: { route, sms, message }.' },
    server: serverOption,
  },
  async run({ positionals, options }, io) {
    const to = stringOption(options, 'to');
    if (!to) throw new UsageError('say who gets the message: --to and their number in international form, e.g. --to +8613800138000');
    if (!e164.test(to)) throw new UsageError(`"${to}" is not a number in international form; write it with + and the country code, e.g. +8613800138000`);
    const text = positionals.join(' ').trim();
    if (text === '') throw new UsageError('write the message after the number, e.g. switchboard send --to +8613800138000 "See you at 8"');
    const session = await chatSession(options, io);
    if (!session) return EXIT_FAILURE;
    let socket;
    try {
      socket = await openChatSocket(session, { reconnect: false });
    } catch (error) {
      if (!(error instanceof ConnectionRefused)) throw error;
      io.stderr(`Not sent: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    try {
      const payload = { clientId: randomUUID(), to: { phone: to }, body: { text }, fallback: booleanOption(options, 'sms') ? 'sms' : 'none' } as const;
      let answer;
      try {
        answer = parseMessageSendAck(await socket.timeout(30_000).emitWithAck('message:send', payload));
      } catch {
        io.stderr(`Not sent: ${wordsForCode('network_unreachable')}\n`);
        return EXIT_FAILURE;
      }
      if ('error' in answer) {
        io.stderr(`Not sent: ${refusalWords(answer.error.code, to)}\n`);
        return EXIT_FAILURE;
      }
      if (booleanOption(options, 'json')) io.stdout(`${JSON.stringify({ route: answer.route, sms: answer.sms, message: answer.message ?? null })}\n`);
      else io.stdout(`${routeWords[answer.route]}${answer.sms && answer.route === 'stored' ? ', and an SMS told them' : ''}\n`);
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
  args: '[--with +E164] [--follow] [--json]',
  summary: 'List conversations, or show one conversation with a number; --follow prints new messages until Ctrl-C.',
  options: {
    with: { type: 'string', description: 'Show the conversation with this number (international form).' },
    follow: { type: 'boolean', short: 'f', description: 'Keep running and print each new message (and mark it delivered).' },
    limit: { type: 'string', description: 'How many past messages to show (default 20, at most 200).' },
    json: { type: 'boolean', description: 'Print JSON: the conversations, or the messages oldest first; with --follow one message per line.' },
    server: serverOption,
  },
  async run({ options }, io) {
    const withPhone = stringOption(options, 'with');
    if (withPhone !== undefined && !e164.test(withPhone)) throw new UsageError(`"${withPhone}" is not a number in international form; write it with + and the country code, e.g. +8613800138000`);
    const limit = Number(stringOption(options, 'limit') ?? '20');
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit takes a whole number from 1 to 200');
    const json = booleanOption(options, 'json');
    const following = booleanOption(options, 'follow');
    const session = await chatSession(options, io);
    if (!session) return EXIT_FAILURE;
    let past: ChatMessage[] = [];
    try {
      const me = await session.api.call(routes.me, {});
      const conversations = await session.api.call(routes.conversations, {});
      const chosen = withPhone === undefined ? undefined : conversations.find((c) => c.kind === 'direct' && c.members.some((m) => m.phone === withPhone));
      if (withPhone === undefined) {
        if (json && !following) io.stdout(`${JSON.stringify(conversations, null, 2)}\n`);
        else if (!json) for (const conversation of conversations) io.stdout(describeConversation(conversation, me.id));
      } else {
        past = chosen ? [...(await session.api.call(routes.conversationMessages, { params: { id: chosen.id }, query: { limit } })).messages].reverse() : [];
        if (json) {
          if (following) for (const message of past) io.stdout(`${JSON.stringify(message)}\n`);
          else io.stdout(`${JSON.stringify(past, null, 2)}\n`);
        } else if (past.length > 0) for (const message of past) io.stdout(messageLine(message));
        else if (!following) io.stdout(`No messages with ${withPhone} yet.\n`);
      }
      if (!following) return EXIT_OK;
      return await follow(session, io, {
        json,
        lastSeqBefore: new Map(conversations.map((conversation) => [conversation.id, conversation.lastMessage?.seq ?? 0])),
        alreadyShown: past.map((message) => message.id),
        matches: (message) => withPhone === undefined || message.from.phone === withPhone || message.conversationId === chosen?.id,
      });
    } catch (error) {
      if (error instanceof ConnectionRefused) {
        io.stderr(`${error.message}\n`);
        return EXIT_FAILURE;
      }
      if (!(error instanceof ApiFailure)) throw error;
      io.stderr(`${humanError(error)}\n`);
      return EXIT_FAILURE;
    }
  },
};
