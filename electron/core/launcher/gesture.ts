/**
 * Opening another app is something only the person may start: a page (or injected script) calling
 * the bridge on its own must not be able to fire `tg:` or `https:` links at will. Electron main
 * records trusted input events per window (`webContents.on('input-event')`, which page script cannot
 * fake); a bridge call may then claim one gesture token, valid once and only shortly after the input,
 * and the launcher opens nothing without redeeming one.
 */

/** Chromium's own transient user activation lasts 5 s; a click that takes longer to reach us is stale. */
export const DEFAULT_GESTURE_WINDOW_MS = 5000;

declare const gestureBrand: unique symbol;
/** Opaque and unforgeable: only `UserGestureGate.claim` makes them. */
export type UserGesture = { readonly [gestureBrand]: true };

export class UserGestureGate {
  private readonly lastInput = new Map<string, number>();
  private readonly issued = new WeakSet<object>();
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: { windowMs?: number; now?: () => number } = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_GESTURE_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  /** A trusted input event (click, key press) reached the window identified by `source`. */
  recordInput(source: string): void {
    this.lastInput.set(source, this.now());
  }

  /** A gesture token when `source` had input within the window; the input is used up either way. */
  claim(source: string): UserGesture | undefined {
    const at = this.lastInput.get(source);
    this.lastInput.delete(source);
    if (at === undefined || this.now() - at > this.windowMs) return undefined;
    const token = Object.freeze({}) as UserGesture;
    this.issued.add(token);
    return token;
  }

  /** True once for a token this gate issued; a second redeem of the same token is refused. */
  redeem(token: UserGesture | undefined): boolean {
    if (token === undefined || !this.issued.has(token)) return false;
    this.issued.delete(token);
    return true;
  }

  /** The window closed: forget its input. */
  forget(source: string): void {
    this.lastInput.delete(source);
  }
}
