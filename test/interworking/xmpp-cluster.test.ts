import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { routes } from '#common/contract/routes.js';
import { MessageClient } from '../support/message-client.js';
import { PrivateProsody, prosodyAvailable } from '../support/prosody.js';
import { PrivateRedis, redisServerInstalled } from '../support/private-redis.js';
import { ServerProcess } from '../support/server-process.js';
import { postgresAvailable, requireService } from '../support/services.js';
import { ApiClient, createPostgresSchema, signIn } from '../support/test-server.js';
import { XmppPerson } from '../support/xmpp-person.js';

const prosodyUp = await prosodyAvailable();
const pgUp = await postgresAvailable();
const redisBinary = await requireService('redis-server (apt: redis-server)', async () => redisServerInstalled());

const domain = 'xmpp.test';
const componentDomain = 'sb.xmpp.test';
const alice = `alice@${domain}`;
const lina = `8613800138002@${componentDomain}`;

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Two server processes sharing PostgreSQL and a private Redis, one Prosody: exactly one holds the
 * component connection (the lease in Redis names it), the other routes through it, and when the holder
 * is killed the lease and the connection move to the survivor.
 */
describe.skipIf(!prosodyUp || !pgUp || !redisBinary)('the XMPP bridge on two nodes', () => {
  const nodes: ServerProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('has one holder at a time, routes through it, and moves the lease when it dies', { timeout: 240_000 }, async () => {
    const secret = `cluster-secret-${process.pid}`;
    const prosody = await PrivateProsody.start({ domain, componentDomain, componentSecret: secret, users: ['alice'] });
    cleanups.push(() => prosody.down());
    const redis = await PrivateRedis.start();
    cleanups.push(() => redis.down());
    const schema = await createPostgresSchema();
    cleanups.push(() => schema.drop());
    const prefix = `sbxmpp:${process.pid}:`;
    const env = {
      DATABASE_URL: schema.databaseUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      SWITCHBOARD_SECRET: 'xmpp-cluster-secret-that-is-long-enough-0123',
      LOG_LEVEL: 'info',
      XMPP_COMPONENT_SERVICE: prosody.componentService,
      XMPP_COMPONENT_DOMAIN: componentDomain,
      XMPP_COMPONENT_SECRET: secret,
      XMPP_LEASE_MS: '1500',
      XMPP_SWEEP_MS: '500',
    };
    nodes.push(await ServerProcess.start(env, 90_000));
    nodes.push(await ServerProcess.start(env, 90_000));
    const leaseReader = createClient({ url: redis.url });
    await leaseReader.connect();
    cleanups.push(async () => void (await leaseReader.quit()));
    const holderPid = async () => Number((await leaseReader.get(`${prefix}xmpp:lease`))?.split(':')[1] ?? 0);
    const online = (node: ServerProcess) => node.output.join('').includes('xmpp component online');
    const tookLease = (node: ServerProcess) => node.output.join('').includes('this node holds the xmpp component');

    await until(async () => (await holderPid()) !== 0, 'a holder');
    const firstPid = await holderPid();
    const first = nodes.find((node) => node.child.pid === firstPid);
    const second = nodes.find((node) => node.child.pid !== firstPid);
    if (!first || !second) throw new Error(`the lease names no node of ours (${firstPid})`);
    await until(() => online(first), 'the holder to connect');
    // The other node never even tried to connect.
    expect(tookLease(first)).toBe(true);
    expect(tookLease(second)).toBe(false);
    expect(online(second)).toBe(false);

    // Lina uses the node that does not hold the component: her requests are routed through the holder.
    const { token } = await signIn(new ApiClient(second.url), '+8613800138002');
    const aliceClient = await new XmppPerson(alice, prosody.service).online();
    cleanups.push(() => aliceClient.stop());
    const user = await new MessageClient(second.url, token, { autoAck: true }).connected();
    cleanups.push(async () => user.close());
    expect((await new ApiClient(second.url).withToken(token).route(routes.allowOutsideContact, { params: { address: `xmpp:${alice}` } })).status).toBe(200);
    await aliceClient.waitFor((s) => s.name === 'presence' && s.attrs.type === 'subscribe' && s.attrs.from === lina, 'the subscription request');
    await user.send({ address: `xmpp:${alice}` }, 'through the other node');
    await aliceClient.waitFor((s) => s.getChildText('body') === 'through the other node', 'the routed message');

    // The holder dies without a word; the survivor takes the lease once it runs out, and the connection.
    await first.kill('SIGKILL');
    await until(async () => (await holderPid()) === second.child.pid, 'the lease to move');
    await until(() => online(second), 'the survivor to connect');
    await aliceClient.say(lina, 'still there?');
    await user.until(() => user.texts().includes('still there?'), 'a message through the new holder');
    await user.send({ address: `xmpp:${alice}` }, 'yes, on the other node');
    await aliceClient.waitFor((s) => s.getChildText('body') === 'yes, on the other node', 'an answer through the new holder');
  });
});
