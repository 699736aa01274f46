import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The aggregator server as a real OS process, started the way an operator starts it (`npm run server`). */
export class ServerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly output: string[],
  ) {}

  /** `nodeArgs`: options for node itself, such as `--cpu-prof` for a benchmark's profile of the server. */
  static async start(env: Record<string, string>, timeoutMs = 30_000, nodeArgs: string[] = []): Promise<ServerProcess> {
    // `node --import tsx` keeps the server in this one process (the tsx CLI would put it in a child), so a kill is a real crash.
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, 'aggregator-server/src/main.ts')], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${output.join('')}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        const match = /Switchboard server on (http:\/\/\S+)/.exec(output.join(''));
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output.join('')}`)));
    });
    return new ServerProcess(child, url, output);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
