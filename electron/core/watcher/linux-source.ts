import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { baseName } from '#common/plugin-manifest/matchers.js';
import type { ProcessRow, ProcessSource } from './types.js';

/**
 * Incremental reader of /proc.
 *
 * Reading three files for each of ~500 pids costs 4-6 ms; doing it every second is wasteful because
 * almost nothing changes between scans. So each scan lists /proc (one readdir), reads new pids in full,
 * and trusts the cache for the rest, with two exceptions:
 * - young processes (started less than `settleMs` ago, by their start time against /proc/uptime) are
 *   re-checked every scan: `spawn()` forks a copy
 *   of the parent before exec, and launcher scripts (`/usr/bin/slack` → `/usr/lib/slack/slack`) exec
 *   shortly after start, so a first read often sees the wrong program. exec keeps the pid and start
 *   time and, for scripts, even `comm`; only `exe` reliably changes, so the check reads stat and exe.
 * - every cached pid gets the same check once per `revalidateEveryScans` scans, to catch late execs,
 *   pid reuse (start time, stat field 22, differs) and processes turned zombie. The check is spread
 *   over the scans (pid modulo the period) so no single scan pays for all 500 processes.
 * Synchronous calls are deliberate: they are cheaper than hundreds of promises, and a scan is short.
 */

export interface LinuxProcessSourceOptions {
  /** Where procfs is mounted; tests point it at a hand-made tree. */
  procRoot?: string;
  settleMs?: number;
  revalidateEveryScans?: number;
}

export interface LinuxScanStats {
  listed: number;
  readInFull: number;
  revalidated: number;
}

interface StatFields {
  comm: string;
  state: string;
  ppid: number;
  startTime: string;
}

interface CachedProcess {
  /** Undefined for a zombie: remembered so it is not read again every scan, but never listed. */
  row: ProcessRow | undefined;
  startTime: string;
  /** Milliseconds since boot when the process started. */
  startedAtMs: number;
  exeLink: string | undefined;
  seenInScan: number;
}

/** /proc reports start times in USER_HZ ticks, which Linux fixes at 100 on every architecture. */
const USER_HZ = 100;

const DELETED_SUFFIX = ' (deleted)';

export function parseProcStat(text: string): StatFields | undefined {
  // comm sits in parentheses and may itself contain spaces and ')', so split after the LAST ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N sits at rest[N - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTime = rest[19];
  if (state === undefined || startTime === undefined || !Number.isInteger(ppid)) return undefined;
  return { comm: text.slice(open + 1, close), state, ppid, startTime };
}

/** argv from /proc/PID/cmdline (NUL-separated, usually NUL-terminated). */
export function parseCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  // Processes that rewrite their title (postgres, Chromium) may leave a run of NUL padding behind.
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  // Chromium/Electron rewrite their title into one space-joined string (setproctitle), so a lone
  // element with spaces is really several arguments; paths with spaces are rarer than this case.
  if (parts.length === 1 && parts[0]?.includes(' ')) return parts[0].split(' ').filter((part) => part !== '');
  return parts;
}

export function exeNameFromLink(link: string): string {
  const path = link.endsWith(DELETED_SUFFIX) ? link.slice(0, -DELETED_SUFFIX.length) : link;
  return baseName(path, 'linux');
}

