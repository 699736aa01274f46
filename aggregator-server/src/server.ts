import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { createClient, type RedisClientType } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';
import type pino from 'pino';
import type { ServerConfig } from './config.js';
import { openStorage, storageOptionsFor, type Storage, type StorageOptions } from './db/database.js';
import { AccountService } from './features/identity/account.service.js';
import { KyselyIdentityRepository } from './features/identity/identity.kysely-repository.js';
import { identityRouter } from './features/identity/identity.router.js';
import { PasswordThrottle } from './features/identity/password-throttle.js';
import { RetentionPurge } from './features/identity/retention-purge.js';
import { SessionService } from './features/identity/session.service.js';
import { VerificationService } from './features/identity/verification.service.js';
import { createSmsGateway } from './features/sms/create-gateway.js';
import { devSmsRouter, outboxMayBeServed } from './features/sms/dev-sms.router.js';
import { OutboxGateway } from './features/sms/outbox-gateway.js';
import type { SmsGateway } from './features/sms/sms-gateway.js';
import { errorHandler, notFoundHandler, refuseNulInUrl } from './http/error-handler.js';
import { createRealtimeServer, type RealtimeServer } from './realtime/realtime-gateway.js';
import { publisherForAdapter } from './realtime/redis-adapter-client.js';
import { systemClock, type Clock } from './platform/clock.js';
import { Keyring } from './platform/crypto.js';
import { createLogger, type Logger } from './platform/logger.js';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './platform/rate-limiter.js';
import { resolveServerSecret } from './platform/secret.js';
import { DomainEvents } from './platform/domain-events.js';
import { authenticateBeforeBody, routeMounter } from './http/mount-route.js';
import { platformRouter } from './http/platform.router.js';
import { routes } from '#common/contract/routes.js';
import { apiPrefix } from '#common/contract/route.js';
import { builtinPluginsDir, PluginCatalogue } from './features/plugins-catalogue/catalogue.js';
import { catalogueRouter } from './features/plugins-catalogue/catalogue.router.js';
import { KyselyContactsRepository } from './features/contacts/contacts.kysely-repository.js';
import { ContactsService } from './features/contacts/contacts.service.js';
import { ContactGraph } from './features/contacts/contact-graph.js';
import { contactsRouter } from './features/contacts/contacts.router.js';
import { invitationsRouter } from './features/invitations/invitations.router.js';
import { defaultInvitationLimits, InvitationsService } from './features/invitations/invitations.service.js';
import { KyselyPrivacyRepository } from './features/privacy/privacy.kysely-repository.js';
import { PrivacyService } from './features/privacy/privacy.service.js';
import { privacyRouter } from './features/privacy/privacy.router.js';
import { mountAccounts } from './features/accounts/mount.js';
import { KyselyKeyExchangeRepository } from './features/key-exchange/key-exchange.kysely-repository.js';
import { KeyExchangeService } from './features/key-exchange/key-exchange.service.js';
import { keyExchangeRouter } from './features/key-exchange/key-exchange.router.js';
import type { HostResolver } from './features/accounts/public-host.js';
import { webClientRouter } from './http/web-client.js';
import { apiCors } from './http/cors.js';
import { refuseCompressedBodies } from './http/body-limits.js';
import { addressBookUploadBudget } from './features/contacts/upload-budget.js';
import { MemoryPresenceStore } from './features/presence/memory-presence.store.js';
import { RedisPresenceStore } from './features/presence/redis-presence.store.js';
import type { PresenceStore } from './features/presence/presence.store.js';
import { PresenceService } from './features/presence/presence.service.js';
import { attachPresence, socketOutlet } from './features/presence/presence.gateway.js';
import { KyselyMessagesRepository } from './features/messages/messages.kysely-repository.js';
import { MessagesService, type MessageOutlet, type OutsideNetworks } from './features/messages/messages.service.js';
import { messagesRouter } from './features/messages/messages.router.js';
import { GroupsService } from './features/messages/groups.service.js';
import { MessageViews } from './features/messages/message-views.js';
import { attachMessages } from './features/messages/messages.gateway.js';
import { scheduleRetention } from './features/messages/retention.js';
import { AttachmentsService, sharpThumbnailer } from './features/messages/attachments.service.js';
import { openFileStore } from './features/messages/file-store.js';
import { KyselyIdentitiesRepository } from './features/identities/identities.kysely-repository.js';
import { IdentitiesService } from './features/identities/identities.service.js';
import { identitiesRouter } from './features/identities/identities.router.js';
import { KyselySmsRepository } from './features/sms/sms.kysely-repository.js';
import { SmsService } from './features/sms/sms.service.js';
import { PhoneGatewayService } from './features/sms/phone-gateway.service.js';
import { SmsInboundService } from './features/sms/sms-inbound.service.js';
import { smsInboundRouter } from './features/sms/sms-inbound.router.js';
import { attachIdentities } from './features/identities/identities.gateway.js';
import { createInterworking, type Interworking } from './features/interworking/mount.js';
import { interworkingRouter } from './features/interworking/interworking.router.js';
import { postsRouter } from './features/posts/posts.router.js';
import { KyselyPostsRepository } from './features/posts/posts.kysely-repository.js';
import { PostsService } from './features/posts/posts.service.js';
import type { PostsOutlet } from './features/posts/posts.live.js';
import { AlbumsService } from './features/posts/albums.service.js';
import { socketPostsOutlet } from './features/posts/posts.gateway.js';
import { KyselyProfileRepository } from './features/profile/profile.kysely-repository.js';
import { ProfileService } from './features/profile/profile.service.js';
import { profileRouter } from './features/profile/profile.router.js';
import { VisibilityService } from './features/profile/visibility.service.js';
import { MemoryCallStore, type CallStore } from './features/calls/calls.store.js';
import { RedisCallStore } from './features/calls/redis-calls.store.js';
import { CallsService } from './features/calls/calls.service.js';
import { attachCalls, socketCallOutlet } from './features/calls/calls.gateway.js';
import { callsRouter } from './features/calls/calls.router.js';

