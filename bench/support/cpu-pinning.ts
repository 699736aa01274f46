import { execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * The message benchmark gives the server under test a core of its own: CPU 0 for the server process (all
 * its threads), the other cores for the benchmark and its load processes. On a small machine the clients
 * otherwise take the server's CPU at random moments, and each system's figures say as much about the
 * scheduler as about the system. Every system is held to the same split in the same run; a database's
 * own processes (PostgreSQL's backends) are left to the scheduler. BENCH_PIN=0 turns it off; a machine
 * with one core, or without taskset (util-linux), runs unpinned and says so.
 */
export class CpuPinning {
  private constructor(
    private readonly serverCpus: string,
    private readonly loadCpus: string,
    readonly description: string,
  ) {}

  static fromEnvironment(): CpuPinning {
    const cores = os.availableParallelism();
    if (process.env.BENCH_PIN === '0') return new CpuPinning('', '', 'not pinned (BENCH_PIN=0): server and load share every core');
    if (cores < 2) return new CpuPinning('', '', 'not pinned: one core');
    if (!hasTaskset()) return new CpuPinning('', '', 'not pinned: taskset (util-linux) is not installed');
    const loadCpus = cores === 2 ? '1' : `1-${cores - 1}`;
    return new CpuPinning('0', loadCpus, `server process on CPU 0, benchmark and load processes on CPU ${loadCpus}`);
  }

  /** Moves this process (and so the load processes it forks from now on) off the server's core. */
  loadSide(): void {
    if (this.loadCpus !== '') taskset(['-pc', this.loadCpus, String(process.pid)]);
  }

  /** The server process and every thread it has. */
  server(pid: number): void {
    if (this.serverCpus !== '') taskset(['-apc', this.serverCpus, String(pid)]);
  }

  /** Back to every core, for the benchmarks that run after this one. */
  release(): void {
    if (this.loadCpus !== '') taskset(['-pc', `0-${os.availableParallelism() - 1}`, String(process.pid)]);
  }
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function taskset(args: string[]): void {
  execFileSync('taskset', args, { stdio: 'ignore' });
}
