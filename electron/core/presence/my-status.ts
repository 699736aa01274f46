import type { PresenceSetPayload } from '#common/contract/socket-events.js';
import type { DesktopState, ImStatus } from '../bridge-host/desktop-state.js';
import type { ReportOutcome } from './presence-link.js';

export interface MyStatusValue {
  status: ImStatus;
  text: string;
}

/**
 * My status on this machine, held by the desktop core and nowhere else: the tray and the Status screen
 * (through the bridge) read and change it here, the presence link reports it. It persists in the
 * desktop state file, so a restart or a reconnect sends what the person last chose.
 *
 * How it meets the server: the server keeps one status per user, merged from the reports of all their
 * devices, and sends no status of ours back. Until the person chooses a status on this machine, reports
 * carry apps only, so the status another device (the web client, a phone) set stands; once chosen here,
 * every (re)connect re-sends it. A report the server refuses leaves the value here unchanged.
 */
export class MyStatus {
  private readonly listeners = new Set<(value: MyStatusValue) => void>();
  private reporter: (() => Promise<ReportOutcome>) | undefined;

  constructor(private readonly state: DesktopState) {}

  get(): MyStatusValue {
    const { status, text } = this.state.myStatus;
    return { status, text };
  }

  /** The status fields of a presence report (see the class comment for why they may be absent). */
  reportFields(): Pick<PresenceSetPayload, 'status' | 'text'> {
    const { status, text, chosen } = this.state.myStatus;
    return chosen ? { status, text } : {};
  }

  /** Stores the change, tells every reader (tray, Status screen) and reports it when connected. */
  async set(change: Partial<MyStatusValue>): Promise<{ value: MyStatusValue; report: ReportOutcome }> {
    const value = { ...this.get(), ...change };
    this.state.setMyStatus(value);
    for (const listener of [...this.listeners]) listener(value);
    const report = (await this.reporter?.()) ?? { state: 'offline' as const };
    return { value, report };
  }

  onChange(listener: (value: MyStatusValue) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The core connects the current presence link here, or nothing while signed out. */
  reportWith(reporter: (() => Promise<ReportOutcome>) | undefined): void {
    this.reporter = reporter;
  }
}
