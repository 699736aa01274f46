import { spawn } from 'node:child_process';

export type OpenResult = { ok: true } | { ok: false; code: 'opener_missing' | 'open_failed'; message: string };

/** xdg-open exit codes (xdg-utils): 3 "no method available", 4 the handler failed. */
const XDG_OPEN_EXIT_MEANING: Record<number, string> = {
  1: 'syntax error',
  2: 'file not found',
  3: 'no application handles this link',
  4: 'the application failed to open it',
};

/**
 * Opens a link the way `shell.openExternal` does on Linux, for hosts without Electron (the bridge host
 * under test, a headless session). In a plain session xdg-open runs the handler in the foreground
 * until it exits, so we do not wait for it: a failure shows within `settleMs`, and a handler still
 * running after that (the app window is open) counts as opened. The child is detached so closing
 * Switchboard never closes the app it opened.
 */
export function openWithXdgOpen(url: string, options: { env?: NodeJS.ProcessEnv; settleMs?: number } = {}): Promise<OpenResult> {
  const settleMs = options.settleMs ?? 1500;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: OpenResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    // `--` is not understood by xdg-open; the launcher only passes URLs that start with a scheme, so a
    // value can never be read as an option.
    const child = spawn('xdg-open', [url], { env: options.env ?? process.env, stdio: 'ignore', detached: true });
    const timer = setTimeout(() => {
      child.unref();
      finish({ ok: true });
    }, settleMs);
    child.once('error', (error: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        code: error.code === 'ENOENT' ? 'opener_missing' : 'open_failed',
        message: error.code === 'ENOENT' ? 'xdg-open is not installed (Debian: apt-get install xdg-utils)' : error.message,
      }),
    );
    child.once('exit', (code) => {
      if (code === 0) finish({ ok: true });
      else finish({ ok: false, code: 'open_failed', message: `xdg-open failed: ${XDG_OPEN_EXIT_MEANING[code ?? -1] ?? `exit ${String(code)}`}` });
    });
  });
}
