/** Lets timers, sockets and other requests run before the next slice of a long task. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `work` over `rows` in slices of `size`, giving the event loop a turn between slices, so that a
 * 20,000-entry address book never holds the loop for more than one slice's worth of work.
 */
export async function inSlices<T, R>(rows: readonly T[], size: number, work: (slice: T[], offset: number) => R | Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let offset = 0; offset < rows.length; offset += size) {
    if (offset > 0) await yieldToEventLoop();
    results.push(await work(rows.slice(offset, offset + size), offset));
  }
  return results;
}

/** `rows` cut into consecutive slices of at most `size` rows. */
export function slicesOf<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let offset = 0; offset < rows.length; offset += size) out.push(rows.slice(offset, offset + size));
  return out;
}
