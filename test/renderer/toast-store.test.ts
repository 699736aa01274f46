import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useToast } from '#renderer/ui/toast-store.js';

describe('the toast', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useToast.getState().dismiss();
  });
  afterEach(() => vi.useRealTimers());

  it('goes by itself, later when it offers an action', () => {
    useToast.getState().show('Saved');
    vi.advanceTimersByTime(5999);
    expect(useToast.getState().message).toBe('Saved');
    vi.advanceTimersByTime(1);
    expect(useToast.getState().message).toBeUndefined();

    useToast.getState().show('Deleted', 'info', { label: 'Undo', run: () => undefined });
    vi.advanceTimersByTime(9999);
    expect(useToast.getState().action?.label).toBe('Undo');
    vi.advanceTimersByTime(1);
    expect(useToast.getState().action).toBeUndefined();
  });

  it('stays while held, and goes a little after it is released', () => {
    useToast.getState().show('Deleted', 'info', { label: 'Undo', run: () => undefined });
    vi.advanceTimersByTime(9000);
    useToast.getState().hold();
    vi.advanceTimersByTime(60_000);
    expect(useToast.getState().message).toBe('Deleted');
    useToast.getState().release();
    vi.advanceTimersByTime(3999);
    expect(useToast.getState().message).toBe('Deleted');
    vi.advanceTimersByTime(1);
    expect(useToast.getState().message).toBeUndefined();
  });

  it('a new toast replaces a held one with its own lifetime', () => {
    useToast.getState().show('Deleted', 'info', { label: 'Undo', run: () => undefined });
    useToast.getState().hold();
    useToast.getState().show('Saved');
    vi.advanceTimersByTime(6000);
    expect(useToast.getState().message).toBeUndefined();
  });
});
