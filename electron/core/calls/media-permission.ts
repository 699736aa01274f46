/**
 * Who may use the microphone and camera in the desktop app (M26): only the app's own window, only pages
 * of the app's own origin, only the top frame, and only while a call is on (the window says when a call
 * starts and ends). Every other permission, of any page, stays refused. Electron's permission handlers in
 * electron/main ask `allows` and do nothing else.
 */
export type PermissionQuestion = {
  /** Electron's permission name: `media` for getUserMedia; others are refused here. */
  permission: string;
  /** The page (request handler) or origin (check handler) that asks. */
  requestingUrl: string | undefined;
  /** Whether the asking web contents is the app's main window. */
  fromAppWindow: boolean;
  /** False for a subframe; unknown for a permission check. */
  isMainFrame: boolean | undefined;
  /** `audio`, `video`: what a media request wants; screen capture is never allowed. */
  mediaTypes?: readonly string[];
};

/** A call left "on" by a window that crashed must not keep the microphone open for ever. */
const longestCallMs = 12 * 60 * 60 * 1000;

function originOf(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  try {
    const origin = new URL(url).origin;
    // Custom schemes (app://) have an opaque origin in the URL API: rebuild it from protocol and host.
    return origin === 'null' ? `${new URL(url).protocol}//${new URL(url).host}` : origin;
  } catch {
    return undefined;
  }
}

export class CallMediaPermission {
  private activeSince: number | undefined;
  private readonly origins: ReadonlySet<string>;

  constructor(
    appOrigins: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    this.origins = new Set(appOrigins.map((origin) => originOf(origin) ?? origin));
  }

  setCallActive(active: boolean): void {
    this.activeSince = active ? this.now() : undefined;
  }

  callActive(): boolean {
    return this.activeSince !== undefined && this.now() - this.activeSince < longestCallMs;
  }

  allows(question: PermissionQuestion): boolean {
    if (question.permission !== 'media') return false;
    if (!question.fromAppWindow || question.isMainFrame === false) return false;
    const origin = originOf(question.requestingUrl);
    if (origin === undefined || !this.origins.has(origin)) return false;
    if ((question.mediaTypes ?? []).some((type) => type !== 'audio' && type !== 'video')) return false;
    return this.callActive();
  }
}
