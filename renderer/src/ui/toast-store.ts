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
  dismiss(): void;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** One short message at a time, read out by screen readers through the live region in App. */
export const useToast = create<ToastState>((set) => ({
  message: undefined,
  tone: 'info',
  action: undefined,
  show(message, tone = 'info', action) {
    clearTimeout(timer);
    set({ message, tone, action });
    // A toast with an action stays longer: people need time to reach the Undo.
    timer = setTimeout(() => set({ message: undefined, action: undefined }), action === undefined ? 6000 : 10000);
  },
  dismiss() {
    clearTimeout(timer);
    set({ message: undefined, action: undefined });
  },
}));
