import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { imStatuses } from '#common/contract/socket-events.js';

/**
 * The desktop's non-secret preferences, in one JSON file of the config folder: which contacts the
 * user wants a notification for, the tray status, start at login, and the phone number shown for the
 * signed-in user (the keychain item holds the token; the vault's session schema has no phone).
 */
const stateSchema = z.object({
  version: z.literal(1),
  notifyContacts: z.array(z.string().uuid()).max(100_000).default([]),
  sessions: z.record(z.string(), z.object({ userId: z.string().uuid(), phone: z.string().max(32) })).default({}),
  startAtLogin: z.boolean().default(false),
  status: z.enum(imStatuses).default('online'),
  /** The free text (mood) next to the status. */
  statusText: z.string().max(280).default(''),
  /**
   * Whether the person chose a status on this machine. Until then reports carry apps only, so a status
   * chosen on another device stands (see electron/core/presence/my-status.ts).
   */
  statusChosen: z.boolean().default(false),
});
export type DesktopStateData = z.infer<typeof stateSchema>;
export type ImStatus = DesktopStateData['status'];

const emptyState = (): DesktopStateData => ({ version: 1, notifyContacts: [], sessions: {}, startAtLogin: false, status: 'online', statusText: '', statusChosen: false });

export const DESKTOP_STATE_FILE = 'desktop-state.json';

export class DesktopState {
  private data: DesktopStateData;
  readonly file: string;
  /** Set when the file existed but could not be read; it was moved aside and defaults apply. */
  readonly recoveredFrom: string | undefined;

  constructor(configDir: string) {
    this.file = path.join(configDir, DESKTOP_STATE_FILE);
    const loaded = DesktopState.read(this.file);
    this.data = loaded.data;
    this.recoveredFrom = loaded.recoveredFrom;
  }

  private static read(file: string): { data: DesktopStateData; recoveredFrom?: string } {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return { data: emptyState() };
    }
    try {
      return { data: stateSchema.parse(JSON.parse(text)) };
    } catch {
      // A hand-edited or half-written file must not stop the app; keep it for the curious.
      const aside = `${file}.corrupt-${Date.now()}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        // Unmovable: it will be overwritten on the next save.
      }
      return { data: emptyState(), recoveredFrom: aside };
    }
  }

  get snapshot(): Readonly<DesktopStateData> {
    return structuredClone(this.data);
  }

  notifiesFor(userId: string): boolean {
    return this.data.notifyContacts.includes(userId);
  }

  setNotifications(userId: string, enabled: boolean): void {
    const others = this.data.notifyContacts.filter((id) => id !== userId);
    this.update({ notifyContacts: enabled ? [...others, userId] : others });
  }

  sessionProfile(origin: string): { userId: string; phone: string } | undefined {
    return this.data.sessions[origin];
  }

  setSessionProfile(origin: string, profile: { userId: string; phone: string } | undefined): void {
    const sessions = { ...this.data.sessions };
    if (profile === undefined) delete sessions[origin];
    else sessions[origin] = profile;
    this.update({ sessions });
  }

  get startAtLogin(): boolean {
    return this.data.startAtLogin;
  }

  set startAtLogin(enabled: boolean) {
    this.update({ startAtLogin: enabled });
  }

  get status(): ImStatus {
    return this.data.status;
  }

  set status(status: ImStatus) {
    this.update({ status, statusChosen: true });
  }

  /** My status, its text and whether the person chose it here; one write, so a crash never splits them. */
  get myStatus(): { status: ImStatus; text: string; chosen: boolean } {
    return { status: this.data.status, text: this.data.statusText, chosen: this.data.statusChosen };
  }

  setMyStatus(value: { status: ImStatus; text: string }): void {
    this.update({ status: value.status, statusText: value.text, statusChosen: true });
  }

  /** Write to a temporary file and rename: a crash mid-write leaves the old file, never half of one. */
  private update(change: Partial<DesktopStateData>): void {
    const next = stateSchema.parse({ ...this.data, ...change });
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(temporary, this.file);
    this.data = next;
  }
}
