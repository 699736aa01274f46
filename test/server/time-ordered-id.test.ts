import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { timeOrderedId } from '#server/platform/crypto.js';

describe('timeOrderedId', () => {
  it('is a UUID of version 7 whose first 48 bits are the millisecond', () => {
    const at = Date.UTC(2026, 10, 28, 21, 30, 0, 123);
    const id = timeOrderedId(at);
    expect(z.string().uuid().safeParse(id).success).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(Number.parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time, as text, so rows keyed by it are appended to their index', () => {
    const times = [1, 255, 256, 4096, 1_700_000_000_000, 1_700_000_000_001, 2_000_000_000_000];
    const ids = times.map((time) => timeOrderedId(time));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeats within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => timeOrderedId(1_800_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
