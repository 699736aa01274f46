import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxProcessSource } from '#core/watcher/linux-source.js';
import { AppWatcher } from '#core/watcher/watcher.js';
import type { AppChange, AppMatcherSet, ProcessRow } from '#core/watcher/types.js';
import { AppLikeProcesses } from './real-processes.js';
import { ownProcessTree } from '../support/own-processes.js';

/** Behaviour against real processes and the real /proc; time limits are generous on purpose. */

const FAST = { intervalMs: 150, stopGraceMs: 600 };
const SLACK: AppMatcherSet = { pluginId: 'slack', matchers: [{ name: 'slack' }] };
const TELEGRAM: AppMatcherSet = { pluginId: 'telegram', matchers: [{ name: 'telegram-desktop' }] };

class Recorder {
  readonly changes: AppChange[] = [];
  private waiters: { predicate: (change: AppChange) => boolean; resolve: (change: AppChange) => void }[] = [];

  readonly listener = (change: AppChange): void => {
    this.changes.push(change);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.predicate(change)) return true;
      waiter.resolve(change);
      return false;
    });
  };

  next(predicate: (change: AppChange) => boolean, timeoutMs = 10_000): Promise<AppChange> {
    const seen = this.changes.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching change within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ predicate, resolve: (change) => (clearTimeout(timer), resolve(change)) });
    });
  }

  started(plugin: string): Promise<AppChange> {
    return this.next((change) => change.started.includes(plugin));
  }

  stopped(plugin: string): Promise<AppChange> {
    return this.next((change) => change.stopped.includes(plugin));
  }

  count(kind: 'started' | 'stopped', plugin: string): number {
    return this.changes.filter((change) => change[kind].includes(plugin)).length;
  }
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(process.platform !== 'linux')('AppWatcher with real processes', () => {
  let apps: AppLikeProcesses;
  let watcher: AppWatcher | undefined;
  let recorder: Recorder;

  function watch(matchers: AppMatcherSet[], options: { intervalMs?: number; stopGraceMs?: number } = FAST): AppWatcher {
    const created = new AppWatcher({ platform: 'linux', source: ownProcessTree(), matchers, ...FAST, ...options });
    created.onChange(recorder.listener);
    created.onError((error) => {
      throw error;
    });
    created.start();
    watcher = created;
    return created;
  }

  const pidsOf = (plugin: string): number[] => watcher?.snapshot().find((app) => app.plugin === plugin)?.pids ?? [];

  beforeEach(() => {
    apps = new AppLikeProcesses();
    recorder = new Recorder();
  });

  afterEach(async () => {
    await watcher?.stop();
    watcher = undefined;
    await apps.dispose();
  });

  it('reports a start, then the stop after the process is killed', async () => {
    watch([SLACK]);
    const slack = apps.start('slack');
    const start = await recorder.started('slack');
    expect(start.running.map((app) => app.plugin)).toEqual(['slack']);
    expect(pidsOf('slack')).toContain(slack.pid);

    await apps.kill(slack);
    const stop = await recorder.stopped('slack');
    expect(stop.running).toEqual([]);
    expect(watcher?.snapshot()).toEqual([]);
    expect(recorder.count('started', 'slack')).toBe(1);
  });

  it('knows telegram-desktop by its full name although comm is cut at 15 characters', async () => {
    const telegram = apps.start('telegram-desktop');
    await eventually(() => {
      try {
        return readFileSync(`/proc/${telegram.pid}/comm`, 'utf8').trim() === 'telegram-deskto';
      } catch {
        return false;
      }
    });
    watch([TELEGRAM]);
    await recorder.started('telegram');
    expect(pidsOf('telegram')).toEqual([telegram.pid]);
    await apps.kill(telegram);
    await recorder.stopped('telegram');
  });

  it('does not report a stop when the app restarts within the grace', async () => {
    const grace = 2500;
    watch([SLACK], { stopGraceMs: grace });
    const first = apps.start('slack');
    await recorder.started('slack');
    await apps.kill(first);
    const second = apps.start('slack');
    await eventually(() => pidsOf('slack').includes(second.pid ?? -1));
    await pause(grace + 1000);
    expect(recorder.count('stopped', 'slack')).toBe(0);
    expect(recorder.count('started', 'slack')).toBe(1);

    await apps.kill(second);
    await recorder.stopped('slack');
  });

  it('merges an app with the processes it spawns', async () => {
    watch([SLACK]);
    // A copy of sh named slack forks two sleeps: three processes, one app.
    const slack = apps.start('slack', ['-c', 'sleep 600 & sleep 600 & wait'], '/bin/sh');
    await recorder.started('slack');
    await eventually(() => pidsOf('slack').length === 3);
    expect(pidsOf('slack')).toContain(slack.pid);
    expect(watcher?.snapshot().map((app) => app.plugin)).toEqual(['slack']);
    expect(recorder.changes).toHaveLength(1);

    await apps.kill(slack);
    await recorder.stopped('slack');
    expect(recorder.count('started', 'slack')).toBe(1);
  });

  it('applies matcher args: only the process with the marker argument counts', async () => {
    watch([{ pluginId: 'zulip', matchers: [{ name: 'pyhost', args: ['infinity'] }] }]);
    const plain = apps.start('pyhost', ['600']);
    const marked = apps.start('pyhost', ['infinity']);
    await recorder.started('zulip');
    await eventually(() => pidsOf('zulip').length > 0);
    expect(pidsOf('zulip')).toEqual([marked.pid]);
    expect(pidsOf('zulip')).not.toContain(plain.pid);
  });

  it('takes new matchers at runtime and drops removed plugins at once', async () => {
    const slack = apps.start('slack');
    const telegram = apps.start('telegram-desktop');
    const running = watch([]);
    await pause(400);
    expect(recorder.changes).toEqual([]);

    running.setMatchers([SLACK, TELEGRAM]);
    await recorder.next((change) => change.running.length === 2);
    expect(running.fullSnapshot()).toMatchObject({ started: ['slack', 'telegram'], stopped: [] });

    running.setMatchers([TELEGRAM]);
    const removal = await recorder.stopped('slack');
    expect(removal.running.map((app) => app.plugin)).toEqual(['telegram']);
    expect(slack.exitCode).toBeNull();
    expect(telegram.exitCode).toBeNull();
  });

  it('keeps state through failed scans instead of reporting stops', async () => {
    const real = new LinuxProcessSource();
    let failing = false;
    const errors: Error[] = [];
    const source = {
      list(): ProcessRow[] {
        if (failing) throw new Error('EACCES: simulated unreadable /proc');
        return real.list();
      },
    };
    const slack = apps.start('slack');
    const running = new AppWatcher({ platform: 'linux', source, matchers: [SLACK], ...FAST });
    watcher = running;
    running.onChange(recorder.listener);
    running.onError((error) => errors.push(error));
    running.start();
    await recorder.started('slack');
    failing = true;
    await eventually(() => errors.length >= 5);
    expect(recorder.count('stopped', 'slack')).toBe(0);
    expect(running.snapshot().map((app) => app.plugin)).toEqual(['slack']);
    failing = false;
    await apps.kill(slack);
    await recorder.stopped('slack');
  });

  it('scans no more after stop(): no timer is left running', async () => {
    const real = new LinuxProcessSource();
    let scans = 0;
    const source = {
      list(): ProcessRow[] {
        scans++;
        return real.list();
      },
    };
    const running = new AppWatcher({ platform: 'linux', source, matchers: [SLACK], ...FAST });
    watcher = running;
    running.onChange(recorder.listener);
    running.start();
    await eventually(() => scans >= 3);
    await running.stop();
    const scansAtStop = scans;
    apps.start('slack');
    await pause(FAST.intervalMs * 5);
    expect(scans).toBe(scansAtStop);
    expect(recorder.changes).toEqual([]);
  });
});
