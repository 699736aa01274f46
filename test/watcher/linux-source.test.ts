import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxProcessSource } from '#core/watcher/linux-source.js';
import type { ProcessRow } from '#core/watcher/types.js';
import { loadTable } from './fixtures.js';
import type { RawLinuxProcess } from './fixtures.js';

const isLinux = process.platform === 'linux';

/** A procfs look-alike on disk: same file names and formats, under our control. */
class FakeProc {
  readonly root = mkdtempSync(join(tmpdir(), 'sb-fakeproc-'));

  constructor() {
    // Non-pid entries that the real /proc also has.
    mkdirSync(join(this.root, 'sys'));
    writeFileSync(join(this.root, 'cpuinfo'), '');
    symlinkSync('4242', join(this.root, 'self'));
    this.setUptime(100_000);
  }

  /** Seconds since boot; start times below are in ticks of 10 ms, as in the real stat file. */
  setUptime(seconds: number): void {
    writeFileSync(join(this.root, 'uptime'), `${seconds.toFixed(2)} 123456.78\n`);
  }

  add(process: RawLinuxProcess, options: { startTime?: number; state?: string } = {}): void {
    const dir = join(this.root, String(process.pid));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const fields = [options.state ?? 'S', process.ppid, ...Array<number>(17).fill(0), options.startTime ?? 1000 + process.pid, ...Array<number>(30).fill(0)];
    writeFileSync(join(dir, 'stat'), `${process.pid} (${process.comm}) ${fields.join(' ')}\n`);
    writeFileSync(join(dir, 'cmdline'), process.cmdline);
    if (process.exeLink !== null) symlinkSync(process.exeLink, join(dir, 'exe'));
  }

