/**
 * Shapes shared by the app watcher. Matchers are typed structurally so the watcher does not depend on
 * the plugin-manifest schema: any manifest whose `processes[os]` fits `AppMatcherSet` can be fed in.
 */

export type WatchedPlatform = 'linux' | 'darwin' | 'win32';

/** One way to recognise an app's process, as declared in a plugin manifest. */
export interface ProcessMatcher {
  /** The executable's base name: `slack`, `telegram-desktop`, `Slack`, `Slack.exe`, `zoom.us`. */
  name: string;
  /** Every one of these must appear among the process's arguments (argv without argv[0]). */
  args?: string[];
}

export interface AppMatcherSet {
  pluginId: string;
  matchers: ProcessMatcher[];
}

/** One process as an OS adapter sees it. */
export interface ProcessRow {
  pid: number;
  ppid?: number;
  /** Base name of the executable image (Linux: from /proc/PID/exe, never the 15-char `comm`). */
  exeName: string;
  argv: string[];
  /** Full path of the executable when known; lets macOS helpers be tied to their `.app` bundle. */
  exePath?: string;
}

export interface ProcessSource {
  list(): Promise<ProcessRow[]> | ProcessRow[];
  /** Releases long-lived resources (a PowerShell session on Windows). */
  close?(): void;
}

/** Plugin id → pids of every process of that app (main executable and helpers), ascending. */
export type RunningApps = Map<string, number[]>;

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
