import { create } from 'zustand';

interface ToastState {
  message: string | undefined;
  tone: 'info' | 'error';
  show(message: string, tone?: 'info' | 'error'): void;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** One short message at a time, read out by screen readers through the live region in App. */
export const useToast = create<ToastState>((set) => ({
  message: undefined,
  tone: 'info',
  show(message, tone = 'info') {
    clearTimeout(timer);
    set({ message, tone });
    timer = setTimeout(() => set({ message: undefined }), 6000);
  },
}));
