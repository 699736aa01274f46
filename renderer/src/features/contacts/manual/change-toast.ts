import type { Translate } from '#renderer/i18n/i18n.js';
import { humanError } from '#renderer/ui/human-error.js';
import { useToast } from '#renderer/ui/toast-store.js';
import { restoreSnapshot, type BookSnapshot } from './manual-contacts.js';

/**
 * The toast after a change to the book, with an Undo that puts `previous` back. An Undo that fails for
 * another reason than a lost connection (offline, the book goes up with the next catch-up) says so.
 */
export function showChangeToast(t: Translate, message: string, previous: BookSnapshot | undefined): void {
  const undo =
    previous === undefined
      ? undefined
      : {
          label: t('manual.undo'),
          run: () => {
            restoreSnapshot(previous).catch((error: unknown) => showChangeFailure(t, error));
          },
        };
  useToast.getState().show(message, 'info', undo);
}

/**
 * A new change takes the toast of the one before away first: its Undo would put back a book from before
 * this change, which is not what a person reaching for "Undo" right after this one means.
 */
export function clearChangeToast(): void {
  if (useToast.getState().action !== undefined) useToast.getState().dismiss();
}

/** A failure after the change was shown, when the dialog or panel that could say it has gone. */
export function showChangeFailure(t: Translate, error: unknown): void {
  useToast.getState().show(humanError(t, error).text, 'error');
}