/**
 * node-redis gives up for good after a socket timeout by default; a node must keep trying, or it stays
 * cut off from the others (and from shared limits) after one slow reconnect.
 */
function keepReconnecting(retries: number): number {
  return Math.min(2 ** retries * 50, 2000) + Math.floor(Math.random() * 200);
}

export type ServerOptions = {
  clock?: Clock;
  logDestination?: pino.DestinationStream;
  /** Where the outbox prints each message; the console by default. */
  smsPrint?: ((line: string) => void) | null;
  storage?: StorageOptions;
  sms?: SmsGateway;
  /** Tests only: a stand-in for DNS, for the host names of federated OAuth instances. */
  hostResolver?: HostResolver;
};

export type RunningServer = {
  url: string;
  port: number;
  io: RealtimeServer;
  /** The express app, for tests that compare what it serves with the route table. */
  app: Express;
  storage: Storage;
  sms: SmsGateway;
  log: Logger;
  close(): Promise<void>;
  services: {
    privacy: PrivacyService;
    contacts: ContactsService;
    identities: IdentitiesService;
    events: DomainEvents;
    presence: PresenceService;
    sessions: SessionService;
    retentionPurge: RetentionPurge;
    messages: MessagesService;
    /** The XMPP bridge (M28), when configured. */
    interworking: Interworking | undefined;
    posts: PostsService;
    sms: SmsService;
  };
};

