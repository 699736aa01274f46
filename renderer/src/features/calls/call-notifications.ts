/**
 * Desktop/web notifications for calls through the page's Notification API (Electron shows them
 * natively). Permission is asked when the person starts a call themselves, never out of the blue.
 */
let shown: Notification | undefined;

export function askNotificationPermissionOnce(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  void Notification.requestPermission().catch(() => undefined);
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
}
