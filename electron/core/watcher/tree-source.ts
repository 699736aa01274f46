import type { ProcessRow, ProcessSource } from './types.js';

/**
 * Only one pid and the processes descended from it. A test that starts a program named `slack` must see that
 * program and not the Slack a developer has open on the same machine: scoping the watcher to the test's
 * own process tree makes the outcome independent of what else runs. Needs ppid in the rows (Linux and
 * macOS sources give it); a row without one is never in the tree.
 */
export class ProcessTreeSource implements ProcessSource {
  constructor(
    private readonly inner: ProcessSource,
    private readonly rootPid: number,
  ) {}

  async list(): Promise<ProcessRow[]> {
    const rows = await this.inner.list();
    const parentOf = new Map(rows.map((row) => [row.pid, row.ppid]));
    const inTree = new Map<number, boolean>([[this.rootPid, true]]);
    const descends = (pid: number): boolean => {
      const chain: number[] = [];
      let current: number | undefined = pid;
      let answer = false;
      while (current !== undefined && current > 0) {
        const known = inTree.get(current);
        if (known !== undefined) {
          answer = known;
          break;
        }
        chain.push(current);
        current = parentOf.get(current);
        // A cycle (pid reuse mid-scan) or an unknown parent ends the walk outside the tree.
        if (current !== undefined && chain.includes(current)) break;
      }
      for (const visited of chain) inTree.set(visited, answer);
      return answer;
    };
    // The root itself stays in: a table is never empty while its root runs (an empty one means a failed scan).
    return rows.filter((row) => descends(row.pid));
  }

  close(): void {
    this.inner.close?.();
  }
}

/**
 * The root pid from SWITCHBOARD_WATCH_PROCESS_TREE, when set: the agent then watches only that process
 * tree. Meant for tests and for running several agents side by side on one machine.
 */
export function processTreeRootFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env.SWITCHBOARD_WATCH_PROCESS_TREE;
  if (raw === undefined || raw === '') return undefined;
  const pid = Number(raw);
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`SWITCHBOARD_WATCH_PROCESS_TREE must be a process id, not "${raw}"`);
  return pid;
}
