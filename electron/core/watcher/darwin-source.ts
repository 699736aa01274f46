import { execFile } from 'node:child_process';
import { baseName } from '#common/plugin-manifest/matchers.js';
import type { ProcessRow, ProcessSource } from './types.js';

/**
 * macOS process table from `ps` (no native helper needed; NSWorkspace notifications would need one).
 *
 * Every scan runs `ps -axww -o pid=,ppid=,comm=`: comm is the executable's full path, spaces included
 * (`.../Slack Helper (Renderer).app/Contents/MacOS/Slack Helper (Renderer)`), and it is the last
 * column, so each line splits unambiguously into pid, ppid and path. Arguments are only needed for
 * matchers with `args`, and they do not change for a running process, so `ps -o pid=,args=` runs only
 * for pids not seen before (all of them on the first scan).
 */

export interface DarwinCommLine {
  pid: number;
  ppid: number;
  command: string;
}

const LINE_WITH_PIDS = /^\s*(\d+)\s+(\d+)\s(.*)$/;
const LINE_WITH_PID = /^\s*(\d+)\s(.*)$/;
/** Above this many unknown pids one `ps -ax` is cheaper than a long `-p` list. */
const FULL_ARGS_THRESHOLD = 64;

export function parseDarwinPsComm(stdout: string): DarwinCommLine[] {
  const lines: DarwinCommLine[] = [];
  for (const line of stdout.split('\n')) {
    const match = LINE_WITH_PIDS.exec(line);
    if (!match) continue;
    const command = (match[3] ?? '').trim();
    if (command === '') continue;
    lines.push({ pid: Number(match[1]), ppid: Number(match[2]), command });
  }
  return lines;
}

/** pid → the `args` column: the command line joined by single spaces, as ps prints it. */
export function parseDarwinPsArgs(stdout: string): Map<number, string> {
  const args = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const match = LINE_WITH_PID.exec(line);
    if (match) args.set(Number(match[1]), (match[2] ?? '').trim());
  }
  return args;
}

/**
 * ps joins argv with spaces, so a path with spaces cannot be told from two arguments. The comm column
 * gives the executable path exactly; when the args line starts with it, that prefix is argv[0] and the
 * rest is split on whitespace (arguments with spaces, like `Application Support`, stay split: a known
 * limit of ps). `(name)` means ps could not read another user's arguments.
 */
export function darwinRow(line: DarwinCommLine, argsLine: string | undefined): ProcessRow {
  const { pid, ppid, command } = line;
  let argv: string[];
  if (argsLine === undefined || argsLine === '' || /^\(.*\)$/.test(argsLine)) {
    argv = [command];
  } else if (argsLine === command || argsLine.startsWith(`${command} `)) {
    argv = [command, ...splitWords(argsLine.slice(command.length))];
  } else {
    argv = splitWords(argsLine);
  }
  const row: ProcessRow = { pid, ppid, exeName: baseName(command, 'darwin'), argv };
  if (command.startsWith('/')) row.exePath = command;
  return row;
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '');
}

export function parseDarwinTables(commStdout: string, argsStdout: string): ProcessRow[] {
  const args = parseDarwinPsArgs(argsStdout);
  return parseDarwinPsComm(commStdout).map((line) => darwinRow(line, args.get(line.pid)));
}

/** `acceptPartial`: ps exits 1 when a pid given with -p has gone, yet prints the others. */
function runPs(args: string[], acceptPartial = false): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/ps', args, { maxBuffer: 32 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) => {
      if (error && !(acceptPartial && stdout !== '')) reject(error);
      else resolve(stdout);
    });
  });
}

interface CachedDarwinProcess {
  command: string;
  row: ProcessRow;
}

export class DarwinProcessSource implements ProcessSource {
  private cache = new Map<number, CachedDarwinProcess>();

  async list(): Promise<ProcessRow[]> {
    const lines = parseDarwinPsComm(await runPs(['-axww', '-o', 'pid=,ppid=,comm=']));
    const unknown = lines.filter((line) => this.cache.get(line.pid)?.command !== line.command);
    const args = unknown.length === 0 ? new Map<number, string>() : await this.readArgs(unknown.map((line) => line.pid));

    const next = new Map<number, CachedDarwinProcess>();
    const rows: ProcessRow[] = [];
    for (const line of lines) {
      const known = this.cache.get(line.pid);
      let row: ProcessRow;
      if (known && known.command === line.command) {
        row = known.row;
        row.ppid = line.ppid;
      } else {
        const argsLine = args.get(line.pid);
        row = darwinRow(line, argsLine);
        // Without its args line the row is incomplete: leave it uncached so the next scan asks again.
        if (argsLine === undefined) {
          rows.push(row);
          continue;
        }
      }
      next.set(line.pid, { command: line.command, row });
      rows.push(row);
    }
    this.cache = next;
    return rows;
  }

  private async readArgs(pids: number[]): Promise<Map<number, string>> {
    try {
      const selection = pids.length > FULL_ARGS_THRESHOLD ? ['-ax'] : ['-p', pids.join(',')];
      return parseDarwinPsArgs(await runPs(['-ww', ...selection, '-o', 'pid=,args='], true));
    } catch {
      // Every listed pid has gone, or ps failed: rows fall back to argv = [path].
      return new Map();
    }
  }
}
