// The floor under any socket.io messenger on this machine: a server that does only what the transport must
// for one message (take `message:send`, answer it, hand `message` to the receiver, take its `message:ack`,
// hand `receipt` to the sender), with the same packets, sizes and socket.io options as the aggregator
// server, and nothing else: no storage, no checks, no limits. Whatever it costs per message, no server
// that speaks the contract over socket.io can cost less. Run by `npm run bench messages` as its own
// process, so its CPU is read the same way as the real server's; it prints its port and waits.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Server, type Socket } from 'socket.io';

/** The benchmark's phones end in 10,000,000 + the user's index (see benchPhones). */
const indexOfPhone = (phone: string) => Number(phone.slice(-8)) - 10_000_000;

type Conversation = { id: string; members: [number, number]; lastSeq: number };

const httpServer = http.createServer();
// As the aggregator server's realtime gateway sets them.
const io = new Server(httpServer, { serveClient: false, perMessageDeflate: false, cors: { origin: true }, maxHttpBufferSize: 256 * 1024 });
const socketsOf = new Map<number, Set<Socket>>();
const conversations = new Map<string, Conversation>();
const byPair = new Map<string, Conversation>();

function conversationBetween(a: number, b: number): Conversation {
  const key = a < b ? `${a}:${b}` : `${b}:${a}`;
  let conversation = byPair.get(key);
  if (!conversation) {
    conversation = { id: randomUUID(), members: [a, b], lastSeq: 0 };
    byPair.set(key, conversation);
    conversations.set(conversation.id, conversation);
  }
  return conversation;
}

const emitTo = (user: number, event: string, payload: unknown) => {
  for (const socket of socketsOf.get(user) ?? []) socket.emit(event, payload);
};

io.on('connection', (socket) => {
  // The token names the user (`floor-<index>`): no accounts, no sessions.
  const user = Number(String((socket.handshake.auth as { token?: unknown }).token).slice('floor-'.length));
  const mine = socketsOf.get(user) ?? new Set<Socket>();
  mine.add(socket);
  socketsOf.set(user, mine);
  const userId = `user-${user}`;
  const phone = `+86138${String(10_000_000 + user).slice(-8)}`;
  socket.on('disconnect', () => mine.delete(socket));
  socket.on('message:send', (payload: { clientId: string; to: { phone: string }; body: { text: string } }, answer: (result: unknown) => void) => {
    const to = indexOfPhone(payload.to.phone);
    const conversation = conversationBetween(user, to);
    conversation.lastSeq += 1;
    const message = { id: randomUUID(), clientId: payload.clientId, conversationId: conversation.id, seq: conversation.lastSeq, from: { userId, phone }, body: payload.body, sentAt: new Date().toISOString() };
    answer({ ok: true, message, route: 'delivered', sms: false });
    emitTo(to, 'message', message);
  });
  socket.on('message:ack', (payload: { conversationId: string; upTo: number }) => {
    const conversation = conversations.get(payload.conversationId);
    const other = conversation?.members.find((member) => member !== user);
    if (other !== undefined) emitTo(other, 'receipt', { conversationId: payload.conversationId, upTo: payload.upTo, state: 'delivered', by: userId, at: new Date().toISOString() });
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  if (typeof address === 'object' && address) console.log(`floor server on http://127.0.0.1:${address.port}`);
});

// Exits rather than dies on the benchmark's SIGTERM, so a `--cpu-prof` profile gets written.
process.on('SIGTERM', () => process.exit(0));
