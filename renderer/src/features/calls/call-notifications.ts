import { useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { translate } from '../../i18n/i18n.js';

/**
 * Notifications for calls. On the desktop an incoming call is an OS notification through the bridge
 * (`notifications.showIncomingCall`: only while the window is not focused, with Answer and Decline where
 * the OS has buttons); in a browser, and for missed calls, the page's Web Notification API. Its permission
 * is asked when the person starts a call themselves, never out of the blue.
 */
let shown: Notification | undefined;
/** The call whose desktop notification may be showing, so that the end of the call withdraws it. */
let desktopCall: string | undefined;

const onDesktop = () => useApp.getState().info?.kind === 'desktop';

export function askNotificationPermissionOnce(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  void Notification.requestPermission().catch(() => undefined);
}

/** A call rings here: the desktop's notification, or the browser's. */
export function notifyIncomingCall(callId: string, title: string, body: string): void {
  if (!onDesktop()) {
    notifyCall(callId, title, body);
    return;
  }
  closeCallNotification();
  desktopCall = callId;
  bridge()
    .notifications.showIncomingCall({ callId, title, body, answerLabel: translate('calls.answer'), declineLabel: translate('calls.decline') })
    .catch((error: unknown) => {
      // A system without notifications answers `unsupported`: the call screen rings all the same.
      if ((error as { code?: unknown }).code !== 'unsupported') console.warn('call: the notification could not be shown', error);
    });
}

export function notifyCall(tag: string, title: string, body: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  closeCallNotification();
  try {
    const notification = new Notification(title, { body, tag, requireInteraction: true });
    notification.addEventListener('click', () => {
      window.focus();
      notification.close();
    });
    shown = notification;
  } catch {
    // Some browsers allow notifications only from a service worker; the call shows on the page anyway.
  }
}

export function closeCallNotification(): void {
  shown?.close();
  shown = undefined;
  if (desktopCall !== undefined) void bridge().notifications.closeIncomingCall({ callId: desktopCall }).catch(() => undefined);
  desktopCall = undefined;
}