export async function startServer(config: ServerConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const log = createLogger(config.logLevel, options.logDestination);
  const shared = Boolean(config.databaseUrl || config.redisUrl);
  const keyring = new Keyring(resolveServerSecret(config.secret, config.dataDir, shared, log));
  // Disk under DATA_DIR, or the S3-compatible bucket the configuration names: checked first, before
  // anything else is opened, so a wrong bucket stops the start cleanly.
  const attachmentStore = await openFileStore(config.attachmentStorage, config.dataDir);
  const storage = await openStorage(options.storage ?? storageOptionsFor(config));

  const redisClients: RedisClientType[] = [];
  let limiter: RateLimiter = new MemoryRateLimiter(clock);
  let presenceStore: PresenceStore = new MemoryPresenceStore();
  let callStore: CallStore = new MemoryCallStore(() => clock.now());
  if (config.redisUrl) {
    const client: RedisClientType = createClient({ url: config.redisUrl, socket: { reconnectStrategy: keepReconnecting } });
    client.on('error', (error: Error) => log.error({ reason: error.message }, 'redis error'));
    await client.connect();
    redisClients.push(client);
    limiter = new RedisRateLimiter(client, clock, (key) => keyring.keyedHash('rate-limit', key), `${config.redisKeyPrefix}rl:`);
    presenceStore = new RedisPresenceStore(client, config.redisKeyPrefix);
    callStore = new RedisCallStore(client, config.redisKeyPrefix);
  }

  const printLine = options.smsPrint === undefined ? (line: string) => process.stdout.write(line + '\n') : (options.smsPrint ?? undefined);
  const sms = options.sms ?? createSmsGateway(config.sms, printLine);
  const repo = new KyselyIdentityRepository(storage.db, (phone) => keyring.phoneHash(phone), storage.kind);
  const throttle = new PasswordThrottle({ repo, keyring, limits: config.limits, clock });
  const verifications = new VerificationService({ repo, sms, limiter, keyring, clock, limits: config.limits, log });
  const sessions = new SessionService({ repo, limiter, throttle, clock, limits: config.limits, sign: (value) => keyring.keyedHash('session-delegation', value) });
  const accounts = new AccountService({ repo, sessions, throttle, clock });
  const retentionPurge = new RetentionPurge({ repo, clock, retention: config.retention, limits: config.limits, log });
  const events = new DomainEvents();
  const contactsRepo = new KyselyContactsRepository(storage.db, storage.kind);
  const privacyRepo = new KyselyPrivacyRepository(storage.db);
  // Features meet through services: privacy reads the contact graph, contacts asks privacy.
  const privacy = new PrivacyService({ repo: privacyRepo, contacts: new ContactGraph(contactsRepo), identity: accounts, events, clock });
  const catalogue = PluginCatalogue.load(config.pluginsDir ?? builtinPluginsDir, log);
  // Presence starts with the socket server below; identities ask it only when serving a request.
  const identities = new IdentitiesService({
    repo: new KyselyIdentitiesRepository(storage.db),
    catalogue,
    privacy,
    presence: () => presence,
    events,
    clock,
  });
  const contacts = new ContactsService({ repo: contactsRepo, privacy, identities, keyring, limiter, events, clock, limits: config.contactLimits });
  // A new user's number may already be in other books: their owners see the user appear live.
  sessions.onUserCreated(({ userId }) => {
    contacts.announceJoined(userId).catch((error: unknown) => log.warn({ err: error, userId }, 'could not announce a new user to their contacts'));
  });
  const keyExchange = new KeyExchangeService({ repo: new KyselyKeyExchangeRepository(storage.db), events, clock });
  sessions.onSessionEnded(({ userId, deviceId, reason }) => {
    if (reason !== 'device_revoked' && reason !== 'device_blocked') return;
    keyExchange.forgetDevice(userId, deviceId).catch((error: unknown) => log.error({ reason: (error as Error).message }, 'could not take back the book key of a removed device'));
  });
  // Account deletion reaches every feature that keeps data about a user.
  accounts.addDataOwner(contacts);
  accounts.addDataOwner(privacy);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // First, so that even a body the parsers refuse answers with headers a cross-origin client can read.
  app.use([apiPrefix, routes.health.path], apiCors());
  app.use(refuseNulInUrl);
  // Address books are the one large upload: authenticated, charged and only then read (item 5 of the
  // security review); compressed bodies are refused before any parser can inflate them.
  app.use(
    routes.replaceAddressBook.path,
    authenticateBeforeBody({ sessions, publicUrl: config.publicUrl }),
    addressBookUploadBudget({ limiter, limits: config.contactLimits }),
    refuseCompressedBodies(),
    express.json({ limit: config.contactLimits.maxUploadBytes, inflate: false }),
  );
  app.use(refuseCompressedBodies());
  // Attachments are read by their route after authentication, never by a parser in front of it.
  const isUpload = (req: http.IncomingMessage) => req.method === 'POST' && (req.url ?? '').split('?')[0] === routes.uploadAttachment.path;
  app.use(express.json({ limit: config.bodyLimit, inflate: false, type: (req) => !isUpload(req) && /^application\/([\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '') }));
  // Every route below is mounted from the route table, behind the auth the table declares.
  const mount = routeMounter({ sessions, publicUrl: config.publicUrl, adminToken: config.adminToken });
  app.use(platformRouter(mount));
  app.use(identityRouter(mount, { verifications, sessions, accounts, publicUrl: config.publicUrl }));
  app.use(contactsRouter(mount, contacts));
  app.use(invitationsRouter(mount, new InvitationsService({ sms, limiter, keyring, publicUrl: config.publicUrl, limits: defaultInvitationLimits })));
  app.use(keyExchangeRouter(mount, keyExchange));
  app.use(privacyRouter(mount, privacy));
  // Created before the socket server exists; its outlet is bound once the server is up (below).
  const messageOutlet: { current?: MessageOutlet } = {};
  const messagesRepo = new KyselyMessagesRepository(storage);
  // SMS (M24, M29): fallback texts, caps and opt-outs, and the gateway for phones without data.
  const smsRepo = new KyselySmsRepository(storage.db);
  const smsService = new SmsService({
    repo: smsRepo,
    gateway: sms,
    keyring,
    clock,
    log,
    settings: config.smsSettings,
    perSenderPerDay: config.messages.smsPerSenderPerDay,
    inviteUrl: config.publicUrl,
  });
  const outsideNetworks = (): OutsideNetworks | undefined => interworking?.service;
  const messageViews = new MessageViews({ repo: messagesRepo, accounts, outside: outsideNetworks });
  const messages = new MessagesService({
    repo: messagesRepo,
    views: messageViews,
    openings: messagesRepo.openings,
    attachments: (userId, id) => attachments.usableBy(userId, id),
    accounts,
    privacy,
    sms: smsService,
    relay: (message, recipientIds) => {
      phoneGateway.relay(message, recipientIds).catch((error: unknown) => log.error({ reason: (error as Error).message }, 'could not relay a message to a phone signed in by SMS'));
    },
    limiter,
    outlet: lazyOutlet(() => messageOutlet.current),
    outside: outsideNetworks,
    settings: config.messages,
    clock,
    log,
  });
  const attachments = new AttachmentsService({
    repo: messagesRepo,
    store: attachmentStore,
    dataDir: config.dataDir,
    maxBytes: config.messages.attachmentMaxBytes,
    thumbnailer: await sharpThumbnailer(),
    clock,
    log,
  });
  const groups = new GroupsService({
    repo: messagesRepo,
    contacts,
    privacy,
    outlet: lazyOutlet(() => messageOutlet.current),
    views: messageViews,
    clock,
  });
  app.use(messagesRouter(mount, messages, groups, attachments, log));
  // Interworking (M28): an XMPP component bridge, off unless configured; it starts with the socket server.
  const interworking: Interworking | undefined = config.xmpp
    ? createInterworking({ config: config.xmpp, db: storage.db, redisUrl: config.redisUrl, redisKeyPrefix: config.redisKeyPrefix, accounts, messages, limiter, clock, log })
    : undefined;
  app.use(interworkingRouter(mount, interworking?.service));
  if (interworking) accounts.addDataOwner(interworking.service);
  const phoneGateway = new PhoneGatewayService({
    repo: smsRepo,
    sms: smsService,
    identity: {
      loginWithPassword: (input, ip) => sessions.loginWithPassword(input, ip),
      revokeDevice: (userId, deviceId, block) => sessions.revokeDevice(userId, deviceId, block),
      endedAmong: (sessionIds) => sessions.endedAmong(sessionIds),
      primaryPhones: (userIds) => accounts.primaryPhones(userIds),
    },
    messages: {
      send: (sender, payload) => messages.send(sender, payload),
      markDelivered: (device, conversationId, upTo) => messages.moveCursor('delivered', device, { conversationId, upTo }),
      online: (userId) => lazyOutlet(() => messageOutlet.current).online(userId),
      groupTitle: (conversationId) => groups.groupTitle(conversationId),
    },
    keyring,
    clock,
    log,
    defaultRegion: config.smsSettings.defaultRegion,
  });
  sessions.onSessionEnded(({ sessionIds }) => {
    phoneGateway.sessionsEnded(sessionIds).catch((error: unknown) => log.warn({ reason: (error as Error).message }, 'could not forget the SMS sign-in of an ended session'));
  });
  accounts.addDataOwner(phoneGateway);
  const smsInbound = new SmsInboundService({
    repo: smsRepo,
    handle: (phone, text, messageKey) => phoneGateway.handle(phone, text, messageKey),
    keyring,
    clock,
    limiter,
    log,
    settings: config.smsSettings,
  });
  app.use(
    smsInboundRouter(mount, {
      inbound: smsInbound,
      secret: config.smsSettings.inboundSecret,
      twilio: config.sms.twilio ? { authToken: config.sms.twilio.authToken, publicUrl: config.publicUrl } : undefined,
      devOutbox: sms instanceof OutboxGateway && outboxMayBeServed(config.host, config.smsOutboxPublic),
    }),
  );
  const smsPurge = setInterval(() => {
    smsService.purge().catch((error: unknown) => log.warn({ reason: (error as Error).message }, 'could not purge old SMS records'));
  }, 60 * 60_000);
  smsPurge.unref();
  accounts.addDataOwner(messages);
  accounts.addDataOwner(attachments);
  app.use(identitiesRouter(mount, identities));
  // Profiles, posts and albums (issue 16): shown under the activity rules; their pictures are attachments
  // that whoever may see the profile, post or album may fetch. Live posts go out once the socket server runs.
  const visibility = new VisibilityService({ privacy, presence: () => presence });
  const profiles = new ProfileService({ repo: new KyselyProfileRepository(storage.db), visibility, attachments, clock });
  const postsRepo = new KyselyPostsRepository(storage.db);
  const postsOutlet: { current?: PostsOutlet } = {};
  const posts = new PostsService({
    repo: postsRepo,
    visibility,
    profiles,
    attachments,
    outlet: {
      post: (userIds, view) => postsOutlet.current?.post(userIds, view),
      removed: (userIds, event) => postsOutlet.current?.removed(userIds, event),
      comment: (userIds, event) => postsOutlet.current?.comment(userIds, event),
      commentRemoved: (userIds, event) => postsOutlet.current?.commentRemoved(userIds, event),
      likes: (userIds, event) => postsOutlet.current?.likes(userIds, event),
    },
    limiter,
    limits: config.postLimits,
    clock,
    log,
  });
  const albums = new AlbumsService({ repo: postsRepo, visibility, attachments, clock });
  attachments.allowAccess((userId, id) => profiles.mayFetchAvatar(userId, id));
  attachments.allowAccess((userId, id) => posts.mayFetch(userId, id));
  attachments.addHolder((id) => profiles.holdsAvatar(id));
  attachments.addHolder((id) => posts.holds(id));
  app.use(profileRouter(mount, profiles));
  app.use(postsRouter(mount, posts, albums));
  accounts.addDataOwner(profiles);
  accounts.addDataOwner(posts);
  app.use(catalogueRouter(mount, catalogue));
  app.use(callsRouter(mount, config.calls, clock));
  // Known once the server listens; the accounts feature reads it lazily.
  const listening: { url?: string } = {};
  const bindings = mountAccounts(app, mount, { config, storage, keyring, catalogue, clock, log, listenUrl: () => listening.url, ...(options.hostResolver ? { hostResolver: options.hostResolver } : {}) });
  accounts.addDataOwner(bindings.accounts);
  if (sms instanceof OutboxGateway) {
    if (outboxMayBeServed(config.host, config.smsOutboxPublic)) app.use(devSmsRouter(mount, sms));
    else log.warn({ host: config.host }, 'the SMS outbox (GET /v1/dev/sms) is off: HOST is not a loopback address (SMS_OUTBOX_PUBLIC=1 serves it anyway)');
  }
  // The web client (M31) at `/`, after every API route.
  app.use(webClientRouter());
  app.use(notFoundHandler);
  app.use(errorHandler(log));

  const httpServer = config.tls
    ? https.createServer({ cert: fs.readFileSync(config.tls.certFile), key: fs.readFileSync(config.tls.keyFile), minVersion: 'TLSv1.2' }, app)
    : http.createServer(app);
  const realtime = createRealtimeServer(httpServer, { sessions, events, log, limiter, limits: config.realtimeLimits, trustProxy: config.trustProxy, clustered: Boolean(config.redisUrl) });
  const { io } = realtime;
  const adapterClients: RedisClientType[] = [];
  if (config.redisUrl) {
    const pub: RedisClientType = createClient({ url: config.redisUrl, socket: { reconnectStrategy: keepReconnecting } });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on('error', (error: Error) => log.error({ reason: error.message }, 'redis adapter error'));
    await Promise.all([pub.connect(), sub.connect()]);
    // Broadcasts (revocations among them) may have been lost while Redis was away: re-check at once.
    for (const client of [pub, sub]) {
      client.on('ready', () => {
        log.info('redis adapter connected again; re-checking the sessions of live sockets');
        void realtime.recheckSessions();
      });
    }
    redisClients.push(pub, sub);
    adapterClients.push(pub, sub);
    io.adapter(createAdapter(publisherForAdapter(pub, log), sub, { key: `${config.redisKeyPrefix}socket.io` }));
  }
  const presence = new PresenceService({
    store: presenceStore,
    privacy,
    outlet: socketOutlet(io),
    clock,
    graceMs: config.presenceGraceMs,
    log,
    events,
    onChange: (event) => interworking?.service.userPresenceChanged(event.userId),
  });
  const messagesGateway = attachMessages({ io, messages, clustered: Boolean(config.redisUrl), clock, log });
  messageOutlet.current = messagesGateway;
  // Notices between nodes travel through Redis; after Redis was away, every local device reads what it missed.
  for (const client of adapterClients) {
    let connectedBefore = false;
    client.on('ready', () => {
      if (connectedBefore) messagesGateway.catchUp();
      connectedBefore = true;
    });
  }
  const catchUpTimer = setInterval(() => messagesGateway.catchUp(), config.messages.catchUpMs);
  catchUpTimer.unref();
  const retention = scheduleRetention(messages, log);
  const identitiesGateway = attachIdentities({ io, identities, events, log });
  // Calls (M26): signalling over the sockets, call state shared through the store, logs through messages.
  const calls = new CallsService({
    store: callStore,
    privacy,
    contactGraph: new ContactGraph(contactsRepo),
    accounts,
    messages,
    outlet: socketCallOutlet(io),
    settings: config.calls,
    clock,
    log,
  });
  const stopCallsGateway = attachCalls({ io, calls, events, clock, log });
  calls.start();
  postsOutlet.current = socketPostsOutlet(io);
  const presenceGateway = attachPresence({ io, presence, privacy, events, clock, graceMs: config.presenceGraceMs, clustered: Boolean(config.redisUrl), log, outsideTyping: (userId, address, state) => interworking?.service.typing(userId, address, state) });
  // Outside contacts see a user's status, never more: offline while invisible or hidden from everyone.
  await interworking?.start(io, async (userId) => ((await privacy.settings(userId)).activityVisibleTo === 'nobody' ? 'offline' : presence.statusOf(userId)));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  listening.url = url;
  log.info({ url, storage: storage.kind, sms: sms.name, redis: Boolean(config.redisUrl) }, 'switchboard server listening');
  retentionPurge.start();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      presenceGateway.stop();
      stopCallsGateway();
      calls.stop();
      identitiesGateway.stop();
      await retentionPurge.stop();
      realtime.stop();
      retention.stop();
      clearInterval(catchUpTimer);
      await interworking?.stop();
      clearInterval(smsPurge);
      const closed = new Promise<void>((resolve) => io.close(() => resolve()));
      // Idle keep-alive HTTP connections would otherwise hold the close open until they time out.
      httpServer.closeAllConnections();
      await closed;
      await storage.close();
      attachmentStore.close();
      await Promise.all(redisClients.map((client) => client.quit().catch(() => undefined)));
    })();
    return closing;
  };
  return { url, port, io, app, storage, sms, log, close, services: { privacy, contacts, identities, events, presence, sessions, retentionPurge, messages, interworking, posts, sms: smsService } };
}

/** The messages outlet of a socket server that starts after the HTTP routes are mounted. */
function lazyOutlet(current: () => MessageOutlet | undefined): MessageOutlet {
  const outlet = () => {
    const found = current();
    if (!found) throw new Error('the socket server is not running yet');
    return found;
  };
  return {
    deliver: (userIds, message, except) => outlet().deliver(userIds, message, except),
    receipt: (userIds, event) => outlet().receipt(userIds, event),
    conversationChanged: (userIds, conversationId) => outlet().conversationChanged(userIds, conversationId),
    online: (userId) => outlet().online(userId),
  };
}
