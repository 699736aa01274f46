import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createClient, type RedisClientType } from 'redis';
import type { OutsideStatus } from '#common/contract/interworking.js';
import type { XmppComponentConfig } from '../../config.js';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import type { RealtimeServer } from '../../realtime/realtime-gateway.js';
import type { AccountService } from '../identity/account.service.js';
import type { MessagesService } from '../messages/messages.service.js';
import { ComponentLink } from './component-link.js';
import { attachInterworking } from './interworking.gateway.js';
import { KyselyInterworkingRepository } from './interworking.kysely-repository.js';
import { InterworkingService } from './interworking.service.js';
import { DatabaseLease, RedisLease, type Lease } from './lease.js';
import { LocalRelay, RedisRelay, type Relay, type RelayCommand } from './relay.js';
import { XmppBridge } from './xmpp-bridge.js';

export type Interworking = {
  service: InterworkingService;
  /** This node's name in the lease. */
  nodeId: string;
  /**
   * Joins the socket server and starts competing for the component connection; `userStatus` is what
   * outside contacts may see of a user's status now.
   */
  start(io: RealtimeServer, userStatus: (userId: string) => Promise<OutsideStatus>): Promise<void>;
  /** Whether this node holds the component connection now. */
  holding(): boolean;
  stop(): Promise<void>;
};

const leaseName = 'xmpp-component';

/**
 * The XMPP bridge (M28) of one node. Every node serves the allowlist and hands what must go out to the
 * holder; exactly one node at a time holds the lease (in Redis when the nodes share one, otherwise in
 * the database), renews it every third of its life, and only while it holds it keeps the component
 * connection. The others route through it: each command is published to all nodes, and the holder acts.
 */
export function createInterworking(deps: {
  config: XmppComponentConfig;
  db: Kysely<Database>;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  accounts: AccountService;
  messages: MessagesService;
  limiter: RateLimiter;
  clock: Clock;
  log: Logger;
}): Interworking {
  const { config, clock } = deps;
  const log = deps.log.child({ feature: 'interworking' });
  const nodeId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const repo = new KyselyInterworkingRepository(deps.db);
  let relay: Relay = new LocalRelay();
  let bridge: XmppBridge | undefined;
  let held = false;

  const dispatch = (command: RelayCommand) => {
    // The holder does the work itself; any other node asks it.
    if (held && bridge) bridge.command(command);
    else relay.publish(command);
  };
  const service = new InterworkingService({ repo, componentDomain: config.domain, dispatch, clock, log });

  const redisClients: RedisClientType[] = [];
  let lease: Lease = new DatabaseLease(repo, leaseName, nodeId, config.leaseMs, clock);
  let leaseTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let link: ComponentLink | undefined;
  let stopped = false;

  const renew = async () => {
    let holdsNow = false;
    try {
      holdsNow = await lease.hold();
    } catch (error) {
      // Unsure whether we still hold it: let go, since another node may take it once it runs out.
      log.warn({ reason: (error as Error).message }, 'xmpp lease could not be renewed');
    }
    if (stopped) return;
    if (holdsNow && !held) {
      held = true;
      log.info({ nodeId }, 'this node holds the xmpp component');
      link?.start();
    } else if (!holdsNow && held) {
      held = false;
      log.warn({ nodeId }, 'this node no longer holds the xmpp component');
      await link?.stop();
    }
  };

  return {
    service,
    nodeId,
    holding: () => held && Boolean(link?.online),
    async start(io, userStatus) {
      const outlet = attachInterworking({ io, interworking: service, log });
      if (deps.redisUrl) {
        const client: RedisClientType = createClient({ url: deps.redisUrl, socket: { reconnectStrategy: (retries: number) => Math.min(2 ** retries * 50, 2000) + Math.floor(Math.random() * 200) } });
        client.on('error', (error: Error) => log.warn({ reason: error.message }, 'xmpp redis error'));
        await client.connect();
        redisClients.push(client);
        lease = new RedisLease(client, `${deps.redisKeyPrefix}xmpp:lease`, nodeId, config.leaseMs);
        relay = await RedisRelay.open(client, `${deps.redisKeyPrefix}xmpp:relay`, log);
      }
      const componentLink = new ComponentLink(
        { service: config.service, domain: config.domain, secret: config.secret },
        {
          onStanza: (stanza) => bridge?.stanza(stanza),
          onOnline: () => {
            void bridge?.online().catch((error: unknown) => log.warn({ reason: (error as Error).message }, 'xmpp bridge could not catch up'));
          },
          onOffline: () => undefined,
        },
        log,
      );
      link = componentLink;
      bridge = new XmppBridge({ link: componentLink, repo, messages: deps.messages, accounts: deps.accounts, limiter: deps.limiter, outlet, userStatus, componentDomain: config.domain, clock, log });
      relay.onCommand((command) => {
        if (held) bridge?.command(command);
      });
      await renew();
      leaseTimer = setInterval(() => void renew(), Math.max(200, Math.floor(config.leaseMs / 3)));
      leaseTimer.unref();
      sweepTimer = setInterval(() => {
        if (held) void bridge?.sweep().catch((error: unknown) => log.warn({ reason: (error as Error).message }, 'xmpp sweep failed'));
      }, config.sweepMs);
      sweepTimer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(leaseTimer);
      clearInterval(sweepTimer);
      await link?.stop();
      if (held) await lease.release().catch(() => undefined);
      held = false;
      await relay.close();
      await Promise.all(redisClients.map((client) => client.quit().catch(() => undefined)));
    },
  };
}
