import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault, credentialAccount, sessionAccount, VaultError, type Vault } from '#core/vault/index.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';

const run = promisify(execFile);
const keyringUp = await keyringAvailable();
const childScript = fileURLToPath(new URL('./fixtures/use-vault.ts', import.meta.url));

async function runChild(env: NodeJS.ProcessEnv, service: string): Promise<Record<string, { ok: boolean; code?: string; message?: string; value?: unknown }>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', childScript, service], { env, timeout: 20_000 });
  return JSON.parse(stdout) as Record<string, { ok: boolean; code?: string; message?: string }>;
}

describe.skipIf(!keyringUp)('the vault on a real gnome-keyring', () => {
  let keyring: PrivateKeyring;
  let vault: Vault;
  const service = `switchboard-vault-test-${process.pid}`;

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    vault = createVault({ service });
  });
  afterAll(async () => keyring?.stop());

  it('stores, reads back and deletes a credential; secret-tool sees it under the service name', async () => {
    const account = credentialAccount('slack', 'T123');
    const credential = { type: 'oauth2' as const, accessToken: 'xoxp-secret-1', refreshToken: 'refresh-1', tokenType: 'Bearer', scope: 'users:read', boundAt: 1_700_000_000_000 };
    await vault.setSecret(account, credential);
    expect(await vault.getSecret(account)).toEqual(credential);

    const search = await keyring.secretTool('search', '--all', 'service', service);
    expect(search).toContain('xoxp-secret-1');
    expect(search).toMatch(new RegExp(`attribute\\.service = ${service}`));
    expect(search).toContain(account);

    expect(await vault.deleteSecret(account)).toBe(true);
    expect(await vault.getSecret(account)).toBeUndefined();
    expect(await vault.deleteSecret(account)).toBe(false);
    expect(await keyring.secretTool('search', '--all', 'service', service)).not.toContain('xoxp-secret-1');
  });

  it('keeps sessions and credentials apart and lists names by prefix, never values', async () => {
    const session = sessionAccount('http://127.0.0.1:8080/some/path');
    expect(session).toBe('session:http://127.0.0.1:8080');
    await vault.setSecret(session, { token: 'session-token', userId: 'u1', deviceId: 'd1' });
    await vault.setSecret(credentialAccount('mastodon', 'mastodon.social'), { type: 'oauth2', accessToken: 'm', tokenType: 'Bearer', instance: 'mastodon.social', boundAt: 1 });
    await vault.setSecret(credentialAccount('line', 'me'), { type: 'password', username: 'me', password: 'pw' });

    expect(await vault.list()).toEqual(['credential:line:me', 'credential:mastodon:mastodon.social', 'session:http://127.0.0.1:8080']);
    expect(await vault.list('credential:')).toEqual(['credential:line:me', 'credential:mastodon:mastodon.social']);
    expect(await vault.getSecret(session)).toEqual({ token: 'session-token', userId: 'u1', deviceId: 'd1' });
    for (const name of await vault.list()) await vault.deleteSecret(name);
    expect(await vault.list()).toEqual([]);
  });

  it('refuses values that do not match their namespace, without echoing them', async () => {
    const attempt = vault.setSecret('credential:slack:default', { type: 'oauth2', accessToken: '', tokenType: 'Bearer', boundAt: 1 });
    await expect(attempt).rejects.toMatchObject({ code: 'invalid_secret' });
    await expect(vault.setSecret('session:not a url' as 'session:x', { token: 't' })).rejects.toMatchObject({ code: 'invalid_account' });
    expect(await vault.getSecret('credential:slack:default')).toBeUndefined();
  });

  it('reports an item someone else wrote under our name as corrupt instead of handing it out', async () => {
    await vault.setSecret('credential:slack:default', { type: 'oauth2', accessToken: 'good', tokenType: 'Bearer', boundAt: 1 });
    // Overwrite the same item's secret from outside through libsecret, as another program could.
    const attributes = (await keyring.secretTool('search', '--all', 'service', service))
      .split('\n')
      .map((line) => /^attribute\.(\w+) = (.*)$/.exec(line.trim()))
      .filter((match): match is RegExpExecArray => match !== null)
      .flatMap((match) => [match[1] ?? '', match[2] ?? '']);
    await new Promise<void>((resolve, reject) => {
      const child = execFile('secret-tool', ['store', '--label=tampered', ...attributes], { env: keyring.env }, (error) => (error ? reject(error) : resolve()));
      child.stdin?.end('not json');
    });
    await expect(vault.getSecret('credential:slack:default')).rejects.toMatchObject({ code: 'corrupt_secret' });
    expect(await vault.deleteSecret('credential:slack:default')).toBe(true);
  });

  it('works the same from another process on the same session bus', async () => {
    const outcomes = await runChild(keyring.env, service);
    expect(outcomes.set).toMatchObject({ ok: true });
    expect(outcomes.get).toMatchObject({ ok: true, value: { accessToken: 'child-token' } });
    expect(outcomes.list).toMatchObject({ ok: true, value: ['credential:slack:default'] });
    expect(outcomes.delete).toMatchObject({ ok: true, value: true });
  });
});

describe.runIf(process.platform === 'linux')('without a Secret Service', () => {
  it('fails with keychain_unavailable and says what to install, never falling back to the kernel keyring', async () => {
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/switchboard-test-bus' };
    const outcomes = await runChild(env, `switchboard-nobus-${process.pid}`);
    for (const call of ['set', 'get', 'list', 'delete']) {
      expect(outcomes[call], call).toMatchObject({ ok: false, code: 'keychain_unavailable' });
      expect(outcomes[call]?.message).toContain('gnome-keyring');
    }
  });

  it('is a typed error the desktop can tell apart', () => {
    const error = new VaultError('keychain_unavailable', 'x');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('keychain_unavailable');
  });
});
