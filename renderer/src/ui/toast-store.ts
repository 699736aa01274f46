import { create } from 'zustand';

/** A button in the toast, e.g. Undo after a delete. */
export interface ToastAction {
  label: string;
  run(): void;
}

interface ToastState {
  message: string | undefined;
  tone: 'info' | 'error';
  action: ToastAction | undefined;
  show(message: string, tone?: 'info' | 'error', action?: ToastAction): void;
  /** The pointer or the keyboard is on the toast: it stays until `release`. */
  hold(): void;
  /** The pointer or the keyboard left: the toast goes after a short while. */
  release(): void;
  dismiss(): void;
}

const plainLifetimeMs = 6000;
// A toast with an action stays longer: people need time to reach the Undo.
const actionLifetimeMs = 10_000;
// After the pointer leaves an action toast, enough time to come back to it.
const afterReleaseMs = 4000;

let timer: ReturnType<typeof setTimeout> | undefined;

/** One short message at a time, read out by screen readers through the live region in App. */
export const useToast = create<ToastState>((set, get) => {
  const hideAfter = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => set({ message: undefined, action: undefined }), ms);
  };
  return {
    message: undefined,
    tone: 'info',
    action: undefined,
    show(message, tone = 'info', action) {
      set({ message, tone, action });
      hideAfter(action === undefined ? plainLifetimeMs : actionLifetimeMs);
    },
    hold() {
      // Timing adjustable (WCAG 2.2.1): a toast being reached for never vanishes under the pointer.
      if (get().message !== undefined) clearTimeout(timer);
    },
    release() {
      if (get().message !== undefined) hideAfter(afterReleaseMs);
    },
    dismiss() {
      clearTimeout(timer);
      set({ message: undefined, action: undefined });
    },
  };
});
