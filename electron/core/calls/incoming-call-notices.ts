import { BridgeError, type IncomingCallAction } from '#common/bridge/index.js';

/** A notification as the OS shows it: words, and buttons where the OS has them. */
export type NativeCallNotice = { title: string; body: string; buttons: readonly string[] };

/** What the person does with a shown notification; `closed` when it went away without an answer. */
export type NativeCallNoticeHandlers = { button(index: number): void; click(): void; closed(): void };

/**
 * The desktop's native notifications for calls (Electron's Notification in electron/main, which only
 * shows and reports): everything it decides lives in IncomingCallNotices below.
 */
export interface NativeCallNotifier {
  /** Whether a notification can carry buttons here (Electron: macOS, Windows); elsewhere only a click reaches the app. */
  readonly buttons: boolean;
  show(notice: NativeCallNotice, handlers: NativeCallNoticeHandlers): { close(): void };
}

export interface IncomingCallNoticesOptions {
  /** Absent on a system that shows no notifications: every show is `unsupported`. */
  notifier: NativeCallNotifier | undefined;
  /** Whether the app's window has the focus now (Electron's BrowserWindow.isFocused). */
  windowFocused: () => boolean;
  /** Brings the app's window forward (restored, shown, focused). */
  raiseWindow: () => void;
  /** What the person did, for the window (the bridge's `notifications.callAction` event). */
  onAction: (action: IncomingCallAction) => void;
}

/**
 * Incoming calls as OS notifications on the desktop (M26): one at a time (a new call replaces the
 * notification of an older one), only while the window is not focused (the call screen rings there), with
 * Answer and Decline where the OS shows buttons, else a click that raises the window. The window withdraws
 * the notification when the call is answered, declined or over anywhere.
 */
export class IncomingCallNotices {
  private current: { callId: string; close(): void } | undefined;

  constructor(private readonly options: IncomingCallNoticesOptions) {}

  show(request: { callId: string; title: string; body: string; answerLabel: string; declineLabel: string }): { shown: boolean } {
    const { notifier, windowFocused } = this.options;
    if (notifier === undefined) throw new BridgeError('unsupported', 'this system shows no notifications');
    if (windowFocused()) return { shown: false };
    this.close(this.current?.callId);
    const { callId } = request;
    // The person acts once: later reports of the same notification (a close after a click) say nothing more.
    let settled = false;
    const settle = (action: IncomingCallAction['action'] | undefined) => {
      if (settled) return;
      settled = true;
      if (this.current?.callId === callId) this.current = undefined;
      if (action === 'answer' || action === 'open') this.options.raiseWindow();
      if (action !== undefined) this.options.onAction({ callId, action });
    };
    const buttons = notifier.buttons ? [request.answerLabel, request.declineLabel] : [];
    const shown = notifier.show(
      { title: request.title, body: request.body, buttons },
      {
        button: (index) => {
          const action = index === 0 ? 'answer' : index === 1 ? 'decline' : undefined;
          if (action === undefined) return;
          settle(action);
          shown.close();
        },
        click: () => {
          settle('open');
          shown.close();
        },
        closed: () => settle(undefined),
      },
    );
    this.current = { callId, close: () => shown.close() };
    return { shown: true };
  }

  /** Withdraws the call's notification, if it is the one shown. */
  close(callId: string | undefined): void {
    const current = this.current;
    if (current === undefined || current.callId !== callId) return;
    this.current = undefined;
    current.close();
  }

  /** The call whose notification is shown now, if any. */
  get shownFor(): string | undefined {
    return this.current?.callId;
  }
}
