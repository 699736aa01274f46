import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIpcBridge } from '#common/bridge/index.js';
import { BridgeHost } from '#core/bridge-host/index.js';
import { DesktopState } from '#core/bridge-host/desktop-state.js';
import { CallMediaPermission, type PermissionQuestion } from '#core/calls/media-permission.js';
import { createUnavailableProbe, Launcher, UserGestureGate } from '#core/launcher/index.js';
import { createVault } from '#core/vault/index.js';
import { createPreloadPort, type RendererIpc } from '#preload/desktop-bridge.js';
import { tempDir } from '../support/test-server.js';

const appOrigin = 'app://switchboard';
const media = (change: Partial<PermissionQuestion> = {}): PermissionQuestion => ({
  permission: 'media',
  requestingUrl: `${appOrigin}/index.html`,
  fromAppWindow: true,
  isMainFrame: true,
  mediaTypes: ['audio', 'video'],
  ...change,
});

/** The desktop's microphone and camera rule (M26), as electron/main's permission handlers ask it. */
describe('media permission in the desktop app', () => {
  it('allows the app window its microphone and camera only while a call is on', () => {
    const gate = new CallMediaPermission([appOrigin]);
    expect(gate.allows(media())).toBe(false);
    gate.setCallActive(true);
    expect(gate.allows(media())).toBe(true);
    expect(gate.allows(media({ mediaTypes: ['audio'] }))).toBe(true);
    gate.setCallActive(false);
    expect(gate.allows(media())).toBe(false);
  });

  it('refuses other origins, other windows, subframes, screen capture and every other permission, even during a call', () => {
    const gate = new CallMediaPermission([appOrigin, 'https://switchboard.example.com']);
    gate.setCallActive(true);
    expect(gate.allows(media({ requestingUrl: 'https://evil.example/' }))).toBe(false);
    expect(gate.allows(media({ requestingUrl: 'app://other/index.html' }))).toBe(false);
    expect(gate.allows(media({ requestingUrl: undefined }))).toBe(false);
    expect(gate.allows(media({ requestingUrl: 'not a url' }))).toBe(false);
    expect(gate.allows(media({ fromAppWindow: false }))).toBe(false);
    expect(gate.allows(media({ isMainFrame: false }))).toBe(false);
    expect(gate.allows(media({ mediaTypes: ['video', 'desktop'] }))).toBe(false);
    for (const permission of ['notifications', 'geolocation', 'clipboard-read', 'display-capture', 'midi']) {
      expect(gate.allows(media({ permission }))).toBe(false);
    }
    // The web client served by the server, when the desktop shows it instead of app://.
    expect(gate.allows(media({ requestingUrl: 'https://switchboard.example.com/contacts' }))).toBe(true);
    // A permission check names the origin only (no frame, no media types).
    expect(gate.allows({ permission: 'media', requestingUrl: 'https://switchboard.example.com', fromAppWindow: true, isMainFrame: undefined })).toBe(true);
  });

  it('forgets a call a crashed window never ended', () => {
    let now = 1_000;
    const gate = new CallMediaPermission([appOrigin], () => now);
    gate.setCallActive(true);
    now += 11 * 60 * 60 * 1000;
    expect(gate.allows(media())).toBe(true);
    now += 2 * 60 * 60 * 1000;
    expect(gate.allows(media())).toBe(false);
  });
});

describe('the window says when a call is on, through the bridge', () => {
  /** The real host behind the preload's port and the page's bridge; only Electron's IPC is a direct call. */
  function windowAt(senderUrl: string, gate: CallMediaPermission) {
    const gestures = new UserGestureGate();
    const host = new BridgeHost({
      version: '0.1.0-test',
      platform: 'linux',
      serverUrl: 'http://127.0.0.1:9',
      trustedOrigins: [appOrigin],
      vault: createVault({ service: `switchboard-calls-${process.pid}` }),
      state: new DesktopState(path.join(tempDir(), 'bridge-state')),
      plugins: [],
      iconUrl: (id) => `${appOrigin}/plugins/${id}/icon`,
      launcher: new Launcher({ findPlugin: () => undefined, probe: createUnavailableProbe('not needed here'), openExternal: async () => ({ ok: true }), gestures }),
      gestures,
      callMedia: gate,
    });
    const ipc: RendererIpc = {
      invoke: (channel, ...args) => host.handle(channel, args, { source: 'window-1', senderUrl, isTopFrame: true }),
      on: () => undefined,
      removeListener: () => undefined,
    };
    return { host, bridge: createIpcBridge(createPreloadPort(ipc)) };
  }

  it('turns media on and off for the app window; a foreign page cannot turn it on', async () => {
    const gate = new CallMediaPermission([appOrigin]);
    const ours = windowAt(`${appOrigin}/contacts`, gate);
    await ours.bridge.calls.setMediaActive({ active: true });
    expect(gate.allows(media())).toBe(true);
    await ours.bridge.calls.setMediaActive({ active: false });
    expect(gate.allows(media())).toBe(false);
    await expect(ours.bridge.calls.setMediaActive(JSON.parse('{"active":"yes"}') as { active: boolean })).rejects.toMatchObject({ code: 'invalid_arguments' });

    const foreign = windowAt('https://evil.example/', gate);
    await expect(foreign.bridge.calls.setMediaActive({ active: true })).rejects.toMatchObject({ code: 'untrusted_sender' });
    expect(gate.allows(media())).toBe(false);
    ours.host.close();
    foreign.host.close();
  });
});
