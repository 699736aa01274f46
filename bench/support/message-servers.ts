import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Account, LoadTarget } from './message-clients.js';
import { startProsody } from './prosody.js';
import { benchPhones, signUpMany, startBenchServer } from './switchboard.js';

/** One system under test: its server processes and where its clients connect. */
export type MessageSystem = {
  name: string;
  users: number;
  target: LoadTarget;
  /** The server's process first, then its database's (read at each step: a pool may open backends late). */
  serverPids(): Promise<number[]>;
  stop(): Promise<void>;
};

/** The Switchboard server process with `users` accounts to put online, and `spare` further accounts left offline. */
export async function startSwitchboard(
  name: string,
  users: number,
  spare: number,
  env: Record<string, string>,
  databasePids: () => Promise<number[]>,
): Promise<MessageSystem & { url: string; spareAccounts: Account[] }> {
  const server = await startBenchServer({ MESSAGES_PER_SENDER_PER_MINUTE: '1000000', MESSAGE_CATCHUP_MS: '3600000', ...env });
  try {
    const accounts = await signUpMany(server.url, benchPhones(users + spare, name.includes('PostgreSQL') ? '137' : '136'), 32);
    return {
      name,
      users,
      url: server.url,
      target: { kind: 'socketio', url: server.url, accounts: accounts.slice(0, users) },
      spareAccounts: accounts.slice(users),
      serverPids: async () => [server.child.pid as number, ...(await databasePids())],
      stop: () => server.kill('SIGTERM'),
    };
  } catch (error) {
    await server.kill('SIGTERM');
    throw error;
  }
}

/**
 * The socket.io floor (socketio-floor-server.ts): the same clients and packets against a server that only
 * passes them on, so the figures show what the transport alone costs on this machine.
 */
export async function startSocketioFloor(users: number): Promise<MessageSystem> {
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''), '--import', 'tsx', fileURLToPath(new URL('./socketio-floor-server.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let printed = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const match = /floor server on (\S+)/.exec(printed);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
    });
    const accounts = benchPhones(users, '138').map((phone, index) => ({ token: `floor-${index}`, userId: `user-${index}`, phone }));
    return { name: 'socket.io floor (no storage, no checks)', users, target: { kind: 'socketio', url, accounts }, serverPids: async () => [child.pid as number], stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Prosody with its offline store (mod_offline) on and XEP-0198 stream management; users u0..u(N-1). */
export async function startProsodySystem(users: number): Promise<MessageSystem> {
  const names = Array.from({ length: users }, (_, i) => `u${i}`);
  const prosody = await startProsody(names, [], { modules: (process.env.BENCH_PROSODY_MODULES ?? 'offline,smacks').split(',') });
  return { name: 'Prosody 0.12', users, target: { kind: 'xmpp', port: prosody.port, users }, serverPids: async () => [prosody.pid], stop: () => prosody.stop() };
}
