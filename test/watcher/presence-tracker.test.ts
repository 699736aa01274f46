import { describe, expect, it } from 'vitest';
import { PresenceTracker } from '#core/watcher/presence-tracker.js';
import type { RunningApps } from '#core/watcher/types.js';

function apps(...ids: string[]): RunningApps {
  return new Map(ids.map((id, index) => [id, [100 + index]]));
}

function at(ms: number, knownPlugins?: string[]) {
  return { at: ms, wallClock: 1_700_000_000_000 + ms, ...(knownPlugins ? { knownPlugins: new Set(knownPlugins) } : {}) };
}

describe('PresenceTracker', () => {
  it('reports a start at once and nothing while the set is unchanged', () => {
    const tracker = new PresenceTracker(2000);
    expect(tracker.observe(apps('slack', 'telegram'), at(0))).toEqual({ started: ['slack', 'telegram'], stopped: [] });
    expect(tracker.observe(apps('slack', 'telegram'), at(1000))).toEqual({ started: [], stopped: [] });
    expect(tracker.running().map((app) => [app.plugin, app.since])).toEqual([
      ['slack', 1_700_000_000_000],
      ['telegram', 1_700_000_000_000],
    ]);
  });

  it('confirms a stop only once the app has been missing for the whole grace', () => {
    const tracker = new PresenceTracker(2000);
    tracker.observe(apps('slack'), at(0));
    expect(tracker.observe(apps(), at(1000)).stopped).toEqual([]);
    expect(tracker.nextStopDeadline()).toBe(3000);
    expect(tracker.running()).toEqual([{ plugin: 'slack', since: 1_700_000_000_000, pids: [] }]);
    expect(tracker.observe(apps(), at(2999)).stopped).toEqual([]);
    expect(tracker.observe(apps(), at(3000)).stopped).toEqual(['slack']);
    expect(tracker.running()).toEqual([]);
    expect(tracker.nextStopDeadline()).toBeUndefined();
  });

  it('hides a restart inside the grace and keeps the original since', () => {
    const tracker = new PresenceTracker(2000);
    tracker.observe(apps('slack'), at(0));
    tracker.observe(apps(), at(1000));
    expect(tracker.observe(apps('slack'), at(2500))).toEqual({ started: [], stopped: [] });
    expect(tracker.nextStopDeadline()).toBeUndefined();
    expect(tracker.observe(apps(), at(3500)).stopped).toEqual([]);
    expect(tracker.running()[0]?.since).toBe(1_700_000_000_000);
  });

  it('stops an app at once when its plugin is no longer configured', () => {
    const tracker = new PresenceTracker(2000);
    tracker.observe(apps('slack', 'zoom'), at(0, ['slack', 'zoom']));
    expect(tracker.observe(apps('slack', 'zoom'), at(1000, ['slack']))).toEqual({ started: [], stopped: ['zoom'] });
    expect(tracker.observe(apps('slack', 'zoom'), at(2000, ['slack']))).toEqual({ started: [], stopped: [] });
  });

  it('with no grace, reports a stop on the first scan that misses the app', () => {
    const tracker = new PresenceTracker(0);
    tracker.observe(apps('slack'), at(0));
    expect(tracker.observe(apps(), at(1000)).stopped).toEqual(['slack']);
  });
});
