import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIpcBridge, type IncomingCallAction } from '#common/bridge/index.js';
import { BridgeHost } from '#core/bridge-host/index.js';
import { DesktopState } from '#core/bridge-host/desktop-state.js';
import type { NativeCallNotifier } from '#core/calls/incoming-call-notices.js';
import { createUnavailableProbe, Launcher, UserGestureGate } from '#core/launcher/index.js';
import { createVault } from '#core/vault/index.js';
import { createPreloadPort, type RendererIpc } from '#preload/desktop-bridge.js';
import { RecordingCallNotifier } from '../support/call-notifier.js';
import { tempDir } from '../support/test-server.js';

const appOrigin = 'app://switchboard';

/** The real host behind the preload's port and the page's bridge, events included; only Electron's IPC is a direct call. */
function desktopWindow(options: { notifier?: NativeCallNotifier; focused?: boolean; senderUrl?: string } = {}) {
  const gestures = new UserGestureGate();
  const raised: number[] = [];
  let focused = options.focused ?? false;
  const host = new BridgeHost({
    version: '0.1.0-test',
    platform: 'linux',
    serverUrl: 'http://127.0.0.1:9',
    trustedOrigins: [appOrigin],
    vault: createVault({ service: `switchboard-call-notices-${process.pid}` }),
    state: new DesktopState(path.join(tempDir(), 'bridge-state')),
    plugins: [],
    iconUrl: (id) => `${appOrigin}/plugins/${id}/icon`,
    launcher: new Launcher({ findPlugin: () => undefined, probe: createUnavailableProbe('not needed here'), openExternal: async () => ({ ok: true }), gestures }),
    gestures,
    callNotifications: { notifier: options.notifier, windowFocused: () => focused, raiseWindow: () => raised.push(raised.length + 1) },
  });
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const ipc: RendererIpc = {
    invoke: (channel, ...args) => host.handle(channel, args, { source: 'window-1', senderUrl: options.senderUrl ?? `${appOrigin}/contacts`, isTopFrame: true }),
    on: (channel, listener) => listeners.set(channel, new Set([...(listeners.get(channel) ?? []), listener])),
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  // What Electron main's webContents.send does with the host's events.
  host.onEvent((channel, payload) => {
    for (const listener of listeners.get(channel) ?? []) listener(undefined, payload);
  });
  const bridge = createIpcBridge(createPreloadPort(ipc));
  const actions: IncomingCallAction[] = [];
  bridge.notifications.onCallAction((action) => actions.push(action));
  return {
    host,
    bridge,
    actions,
    raised,
    focus: (value: boolean) => {
      focused = value;
    },
  };
}

const notice = (callId: string) => ({ callId, title: 'Incoming video call', body: 'Alice is calling you', answerLabel: 'Answer', declineLabel: 'Decline' });

/** Incoming calls as OS notifications on the desktop (M26): electron/core/calls/incoming-call-notices.ts through the bridge. */
describe('an incoming call notifies on the desktop', () => {
  it('shows Answer and Decline where the OS has buttons; Answer raises the window and reaches the page once', async () => {
    const notifier = new RecordingCallNotifier(true);
    const window = desktopWindow({ notifier });
    const callId = randomUUID();
    expect(await window.bridge.notifications.showIncomingCall(notice(callId))).toEqual({ shown: true });
    expect(notifier.latest().notice).toEqual({ title: 'Incoming video call', body: 'Alice is calling you', buttons: ['Answer', 'Decline'] });

    notifier.latest().handlers.button(0);
    expect(window.actions).toEqual([{ callId, action: 'answer' }]);
    expect(window.raised).toHaveLength(1);
    expect(notifier.latest().open).toBe(false);
    // Reports after the answer (a late click) change nothing.
    notifier.latest().handlers.click();
    expect(window.actions).toHaveLength(1);
    window.host.close();
  });

  it('Decline reaches the page without raising the window; the notices speak the words they are given', async () => {
    const notifier = new RecordingCallNotifier(true);
    const window = desktopWindow({ notifier });
    const callId = randomUUID();
    await window.bridge.notifications.showIncomingCall({ callId, title: '视频来电', body: '爱丽丝正在呼叫你', answerLabel: '接听', declineLabel: '拒绝' });
    expect(notifier.latest().notice.buttons).toEqual(['接听', '拒绝']);
    notifier.latest().handlers.button(1);
    expect(window.actions).toEqual([{ callId, action: 'decline' }]);
    expect(window.raised).toEqual([]);
    window.host.close();
  });

  it('where the OS has no buttons, a click raises the window and says so; the OS closing it says nothing', async () => {
    const notifier = new RecordingCallNotifier(false);
    const window = desktopWindow({ notifier });
    const first = randomUUID();
    await window.bridge.notifications.showIncomingCall(notice(first));
    expect(notifier.latest().notice.buttons).toEqual([]);
    notifier.latest().handlers.click();
    expect(window.actions).toEqual([{ callId: first, action: 'open' }]);
    expect(window.raised).toHaveLength(1);

    const second = randomUUID();
    await window.bridge.notifications.showIncomingCall(notice(second));
    notifier.latest().handlers.closed();
    expect(window.actions).toEqual([{ callId: first, action: 'open' }]);
    window.host.close();
  });

  it('stays quiet while the window has the focus, and withdraws a notice when the page says the call is over', async () => {
    const notifier = new RecordingCallNotifier(true);
    const window = desktopWindow({ notifier, focused: true });
    expect(await window.bridge.notifications.showIncomingCall(notice(randomUUID()))).toEqual({ shown: false });
    expect(notifier.shown).toEqual([]);

    window.focus(false);
    const first = randomUUID();
    await window.bridge.notifications.showIncomingCall(notice(first));
    // Another call's id withdraws nothing; a newer call replaces the older notice.
    await window.bridge.notifications.closeIncomingCall({ callId: randomUUID() });
    expect(notifier.latest().open).toBe(true);
    const second = randomUUID();
    await window.bridge.notifications.showIncomingCall(notice(second));
    expect(notifier.shown.map((entry) => entry.open)).toEqual([false, true]);
    await window.bridge.notifications.closeIncomingCall({ callId: second });
    expect(notifier.shown.map((entry) => entry.open)).toEqual([false, false]);
    expect(window.actions).toEqual([]);
    window.host.close();
  });

  it('answers with the contract codes: unsupported without notifications, invalid arguments, a foreign page refused', async () => {
    const silent = desktopWindow();
    await expect(silent.bridge.notifications.showIncomingCall(notice(randomUUID()))).rejects.toMatchObject({ code: 'unsupported' });
    // Nothing to withdraw is no failure.
    await silent.bridge.notifications.closeIncomingCall({ callId: randomUUID() });

    const notifier = new RecordingCallNotifier(true);
    const window = desktopWindow({ notifier });
    await expect(window.bridge.notifications.showIncomingCall({ ...notice('not-a-call'), title: 'x' })).rejects.toMatchObject({ code: 'invalid_arguments' });
    await expect(window.bridge.notifications.showIncomingCall({ ...notice(randomUUID()), title: '' })).rejects.toMatchObject({ code: 'invalid_arguments' });
    await expect(window.bridge.notifications.showIncomingCall(JSON.parse(JSON.stringify({ ...notice(randomUUID()), extra: 1 })) as ReturnType<typeof notice>)).rejects.toMatchObject({
      code: 'invalid_arguments',
    });
    const foreign = desktopWindow({ notifier, senderUrl: 'https://evil.example/' });
    await expect(foreign.bridge.notifications.showIncomingCall(notice(randomUUID()))).rejects.toMatchObject({ code: 'untrusted_sender' });
    expect(notifier.shown).toEqual([]);
    for (const each of [silent, window, foreign]) each.host.close();
  });
});