  remove(pid: number): void {
    rmSync(join(this.root, String(pid)), { recursive: true, force: true });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function byPid(rows: ProcessRow[]): ProcessRow[] {
  return [...rows].sort((a, b) => a.pid - b.pid);
}

describe('LinuxProcessSource on a procfs tree built from the recorded table', () => {
  const table = loadTable('linux');
  const raw = table.raw ?? [];
  let proc: FakeProc;

  beforeEach(() => {
    proc = new FakeProc();
    for (const process of raw) proc.add(process);
  });
  afterEach(() => proc.dispose());

  it('yields the recorded rows: full names beyond comm, deleted exes, rewritten titles, unreadable exe', () => {
    const rows = new LinuxProcessSource({ procRoot: proc.root }).list();
    expect(byPid(rows)).toEqual(table.rows);
    const telegram = rows.find((row) => row.argv[0] === 'telegram-desktop');
    expect(telegram?.exeName).toBe('telegram-desktop');
    expect(raw.find((process) => process.pid === telegram?.pid)?.comm).toBe('telegram-deskto');
  });

  it('reads only new pids once processes have settled, and forgets gone ones', () => {
    const source = new LinuxProcessSource({ procRoot: proc.root, settleMs: 3000, revalidateEveryScans: 1000 });
    source.list();
    expect(source.lastScanStats.readInFull).toBe(raw.length);
    source.list();
    expect(source.lastScanStats).toMatchObject({ listed: raw.length, readInFull: 0 });
    // Only the pids whose turn it is for the periodic re-check (pid modulo 1000) are looked at.
    expect(source.lastScanStats.revalidated).toBeLessThan(raw.length / 10);

    const gone = raw[raw.length - 1] as RawLinuxProcess;
    proc.remove(gone.pid);
    proc.add({ pid: 31000, ppid: 1, comm: 'slack', exeLink: '/usr/lib/slack/slack', cmdline: '/usr/lib/slack/slack\0' });
    const rows = source.list();
    expect(source.lastScanStats.readInFull).toBe(1);
    expect(rows.some((row) => row.pid === gone.pid)).toBe(false);
    expect(rows.find((row) => row.pid === 31000)?.exeName).toBe('slack');
  });

  it('notices an exec shortly after start (launcher script → real binary, same pid and comm)', () => {
    const source = new LinuxProcessSource({ procRoot: proc.root, settleMs: 3000 });
    proc.setUptime(1000);
    // Started 0.5 s ago (start time in 10 ms ticks): young, so re-checked on every scan.
    proc.add({ pid: 31001, ppid: 1, comm: 'slack', exeLink: '/usr/bin/dash', cmdline: '/bin/sh\0/usr/bin/slack\0' }, { startTime: 99_950 });
    expect(source.list().find((row) => row.pid === 31001)?.exeName).toBe('dash');
    proc.setUptime(1001);
    unlinkSync(join(proc.root, '31001', 'exe'));
    symlinkSync('/usr/lib/slack/slack', join(proc.root, '31001', 'exe'));
    writeFileSync(join(proc.root, '31001', 'cmdline'), '/usr/lib/slack/slack\0');
    expect(source.list().find((row) => row.pid === 31001)).toMatchObject({ exeName: 'slack', argv: ['/usr/lib/slack/slack'] });
    const whileYoung = source.lastScanStats.revalidated;
    expect(whileYoung).toBeLessThan(raw.length / 10); // the old processes were trusted
    proc.setUptime(1010);
    source.list();
    expect(source.lastScanStats.revalidated).toBeLessThan(whileYoung + raw.length / 10);
  });

  it('detects pid reuse by start time on the periodic re-check, and drops zombies', () => {
    const period = 3;
    const source = new LinuxProcessSource({ procRoot: proc.root, settleMs: 3000, revalidateEveryScans: period });
    const reused = 31002;
    const zombie = 31003;
    proc.add({ pid: reused, ppid: 1, comm: 'slack', exeLink: '/usr/lib/slack/slack', cmdline: '/usr/lib/slack/slack\0' }, { startTime: 10 });
    proc.add({ pid: zombie, ppid: 1, comm: 'slack', exeLink: '/usr/lib/slack/slack', cmdline: '/usr/lib/slack/slack\0' }, { startTime: 11 });
    source.list();
    proc.add({ pid: reused, ppid: 1, comm: 'cron', exeLink: '/usr/sbin/cron', cmdline: '/usr/sbin/cron\0-f\0' }, { startTime: 9999 });
    proc.add({ pid: zombie, ppid: 1, comm: 'slack', exeLink: null, cmdline: '' }, { startTime: 11, state: 'Z' });
    // Settled processes are trusted between re-checks (scan 2 is neither pid's turn)...
    expect(source.list().find((row) => row.pid === reused)?.exeName).toBe('slack');
    // ...and within one period every pid has had its turn.
    let rows = source.list();
    for (let scan = 1; scan < period; scan++) rows = source.list();
    expect(rows.find((row) => row.pid === reused)?.exeName).toBe('cron');
    expect(rows.some((row) => row.pid === zombie)).toBe(false);
    for (let scan = 0; scan < period; scan++) {
      source.list();
      expect(source.lastScanStats.readInFull).toBe(0); // the zombie is remembered, not read again
    }
  });

  it('skips a process that vanishes between readdir and read instead of failing the scan', () => {
    mkdirSync(join(proc.root, '31004')); // a pid directory with nothing readable in it
    const rows = new LinuxProcessSource({ procRoot: proc.root }).list();
    expect(rows.some((row) => row.pid === 31004)).toBe(false);
    expect(rows).toHaveLength(raw.length);
  });
});

describe.skipIf(!isLinux)('LinuxProcessSource on the real /proc', () => {
  it('lists this process with its real executable name and arguments', () => {
    const source = new LinuxProcessSource();
    const self = source.list().find((row) => row.pid === process.pid);
    expect(self?.exeName).toBe(basename(process.execPath));
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.argv.length).toBeGreaterThan(0);
    const again = source.list();
    expect(again.find((row) => row.pid === process.pid)).toBe(self);
  });
});
