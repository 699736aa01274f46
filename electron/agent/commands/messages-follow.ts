// `switchboard messages --follow`: prints messages as they arrive and acknowledges them without ever
// acknowledging past a gap; the connection comes back by itself and the server then replays whatever
// this device has not acknowledged.
import type { ChatMessage } from '#common/contract/messages.js';
import { validatedListener } from '#common/contract/socket-events.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './command.js';
import { connectFailureWords, messageLine, openChatSocket, type ChatSession } from './chat-connection.js';
import { ContiguousAcks } from './contiguous-acks.js';
import { sessionEndedWords } from './signed-in.js';

export type FollowOptions = {
  json: boolean;
  /** Which messages to print; every message is acknowledged all the same (it reached this device). */
  matches: (message: ChatMessage) => boolean;
  /** Each conversation's last sequence number, listed before connecting: where acknowledgements start. */
  lastSeqBefore: ReadonlyMap<string, number>;
  /** Messages already on the screen (the history printed before following): not printed again. */
  alreadyShown?: readonly string[];
};

/** Prints matching messages as they arrive (the backlog first) until interrupted or signed out. */
export async function follow(session: ChatSession, io: CliIo, options: FollowOptions): Promise<number> {
  const shown = new Set<string>(options.alreadyShown);
  const acks = new ContiguousAcks(options.lastSeqBefore);
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const ignored = () => io.stderr('Ignored a damaged event from the server; if this repeats, update Switchboard.\n');

  const socket = await openChatSocket(session, { reconnect: true }, (socket) => {
    socket.on(
      'message',
      validatedListener(
        'message',
        (message) => {
          if (!shown.has(message.id)) {
            shown.add(message.id);
            if (options.matches(message)) io.stdout(options.json ? `${JSON.stringify(message)}\n` : messageLine(message));
          }
          const upTo = acks.receive(message.conversationId, message.seq);
          // Not acknowledged now is not lost: the server sends it again after a reconnect or its catch-up.
          if (upTo !== undefined) socket.timeout(30_000).emit('message:ack', { conversationId: message.conversationId, upTo }, () => undefined);
        },
        ignored,
      ),
    );
    socket.on(
      'session:ended',
      validatedListener(
        'session:ended',
        ({ reason }) => {
          io.stderr(sessionEndedWords(reason));
          finish(EXIT_FAILURE);
        },
        ignored,
      ),
    );
  });

  let lost = false;
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    if (!lost) io.stderr('The connection to the server was lost; reconnecting...\n');
    lost = true;
    // The server closed this socket (a restart, a rebalance): socket.io leaves reconnecting to us then.
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('connect', () => {
    if (lost) io.stderr('Reconnected; messages that arrived meanwhile follow.\n');
    lost = false;
  });
  socket.on('connect_error', (error) => {
    const code = (error as Error & { data?: { code?: unknown } }).data?.code;
    if (code !== 'unauthorized' && code !== 'device_blocked') return;
    io.stderr(`${connectFailureWords(error)}\n`);
    finish(EXIT_FAILURE);
  });

  const stop = () => finish(EXIT_OK);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await finished;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  socket.disconnect();
  return code;
}
