import type { RunningAppState, RunningApps } from './types.js';

/**
 * Turns raw per-scan observations into confirmed starts and stops.
 *
 * A start counts at once: the goal is to light the icon on the next scan. A stop counts only after the
 * app has been absent from every scan for `graceMs`, measured from the first scan that missed it, so a
 * restart (an update, a crash with auto-relaunch, a process swap during login) that comes back within
 * the grace is never reported. `since` survives such a restart. Pure: time is passed in.
 */

interface TrackedApp {
  since: number;
  pids: number[];
  /** Monotonic time of the first scan that missed the app; undefined while it is seen. */
  missingSince: number | undefined;
}

export interface Observation {
  /** Monotonic clock of the scan, for grace arithmetic that wall-clock jumps cannot upset. */
  at: number;
  /** Wall clock (epoch ms) of the scan, used for `since`. */
  wallClock: number;
  /** Plugins still configured; an app whose plugin went away stops without a grace. */
  knownPlugins?: ReadonlySet<string>;
}

export interface Transition {
  started: string[];
  stopped: string[];
}

export class PresenceTracker {
  private readonly apps = new Map<string, TrackedApp>();

  constructor(private readonly graceMs: number) {}

  observe(running: RunningApps, observation: Observation): Transition {
    const started: string[] = [];
    const stopped: string[] = [];
    for (const [plugin, pids] of running) {
      if (observation.knownPlugins && !observation.knownPlugins.has(plugin)) continue;
      const tracked = this.apps.get(plugin);
      if (tracked) {
        tracked.pids = pids;
        tracked.missingSince = undefined;
      } else {
        this.apps.set(plugin, { since: observation.wallClock, pids, missingSince: undefined });
        started.push(plugin);
      }
    }
    for (const [plugin, tracked] of this.apps) {
      if (running.has(plugin) && (!observation.knownPlugins || observation.knownPlugins.has(plugin))) continue;
      const removed = observation.knownPlugins !== undefined && !observation.knownPlugins.has(plugin);
      tracked.pids = [];
      tracked.missingSince ??= observation.at;
      if (removed || observation.at - tracked.missingSince >= this.graceMs) {
        this.apps.delete(plugin);
        stopped.push(plugin);
      }
    }
    return { started: started.sort(), stopped: stopped.sort() };
  }

  /** When the earliest pending stop becomes confirmable; the watcher scans then instead of waiting. */
  nextStopDeadline(): number | undefined {
    let earliest: number | undefined;
    for (const tracked of this.apps.values()) {
      if (tracked.missingSince === undefined) continue;
      const deadline = tracked.missingSince + this.graceMs;
      if (earliest === undefined || deadline < earliest) earliest = deadline;
    }
    return earliest;
  }

  /** Apps reported as running, including those whose stop is still inside the grace. */
  running(): RunningAppState[] {
    return [...this.apps]
      .map(([plugin, tracked]) => ({ plugin, since: tracked.since, pids: [...tracked.pids] }))
      .sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0));
  }
}
