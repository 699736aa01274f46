import { describe, expect, it } from 'vitest';
import { insecureServerReason } from '#common/net/server-address.js';
import { DesktopCore, InsecureServerError } from '#core/app/index.js';
import { createVault } from '#core/vault/index.js';
import { runCli } from '../support/cli-process.js';
import { tempDir } from '../support/test-server.js';

/** A session never travels over plain http off this machine: the desktop and the CLI refuse such an address (issue 10 item 18). */
describe('server addresses that would carry a session in the clear', () => {
  it('accepts https anywhere and http on loopback only', () => {
    for (const ok of ['https://switchboard.example.com', 'http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080']) expect(insecureServerReason(ok)).toBeUndefined();
    for (const bad of ['http://192.168.1.5:8080', 'http://switchboard.example.com', 'http://127.0.0.1.evil.example', 'ftp://127.0.0.1', 'not a url']) expect(insecureServerReason(bad)).toMatch(/https/);
  });

  it('the desktop core refuses to start for an http server on the network', async () => {
    const dir = tempDir();
    const creating = DesktopCore.create({
      serverUrl: 'http://192.0.2.10:8080',
      builtinPluginsDir: dir,
      configDir: dir,
      // Never opened: the address is refused first.
      vault: createVault({ service: 'switchboard-insecure-address-test' }),
      log: { info: () => undefined, warn: () => undefined },
    });
    await expect(creating).rejects.toBeInstanceOf(InsecureServerError);
    await expect(creating).rejects.toThrow(/not encrypted/);
  });

  it('switchboard login and agent refuse it with a clear message, before asking for any code', async () => {
    const env = { ...process.env, SWITCHBOARD_CONFIG_DIR: tempDir() };
    for (const args of [['login', '--server', 'http://192.0.2.10:8080', '--phone', '+8613800138000'], ['agent', '--server', 'http://192.0.2.10:8080']]) {
      const result = await runCli(args, env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/http:\/\/192\.0\.2\.10:8080 is not encrypted \(http, not https\)/);
    }
  });
});