function isGone(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

export class LinuxProcessSource implements ProcessSource {
  private readonly procRoot: string;
  private readonly settleMs: number;
  private readonly revalidateEveryScans: number;
  private readonly cache = new Map<number, CachedProcess>();
  private scanCount = 0;
  private stats: LinuxScanStats = { listed: 0, readInFull: 0, revalidated: 0 };

  constructor(options: LinuxProcessSourceOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.settleMs = options.settleMs ?? 3000;
    this.revalidateEveryScans = options.revalidateEveryScans ?? 30;
  }

  get lastScanStats(): LinuxScanStats {
    return { ...this.stats };
  }

  list(): ProcessRow[] {
    const scan = ++this.scanCount;
    const uptimeMs = this.readUptimeMs();
    // Without an uptime nothing counts as young; the periodic re-check still catches late changes.
    const youngSince = uptimeMs === undefined ? Number.POSITIVE_INFINITY : uptimeMs - this.settleMs;
    const sweepSlot = scan % this.revalidateEveryScans;
    const stats: LinuxScanStats = { listed: 0, readInFull: 0, revalidated: 0 };
    const rows: ProcessRow[] = [];

    for (const entry of readdirSync(this.procRoot)) {
      const code = entry.charCodeAt(0);
      if (code < 48 || code > 57) continue; // not a pid directory
      const pid = Number(entry);
      let cached = this.cache.get(pid);
      if (cached && (pid % this.revalidateEveryScans === sweepSlot || cached.startedAtMs > youngSince)) {
        stats.revalidated++;
        cached = this.revalidate(pid, cached);
      }
      if (!cached) {
        stats.readInFull++;
        cached = this.readProcess(pid);
        if (!cached) continue;
        this.cache.set(pid, cached);
      }
      cached.seenInScan = scan;
      if (cached.row) rows.push(cached.row);
    }

    for (const [pid, cached] of this.cache) if (cached.seenInScan !== scan) this.cache.delete(pid);
    stats.listed = rows.length;
    this.stats = stats;
    return rows;
  }

  /** `relativePath` is `PID/file`, or a file of /proc itself. */
  private readText(relativePath: string): string | undefined {
    try {
      return readFileSync(`${this.procRoot}/${relativePath}`, 'utf8');
    } catch {
      // ENOENT/ESRCH: the process ended mid-read; EACCES: hardened /proc. Either way, skip quietly.
      return undefined;
    }
  }

  private readUptimeMs(): number | undefined {
    const text = this.readText('uptime');
    const seconds = text === undefined ? Number.NaN : Number.parseFloat(text);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  }

  private readExeLink(pid: number): string | undefined {
    try {
      return readlinkSync(`${this.procRoot}/${pid}/exe`);
    } catch {
      // EACCES for other users' processes, ENOENT for kernel threads and zombies.
      return undefined;
    }
  }

  /** Returns the same entry when still valid, a fresh one after exec/pid reuse, undefined if gone. */
  private revalidate(pid: number, cached: CachedProcess): CachedProcess | undefined {
    const stat = this.readStat(pid);
    if (!stat) {
      this.cache.delete(pid);
      return undefined;
    }
    const execed = cached.row !== undefined && !isGone(stat.state) && this.readExeLink(pid) !== cached.exeLink;
    if (stat.startTime !== cached.startTime || execed || (isGone(stat.state) && cached.row)) {
      const fresh = this.readProcess(pid, stat);
      if (fresh) this.cache.set(pid, fresh);
      else this.cache.delete(pid);
      return fresh;
    }
    if (cached.row) cached.row.ppid = stat.ppid; // reparenting when a parent dies
    return cached;
  }

  private readStat(pid: number): StatFields | undefined {
    const text = this.readText(`${pid}/stat`);
    return text === undefined ? undefined : parseProcStat(text);
  }

  private readProcess(pid: number, knownStat?: StatFields): CachedProcess | undefined {
    const stat = knownStat ?? this.readStat(pid);
    if (!stat) return undefined;
    const startedAtMs = (Number(stat.startTime) / USER_HZ) * 1000;
    if (isGone(stat.state)) return { row: undefined, startTime: stat.startTime, startedAtMs, exeLink: undefined, seenInScan: 0 };
    const exeLink = this.readExeLink(pid);
    const cmdline = this.readText(`${pid}/cmdline`);
    const argv = cmdline === undefined ? [] : parseCmdline(cmdline);
    const first = argv[0];
    // exe is the truth; argv[0] when exe is unreadable; comm (cut at 15 chars) only for kernel threads.
    const exeName =
      exeLink !== undefined ? exeNameFromLink(exeLink) : first !== undefined && first !== '' ? baseName(first, 'linux') : stat.comm;
    const row: ProcessRow = { pid, ppid: stat.ppid, exeName, argv };
    if (exeLink !== undefined) row.exePath = exeLink.endsWith(DELETED_SUFFIX) ? exeLink.slice(0, -DELETED_SUFFIX.length) : exeLink;
    return { row, startTime: stat.startTime, startedAtMs, exeLink, seenInScan: 0 };
  }
}
