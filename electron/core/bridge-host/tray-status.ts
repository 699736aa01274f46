import type { ImStatus } from './desktop-state.js';

export const STATUS_LABELS: Record<ImStatus, string> = {
  online: 'Online',
  busy: 'Busy',
  away: 'Away',
  invisible: 'Invisible',
};

const STATUS_COLOURS: Record<ImStatus, [number, number, number]> = {
  online: [46, 160, 67],
  busy: [207, 34, 46],
  away: [212, 167, 44],
  invisible: [140, 149, 159],
};

/**
 * The tray icon: a dot in the status colour, drawn as raw BGRA pixels for `nativeImage.createFromBitmap`
 * so the app ships no icon per status and the tray always matches the menu. Invisible is a ring.
 */
export function statusDotBitmap(status: ImStatus, size = 16): Buffer {
  const [red, green, blue] = STATUS_COLOURS[status];
  const pixels = Buffer.alloc(size * size * 4);
  const centre = (size - 1) / 2;
  const outer = size / 2 - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const distance = Math.hypot(x - centre, y - centre);
      const filled = status === 'invisible' ? distance <= outer && distance >= outer - 2 : distance <= outer;
      if (!filled) continue;
      const offset = (y * size + x) * 4;
      pixels[offset] = blue;
      pixels[offset + 1] = green;
      pixels[offset + 2] = red;
      pixels[offset + 3] = 255;
    }
  }
  return pixels;
}

export function trayTooltip(status: ImStatus, signedIn: boolean, runningApps: readonly string[], unreadMessages = 0): string {
  if (!signedIn) return 'Switchboard: not signed in';
  const apps = runningApps.length === 0 ? 'no networks open' : runningApps.join(', ');
  const unread = unreadMessages === 0 ? '' : ` · ${unreadMessages} unread ${unreadMessages === 1 ? 'message' : 'messages'}`;
  return `Switchboard: ${STATUS_LABELS[status]} (${apps})${unread}`;
}
