import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyAccountsRepository } from '#server/features/accounts/accounts.kysely-repository.js';
import { Sealer } from '#server/features/accounts/sealing.js';
import { Keyring } from '#server/platform/crypto.js';
import type { Storage } from '#server/db/database.js';
import { storageBackends } from '../support/storage-matrix.js';

const backends = await storageBackends();

describe.each(backends)('account binding storage on $name', (backend) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let repo: KyselyAccountsRepository;
  const userId = randomUUID();
  const now = 1_800_000_000_000;

  beforeAll(async () => {
    if (!backend.available) return;
    ({ storage, dispose } = await backend.open());
    repo = new KyselyAccountsRepository(storage.db);
    await storage.db.insertInto('users').values({ id: userId, type: 'normal', password_hash: null, created_at: now, updated_at: now }).execute();
  });
  afterAll(async () => dispose?.());

  it.skipIf(!backend.available)('spends a start ticket once, then a state once', async () => {
    const id = randomUUID();
    await repo.createState({ id, startHash: 'start-1', userId, deviceId: 'd1', pluginId: 'slack', instance: undefined, returnTo: 'switchboard://oauth/done', now, expiresAt: now + 600_000 });
    expect(await repo.consumeStart('start-1', now + 1)).toMatchObject({ id, userId, deviceId: 'd1', pluginId: 'slack', instance: undefined });
    expect(await repo.consumeStart('start-1', now + 2)).toBeUndefined();
    expect(await repo.attachState(id, 'state-1', 'sealed')).toBe(true);
    expect(await repo.attachState(id, 'state-2', 'sealed')).toBe(false);
    expect(await repo.peekState('state-1', now + 3)).toMatchObject({ id, sealedVerifier: 'sealed' });
    expect(await repo.takeState('state-1', now + 4)).toMatchObject({ id });
    expect(await repo.takeState('state-1', now + 5)).toBeUndefined();
    expect(await repo.peekState('state-1', now + 5)).toBeUndefined();
  });

  it.skipIf(!backend.available)('refuses expired attempts and purges them', async () => {
    const id = randomUUID();
    await repo.createState({ id, startHash: 'start-2', userId, deviceId: 'd1', pluginId: 'mastodon', instance: 'mastodon.social', returnTo: 'switchboard://oauth/done', now, expiresAt: now + 10 });
    expect(await repo.consumeStart('start-2', now + 10)).toBeUndefined();
    await repo.purgeExpired(now + 10);
    expect(await storage.db.selectFrom('oauth_states').select('id').where('id', '=', id).execute()).toEqual([]);
  });

  it.skipIf(!backend.available)('hands a handoff only to its owner, once, before it expires', async () => {
    const owner = { userId, deviceId: 'd1', pluginId: 'slack' };
    await repo.createHandoff({ idHash: 'h1', ...owner, sealedPayload: 'sealed', now, expiresAt: now + 120_000 });
    expect(await repo.takeHandoff('h1', { ...owner, deviceId: 'd2' }, now)).toBeUndefined();
    expect(await repo.takeHandoff('h1', { ...owner, pluginId: 'discord' }, now)).toBeUndefined();
    expect(await repo.takeHandoff('h1', owner, now)).toMatchObject({ sealedPayload: 'sealed' });
    expect(await repo.takeHandoff('h1', owner, now)).toBeUndefined();

    await repo.createHandoff({ idHash: 'h2', ...owner, sealedPayload: 'sealed', now, expiresAt: now + 120_000 });
    expect(await repo.takeHandoff('h2', owner, now + 120_000)).toBeUndefined();
    expect(await storage.db.selectFrom('oauth_handoffs').selectAll().execute()).toEqual([]);
  });

  it.skipIf(!backend.available)('keeps one client per instance and the bound networks per user', async () => {
    const client = { pluginId: 'mastodon', instance: 'a.example', clientId: 'c1', sealedClientSecret: 's1', redirectUri: 'https://sb/cb' };
    expect(await repo.saveDynamicClient(client, now)).toEqual(client);
    expect(await repo.saveDynamicClient({ ...client, clientId: 'c2', redirectUri: 'https://sb2/cb' }, now)).toMatchObject({ clientId: 'c2', redirectUri: 'https://sb2/cb' });
    expect(await repo.findDynamicClient('mastodon', 'b.example')).toBeUndefined();

    await repo.bind(userId, 'slack', undefined, now);
    await repo.bind(userId, 'slack', undefined, now + 5);
    await repo.bind(userId, 'discord', undefined, now);
    expect(await repo.boundAccounts(userId)).toEqual([
      { pluginId: 'discord', boundAt: now },
      { pluginId: 'slack', boundAt: now + 5 },
    ]);
    expect(await repo.unbind(userId, 'slack')).toBe(true);
    expect(await repo.unbind(userId, 'slack')).toBe(false);
  });
});

describe('sealing', () => {
  const sealer = new Sealer(new Keyring('a-server-secret-of-at-least-32-characters'));
  it('opens only with the same key and context, and notices tampering', () => {
    const sealed = sealer.seal('{"accessToken":"t"}', 'handoff:h1');
    expect(sealed).not.toContain('accessToken');
    expect(sealer.open(sealed, 'handoff:h1')).toBe('{"accessToken":"t"}');
    expect(sealer.open(sealed, 'handoff:h2')).toBeUndefined();
    expect(new Sealer(new Keyring('another-server-secret-of-32-characters!')).open(sealed, 'handoff:h1')).toBeUndefined();
    const parts = sealed.split('.');
    const flipped = [parts[0], parts[1], (parts[2] ?? '').replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), parts[3]].join('.');
    expect(sealer.open(flipped, 'handoff:h1')).toBeUndefined();
    expect(sealer.open('garbage', 'handoff:h1')).toBeUndefined();
  });
});
