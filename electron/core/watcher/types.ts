/** Shapes shared by the app watcher; the matcher's own (process rows, matcher sets) live with the one matcher. */

import type { ProcessRow } from '#common/plugin-manifest/matchers.js';

export type { AppMatcherSet, ProcessRow, RunningApps, WatchedPlatform } from '#common/plugin-manifest/matchers.js';
export type { ProcessMatcher } from '#common/plugin-manifest/schema.js';

export interface ProcessSource {
  list(): Promise<ProcessRow[]> | ProcessRow[];
  /** Releases long-lived resources (a PowerShell session on Windows). */
  close?(): void;
}

export interface AppPresence {
  plugin: string;
  /** Epoch milliseconds of the scan that first saw the app in this run. */
  since: number;
}

export interface AppChange {
  started: string[];
  stopped: string[];
  running: AppPresence[];
}

export interface RunningAppState extends AppPresence {
  /** Pids seen in the latest scan; empty while a stop is pending inside the grace period. */
  pids: number[];
}
