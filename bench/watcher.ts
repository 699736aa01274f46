import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { LinuxProcessSource } from '#core/watcher/linux-source.js';
import { AppWatcher, DEFAULT_SCAN_INTERVAL_MS, DEFAULT_STOP_GRACE_MS } from '#core/watcher/watcher.js';
import type { AppChange, AppMatcherSet } from '#core/watcher/types.js';
import { AppLikeProcesses } from '#test/watcher/real-processes.js';

/**
 * App watcher on Linux with ~500 real processes: CPU per scan (full and incremental), CPU share of one
 * core at the default interval, and how long starts and stops take to be reported.
 */

const TARGET_PROCESSES = 500;
const CPU_WINDOW_MS = 10_000;
const TRIAL_APPS = ['slack', 'discord', 'signal-desktop', 'telegram-desktop'];
const ROUNDS_PER_APP = 5;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function countProcesses(): number {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).length;
}

/** CPU time (user + system) of this process, in milliseconds. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

async function fillProcessTable(apps: AppLikeProcesses): Promise<ChildProcess | undefined> {
  const missing = TARGET_PROCESSES + 10 - countProcesses(); // a margin for processes that end meanwhile
  if (missing <= 0) return undefined;
  // One shell forking the sleeps is much faster than hundreds of spawn() calls from Node.
  const filler = apps.start('bench-filler', ['-c', `i=0; while [ $i -lt ${missing} ]; do sleep 600 & i=$((i+1)); done; wait`], '/bin/sh');
  const deadline = Date.now() + 30_000;
  while (countProcesses() < TARGET_PROCESSES && Date.now() < deadline) await pause(100);
  await pause(3500); // past the source's settle window: steady state, not a burst of young processes
  return filler;
}

function measureScanCosts(): Record<string, number> {
  const fullScans: number[] = [];
  for (let i = 0; i < 10; i++) {
    const source = new LinuxProcessSource();
    const before = cpuMs();
    source.list();
    fullScans.push(cpuMs() - before);
  }
  // The filler processes are older than the settle window by now, so these scans are incremental.
  const source = new LinuxProcessSource();
  source.list();
  const incremental: number[] = [];
  for (let i = 0; i < 120; i++) {
    const before = cpuMs();
    source.list();
    incremental.push(cpuMs() - before);
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    scanFullCpuMsMean: round(mean(fullScans)),
    scanIncrementalCpuMsMean: round(mean(incremental)),
    scanIncrementalCpuMsP50: round(percentile(incremental, 0.5)),
  };
}

/**
 * Two views of the steady-state cost at the default interval. The scans' own CPU is exact. The whole
 * process, minus the same window without a watcher, also catches timers and GC, but it is noisy: the
 * tsx loader thread alone burns a few tenths of a percent.
 */
async function measureSteadyCpu(matchers: AppMatcherSet[]): Promise<Record<string, number>> {
  const processCpuOver = async (): Promise<number> => {
    const cpuBefore = cpuMs();
    const wallBefore = performance.now();
    await pause(CPU_WINDOW_MS);
    return ((cpuMs() - cpuBefore) / (performance.now() - wallBefore)) * 100;
  };
  const baselinePercent = await processCpuOver();
  const watcher = new AppWatcher({ platform: 'linux', matchers });
  watcher.start();
  await pause(1500); // the first (full) scan is not the steady state
  const statsBefore = watcher.stats;
  const wallBefore = performance.now();
  const withWatcherPercent = await processCpuOver();
  const statsAfter = watcher.stats;
  const wallMs = performance.now() - wallBefore;
  await watcher.stop();
  const scans = statsAfter.scans - statsBefore.scans;
  const scanCpuMs = statsAfter.scanCpuMs - statsBefore.scanCpuMs;
  return {
    steadyScans: scans,
    steadyScanCpuMsMean: round(scanCpuMs / Math.max(1, scans)),
    scanCpuPercentOfOneCore: round((scanCpuMs / wallMs) * 100),
    processCpuPercentWithoutWatcher: round(baselinePercent),
    processCpuPercentWithWatcher: round(withWatcherPercent),
  };
}

async function measureLatencies(apps: AppLikeProcesses, matchers: AppMatcherSet[]): Promise<Record<string, number>> {
  const watcher = new AppWatcher({ platform: 'linux', matchers });
  const waiters = new Map<string, (at: number) => void>();
  watcher.onChange((change: AppChange) => {
    const at = performance.now();
    for (const plugin of change.started) waiters.get(`start:${plugin}`)?.(at);
    for (const plugin of change.stopped) waiters.get(`stop:${plugin}`)?.(at);
  });
  const nextEvent = (key: string) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${key} within 15 s`)), 15_000);
      waiters.set(key, (at) => {
        clearTimeout(timer);
        waiters.delete(key);
        resolve(at);
      });
    });
  const starts: number[] = [];
  const stops: number[] = [];
  watcher.start();
  try {
    // Apps run their trials side by side, each at random moments relative to the scan clock.
    await Promise.all(
      TRIAL_APPS.map(async (name) => {
        for (let round = 0; round < ROUNDS_PER_APP; round++) {
          await pause(Math.random() * DEFAULT_SCAN_INTERVAL_MS);
          const started = nextEvent(`start:${name}`);
          const spawnedAt = performance.now();
          const child = apps.start(name);
          starts.push((await started) - spawnedAt);
          await pause(200 + Math.random() * DEFAULT_SCAN_INTERVAL_MS);
          const stopped = nextEvent(`stop:${name}`);
          const killedAt = performance.now();
          await apps.kill(child);
          stops.push((await stopped) - killedAt);
        }
      }),
    );
  } finally {
    await watcher.stop();
  }
  return {
    trials: starts.length,
    startLatencyMsP50: Math.round(percentile(starts, 0.5)),
    startLatencyMsP95: Math.round(percentile(starts, 0.95)),
    stopLatencyMsP50: Math.round(percentile(stops, 0.5)),
    stopLatencyMsP95: Math.round(percentile(stops, 0.95)),
  };
}

export async function benchWatcher(): Promise<Record<string, string | number>> {
  if (process.platform !== 'linux') return { skipped: 'the watcher benchmark reads /proc and runs on Linux only' };
  const apps = new AppLikeProcesses();
  const startedAt = performance.now();
  try {
    const processesBefore = countProcesses();
    await fillProcessTable(apps);
    const matchers: AppMatcherSet[] = TRIAL_APPS.map((name) => ({ pluginId: name, matchers: [{ name }] }));
    // Extra plugins that match nothing, so matching works at a realistic size.
    for (const name of ['zoom', 'wechat', 'whatsapp', 'teams', 'skype', 'viber', 'line', 'element-desktop', 'threema', 'qq']) {
      matchers.push({ pluginId: name, matchers: [{ name }, { name: `${name}-desktop` }] });
    }
    const figures: Record<string, string | number> = {
      processesBefore,
      processesDuringBench: countProcesses(),
      scanIntervalMs: DEFAULT_SCAN_INTERVAL_MS,
      stopGraceMs: DEFAULT_STOP_GRACE_MS,
      ...measureScanCosts(),
      ...(await measureSteadyCpu(matchers)),
      ...(await measureLatencies(apps, matchers)),
    };
    figures.benchSeconds = round((performance.now() - startedAt) / 1000, 1);
    return figures;
  } finally {
    await apps.dispose();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchWatcher();
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(40)} ${value}`);
}
