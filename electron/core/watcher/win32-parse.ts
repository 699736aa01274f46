import type { ProcessRow } from './types.js';

/** Parsers for Windows process listings; kept apart from the runner so they test on any OS. */

/**
 * Splits a command line the way CommandLineToArgvW / the MSVC runtime do: argv[0] ends at the first
 * whitespace or closing quote with no escaping; later arguments honour `\"` and doubled backslashes
 * before a quote, and `""` inside quotes is a literal quote.
 */
export function parseWindowsCommandLine(commandLine: string): string[] {
  const argv: string[] = [];
  let index = 0;
  const length = commandLine.length;
  const isSpace = (char: string | undefined): boolean => char === ' ' || char === '\t';

  while (isSpace(commandLine[index])) index++;
  if (index >= length) return argv;
  if (commandLine[index] === '"') {
    const close = commandLine.indexOf('"', index + 1);
    const end = close < 0 ? length : close;
    argv.push(commandLine.slice(index + 1, end));
    index = end + 1;
  } else {
    let end = index;
    while (end < length && !isSpace(commandLine[end])) end++;
    argv.push(commandLine.slice(index, end));
    index = end;
  }

  for (;;) {
    while (isSpace(commandLine[index])) index++;
    if (index >= length) return argv;
    let current = '';
    let quoted = false;
    while (index < length) {
      const char = commandLine[index];
      if (!quoted && isSpace(char)) break;
      if (char === '\\') {
        let backslashes = 0;
        while (commandLine[index] === '\\') {
          backslashes++;
          index++;
        }
        if (commandLine[index] === '"') {
          current += '\\'.repeat(Math.floor(backslashes / 2));
          if (backslashes % 2 === 1) {
            current += '"';
            index++;
          }
        } else {
          current += '\\'.repeat(backslashes);
        }
        continue;
      }
      if (char === '"') {
        if (quoted && commandLine[index + 1] === '"') {
          current += '"';
          index += 2;
          continue;
        }
        quoted = !quoted;
        index++;
        continue;
      }
      current += char;
      index++;
    }
    argv.push(current);
  }
}

interface CimProcess {
  ProcessId?: unknown;
  ParentProcessId?: unknown;
  Name?: unknown;
  CommandLine?: unknown;
  ExecutablePath?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Output of `Get-CimInstance Win32_Process | Select ProcessId,ParentProcessId,Name,CommandLine,
 * ExecutablePath | ConvertTo-Json`. ConvertTo-Json emits a bare object, not an array, for a single
 * result. CommandLine and ExecutablePath are null for protected and (without elevation) other users'
 * processes; the image name is always there.
 */
export function parseWin32CimJson(json: string): ProcessRow[] {
  const parsed: unknown = JSON.parse(json.replace(/^\uFEFF/, ''));
  const items: unknown[] = Array.isArray(parsed) ? parsed : parsed === null ? [] : [parsed];
  const rows: ProcessRow[] = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    const cim = item as CimProcess;
    const pid = cim.ProcessId;
    const name = cim.Name;
    if (typeof pid !== 'number' || typeof name !== 'string') continue;
    const exePath = typeof cim.ExecutablePath === 'string' && cim.ExecutablePath !== '' ? cim.ExecutablePath : undefined;
    const commandLine = typeof cim.CommandLine === 'string' ? cim.CommandLine : '';
    const argv = commandLine.trim() !== '' ? parseWindowsCommandLine(commandLine) : [exePath ?? name];
    const row: ProcessRow = { pid, exeName: name, argv };
    if (typeof cim.ParentProcessId === 'number') row.ppid = cim.ParentProcessId;
    if (exePath !== undefined) row.exePath = exePath;
    rows.push(row);
  }
  return rows;
}

function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let index = 0;
  while (index < line.length) {
    if (line[index] === '"') {
      let value = '';
      index++;
      while (index < line.length) {
        if (line[index] === '"') {
          if (line[index + 1] === '"') {
            value += '"';
            index += 2;
            continue;
          }
          index++;
          break;
        }
        value += line[index];
        index++;
      }
      fields.push(value);
      if (line[index] === ',') index++;
    } else {
      const comma = line.indexOf(',', index);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(index, end));
      index = end + 1;
    }
  }
  return fields;
}

/**
 * `tasklist /fo csv /nh`: `"Image Name","PID","Session Name","Session#","Mem Usage"` without the header.
 * No parent and no arguments: enough to light icons, not for `args` matchers or helper merging.
 */
export function parseTasklistCsv(stdout: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const [name, pidText] = parseCsvLine(line.trim());
    const pid = Number(pidText);
    if (!name || !Number.isInteger(pid)) continue;
    rows.push({ pid, exeName: name, argv: [name] });
  }
  return rows;
}
