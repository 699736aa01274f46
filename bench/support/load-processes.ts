import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadCommand, LoadReport } from './load-process.js';
import type { LoadTarget } from './message-clients.js';
import { sleep } from './stats.js';

export type LoadStep = { sent: number; acked: number; lost: number; duplicates: number; latencies: number[]; clientCpuMs: number };

/** One child process of load-process.ts, spoken to one command at a time. */
class LoadProcess {
  private readonly child: ChildProcess;

  constructor() {
    this.child = fork(fileURLToPath(new URL('./load-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  }

  ask(command: LoadCommand): Promise<LoadReport> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`a load process exited with ${code}`));
      this.child.once('exit', onExit);
      this.child.once('message', (report: LoadReport) => {
        this.child.off('exit', onExit);
        if (report.type === 'failed') reject(new Error(`a load process failed: ${report.reason}`));
        else resolve(report);
      });
      this.child.send(command);
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'close' } satisfies LoadCommand);
    });
  }
}

/**
 * The users of one system, online in `count` load processes. Both ends of every conversation are in the
 * same process (user i talks with user i + N/2), so each latency is read on one clock.
 */
export class LoadProcesses {
  private constructor(
    private readonly processes: LoadProcess[],
    private readonly shares: number[],
    private readonly users: number,
  ) {}

  static async start(target: LoadTarget, users: number, count = Number(process.env.BENCH_LOAD_PROCESSES ?? 2)): Promise<LoadProcesses> {
    const half = Math.floor(users / 2);
    const mine = Array.from({ length: count }, () => [] as number[]);
    for (let pair = 0; pair < half; pair += 1) mine[pair % count]?.push(pair, pair + half);
    const processes = mine.map(() => new LoadProcess());
    try {
      await Promise.all(processes.map((load, index) => load.ask({ type: 'open', target, mine: mine[index] as number[], users })));
    } catch (error) {
      await Promise.all(processes.map((load) => load.close()));
      throw error;
    }
    // Let the last handshakes and the servers' replays of nothing settle.
    await sleep(1000);
    return new LoadProcesses(processes, mine.map((list) => list.length), users);
  }

  /** `rate` a second in all, shared by the processes in proportion to their users; `limit` messages at most. */
  async step(rate: number, seconds: number, limit = Infinity): Promise<LoadStep> {
    const prefix = `r${rate}-${Date.now().toString(36)}-`;
    const reports = await Promise.all(
      this.processes.map((load, index) => {
        const share = (this.shares[index] ?? 0) / this.users;
        return load.ask({ type: 'step', rate: rate * share, limit: limit === Infinity ? Number.MAX_SAFE_INTEGER : Math.round(limit * share), seconds, prefix: `${prefix}${index}-` });
      }),
    );
    const step: LoadStep = { sent: 0, acked: 0, lost: 0, duplicates: 0, latencies: [], clientCpuMs: 0 };
    for (const report of reports) {
      if (report.type !== 'stepped') continue;
      step.sent += report.sent;
      step.acked += report.acked;
      step.lost += report.lost;
      step.duplicates += report.duplicates;
      step.latencies = step.latencies.concat(report.latencies);
      step.clientCpuMs += report.cpuMs;
    }
    return step;
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((load) => load.close()));
  }
}
