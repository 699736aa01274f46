import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real processes with app-like executable names: a copy of /bin/sleep saved as `slack` is, to the
 * kernel, a program called slack. Each child leads its own process group so that killing it also
 * kills whatever it spawned. Used by the watcher tests and the benchmark.
 */
export class AppLikeProcesses {
  private readonly dir = mkdtempSync(join(tmpdir(), 'sb-apps-'));
  private readonly children = new Set<ChildProcess>();

  /** Path of a copy of `source` named `name`, made once. */
  executable(name: string, source = '/bin/sleep'): string {
    const folder = join(this.dir, source.replaceAll('/', '_'));
    const path = join(folder, name);
    if (!existsSync(path)) {
      mkdirSync(folder, { recursive: true });
      copyFileSync(source, path);
      chmodSync(path, 0o755);
    }
    return path;
  }

  start(name: string, args: string[] = ['600'], source = '/bin/sleep'): ChildProcess {
    const child = spawn(this.executable(name, source), args, { stdio: 'ignore', detached: true });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * Kills the child's whole process group and waits until every member is gone, grandchildren
   * included (they are orphans reaped by init, which may take a moment).
   */
  async kill(child: ChildProcess): Promise<void> {
    const group = child.pid;
    if (group === undefined) return;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signalGroup(group, 'SIGKILL');
      await exited;
    }
    signalGroup(group, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (signalGroup(group, 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.children].map((child) => this.kill(child)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Sends `signal` to a process group; false once the group has no member left. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}
