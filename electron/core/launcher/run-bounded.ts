import { spawn } from 'node:child_process';

export type BoundedRun =
  | { ok: true; exitCode: number; stdout: string; stderr: string }
  | { ok: false; code: 'command_missing' | 'command_timeout' | 'command_failed' | 'output_too_large'; message: string };

export interface BoundedRunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Bytes of stdout plus stderr we accept before giving up on the command. */
  maxOutputBytes?: number;
}

/**
 * Runs a helper command (xdg-mime, xdg-open) that must never hang or flood us. Both are shell scripts
 * that start children of their own, so the command runs in its own process group and a timeout kills
 * the whole group: killing only the shell would leave its children behind.
 */
export function runBounded(command: string, args: readonly string[], options: BoundedRunOptions): Promise<BoundedRun> {
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024;
  return new Promise((resolve) => {
    let settled = false;
    let stdout = '';
    let stderr = '';
    let received = 0;
    const child = spawn(command, [...args], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const killGroup = () => {
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        if (process.platform === 'win32') child.kill('SIGKILL');
        else process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const finish = (result: BoundedRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      killGroup();
      finish({ ok: false, code: 'command_timeout', message: `${command} did not answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxOutputBytes) {
        killGroup();
        finish({ ok: false, code: 'output_too_large', message: `${command} wrote more than ${maxOutputBytes} bytes` });
        return;
      }
      if (stream === 'stdout') stdout += chunk.toString('utf8');
      else stderr += chunk.toString('utf8');
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.once('error', (error: NodeJS.ErrnoException) => {
      finish(
        error.code === 'ENOENT'
          ? { ok: false, code: 'command_missing', message: `${command} is not installed (${error.message})` }
          : { ok: false, code: 'command_failed', message: `${command} could not run: ${error.message}` },
      );
    });
    child.once('close', (exitCode, signal) => {
      if (exitCode === null) {
        finish({ ok: false, code: 'command_failed', message: `${command} was killed by ${signal ?? 'a signal'}` });
        return;
      }
      finish({ ok: true, exitCode, stdout, stderr });
    });
  });
}
