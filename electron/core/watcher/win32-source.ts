import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { parseTasklistCsv, parseWin32CimJson } from './win32-parse.js';
import type { ProcessRow, ProcessSource } from './types.js';

/**
 * Windows process table. Starting powershell.exe costs a few hundred ms of CPU, far too much once a
 * second, so one PowerShell stays up and answers a listing per line written to its stdin; the answer
 * ends with a marker line. `wmic` is being removed from Windows and WMI start events need admin, so
 * CIM polling it is. If PowerShell cannot start or keeps failing, `tasklist /fo csv /nh` takes over
 * (image names only: no parents, no arguments).
 */

export const END_MARKER = '<<switchboard-end>>';

const LISTING_SCRIPT = `
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$query = 'SELECT ProcessId,ParentProcessId,Name,CommandLine,ExecutablePath FROM Win32_Process'
while ($null -ne [Console]::In.ReadLine()) {
  try {
    $rows = @(Get-CimInstance -Query $query | Select-Object ProcessId,ParentProcessId,Name,CommandLine,ExecutablePath)
    [Console]::Out.WriteLine((ConvertTo-Json -InputObject $rows -Compress -Depth 2))
  } catch {
    [Console]::Out.WriteLine('{"error":' + (ConvertTo-Json -InputObject ([string]$_.Exception.Message) -Compress) + '}')
  }
  [Console]::Out.WriteLine('${END_MARKER}')
  [Console]::Out.Flush()
}
`;

export interface SessionCommand {
  file: string;
  args: string[];
}

export const powerShellListingCommand: SessionCommand = {
  file: 'powershell.exe',
  args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(LISTING_SCRIPT, 'utf16le').toString('base64')],
};

interface PendingRequest {
  resolve: (text: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** A long-lived child answering one block of text, ended by END_MARKER, per newline sent. */
export class ListingSession {
  private child: ChildProcessWithoutNullStreams | undefined;
  private partialLine = '';
  private answerLines: string[] = [];
  private pending: PendingRequest | undefined;

  constructor(
    private readonly command: SessionCommand,
    private readonly timeoutMs = 15_000,
  ) {}

  request(): Promise<string> {
    if (this.pending) return Promise.reject(new Error('listing already in progress'));
    const child = this.child ?? this.startChild();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`no listing within ${this.timeoutMs} ms`));
        this.close();
      }, this.timeoutMs);
      this.pending = { resolve, reject, timer };
      child.stdin.write('\n');
    });
  }

  close(): void {
    const child = this.child;
    this.child = undefined;
    this.fail(new Error('listing session closed'));
    if (child && child.exitCode === null) child.kill();
  }

  private startChild(): ChildProcessWithoutNullStreams {
    const child = spawn(this.command.file, this.command.args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    this.partialLine = '';
    this.answerLines = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.receive(chunk));
    child.stderr.resume(); // drain, or a chatty child blocks on a full pipe
    child.stdin.on('error', () => undefined); // EPIPE after exit is reported by 'exit' below
    const onEnd = (error: Error): void => {
      // A child replaced after close() must not fail the request of its successor.
      if (this.child !== child) return;
      this.child = undefined;
      this.fail(error);
    };
    child.on('error', onEnd);
    child.on('exit', (code) => onEnd(new Error(`listing session exited with ${code ?? 'a signal'}`)));
    return child;
  }

  private receive(chunk: string): void {
    const lines = (this.partialLine + chunk).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const rawLine of lines) {
      const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
      if (line !== END_MARKER) {
        this.answerLines.push(line);
        continue;
      }
      const answer = this.answerLines.join('\n');
      this.answerLines = [];
      const pending = this.pending;
      this.pending = undefined;
      if (pending) {
        clearTimeout(pending.timer);
        pending.resolve(answer);
      }
    }
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    this.answerLines = [];
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}

/** Rows from one session answer; an `{"error": ...}` answer throws rather than look like "no processes". */
export function parseListingAnswer(answer: string): ProcessRow[] {
  const trimmed = answer.trim();
  if (trimmed.startsWith('{"error"')) {
    const parsed: unknown = JSON.parse(trimmed);
    const message = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? String(parsed.error) : trimmed;
    throw new Error(`Get-CimInstance failed: ${message}`);
  }
  return parseWin32CimJson(trimmed === '' ? 'null' : trimmed);
}

function runTasklist(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tasklist', ['/fo', 'csv', '/nh'], { maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });
}

export interface Win32ProcessSourceOptions {
  command?: SessionCommand;
  timeoutMs?: number;
  /** Consecutive session failures before giving up on PowerShell for the rest of the run. */
  failuresBeforeFallback?: number;
}

export class Win32ProcessSource implements ProcessSource {
  private readonly session: ListingSession;
  private readonly failuresBeforeFallback: number;
  private consecutiveFailures = 0;
  private useTasklist = false;

  constructor(options: Win32ProcessSourceOptions = {}) {
    this.session = new ListingSession(options.command ?? powerShellListingCommand, options.timeoutMs);
    this.failuresBeforeFallback = options.failuresBeforeFallback ?? 3;
  }

  async list(): Promise<ProcessRow[]> {
    if (!this.useTasklist) {
      try {
        const rows = parseListingAnswer(await this.session.request());
        if (rows.length > 0) {
          this.consecutiveFailures = 0;
          return rows;
        }
        throw new Error('empty process listing');
      } catch (error) {
        const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
        if (missing || ++this.consecutiveFailures >= this.failuresBeforeFallback) {
          this.useTasklist = true;
          this.session.close();
        }
      }
    }
    return parseTasklistCsv(await runTasklist());
  }

  close(): void {
    this.session.close();
  }
}
