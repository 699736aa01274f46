import type { NativeCallNotice, NativeCallNoticeHandlers, NativeCallNotifier } from '#core/calls/incoming-call-notices.js';

/**
 * Stands in for Electron's Notification (electron/main/desktop.ts only forwards to it): records what the
 * OS was asked to show, and lets the test press a button, click, or let the OS close it.
 */
export class RecordingCallNotifier implements NativeCallNotifier {
  readonly shown: { notice: NativeCallNotice; handlers: NativeCallNoticeHandlers; open: boolean }[] = [];
  constructor(readonly buttons: boolean) {}

  show(notice: NativeCallNotice, handlers: NativeCallNoticeHandlers): { close(): void } {
    const entry = { notice, handlers, open: true };
    this.shown.push(entry);
    return {
      close: () => {
        if (!entry.open) return;
        entry.open = false;
        // The OS reports every close, the ones the app asked for too.
        handlers.closed();
      },
    };
  }

  latest() {
    const entry = this.shown.at(-1);
    if (entry === undefined) throw new Error('nothing was shown');
    return entry;
  }
}
