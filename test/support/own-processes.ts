import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createProcessSource, ProcessTreeSource } from '#core/watcher/index.js';
import { tempDir } from './test-server.js';

/**
 * What a test's watcher sees: only the processes this test process started (its own tree), so a Slack
 * or WeChat a developer has open on the same machine never changes a test's outcome.
 */
export function ownProcessTree(): ProcessTreeSource {
  return new ProcessTreeSource(createProcessSource(), process.pid);
}

/** The same scope for `switchboard agent` run as a child process. */
export const ownProcessTreeEnv = (): NodeJS.ProcessEnv => ({ SWITCHBOARD_WATCH_PROCESS_TREE: String(process.pid) });

/**
 * Copies of /bin/sleep named like apps, started OUTSIDE this test's process tree (a shell forks them and
 * exits, so they are adopted by init): they stand for the apps other people run on the machine.
 */
export async function startForeignApps(names: readonly string[]): Promise<{ pids: number[]; stop(): void }> {
  const dir = tempDir('switchboard-foreign-apps-');
  const pids: number[] = [];
  for (const [index, name] of names.entries()) {
    const folder = path.join(dir, String(index));
    mkdirSync(folder);
    const file = path.join(folder, name);
    copyFileSync('/bin/sleep', file);
    chmodSync(file, 0o755);
    const shell = spawn('/bin/sh', ['-c', '"$0" 600 >/dev/null 2>&1 </dev/null & echo $!', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => shell.once('exit', resolve));
    pids.push(Number(out.trim()));
  }
  return {
    pids,
    stop() {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    },
  };
}
