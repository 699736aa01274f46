import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from '#test/support/test-server.js';
import { sleep } from './stats.js';
import { freePort } from '#test/support/free-ports.js';

export const prosodyDomain = 'bench.local';

/** Looks the binary up on PATH: `prosody --version` would start a server rather than print a version. */
export function prosodyInstalled(): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, 'prosody')));
}

/**
 * Debian's Prosody (an XMPP server) as the peer: accounts written as files before it starts, and the
 * contact graph as a groups file (members of a group see each other, subscription "both").
 */
export async function startProsody(
  users: string[],
  groups: string[][],
  options: { modules?: string[] } = {},
): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = tempDir('prosody-bench-');
  const accounts = path.join(dir, 'pdata', 'bench%2elocal', 'accounts');
  fs.mkdirSync(accounts, { recursive: true });
  for (const user of users) fs.writeFileSync(path.join(accounts, `${user}.dat`), 'return { ["password"] = "pw"; };\n');
  fs.writeFileSync(
    path.join(dir, 'groups.txt'),
    groups.map((members, index) => `[g${index}]\n${members.map((member) => `${member}@${prosodyDomain}`).join('\n')}\n`).join('\n'),
  );
  const config = path.join(dir, 'prosody.cfg.lua');
  fs.writeFileSync(
    config,
    [
      'run_as_root = true',
      `pidfile = "${dir}/prosody.pid"; data_path = "${dir}/pdata"`,
      `modules_enabled = { ${['roster', 'saslauth', 'disco', 'ping', 'groups', ...(options.modules ?? [])].map((name) => `"${name}"`).join(', ')} }`,
      'modules_disabled = { "s2s" }',
      'c2s_require_encryption = false',
      'allow_unencrypted_plain_auth = true',
      'storage = "internal"',
      // Lua 5.4's generational collector: the incremental default paused long enough, with 2,000 sessions, to put p99 over 100 ms at 250 msg/s.
      `gc = { mode = "${process.env.BENCH_PROSODY_GC ?? 'generational'}" }`,
      'authentication = "internal_plain"',
      `c2s_ports = { ${port} }`,
      'c2s_interfaces = { "127.0.0.1" }',
      `log = { ${process.env.BENCH_PROSODY_LOG ? `info = "${dir}/prosody.log"; ` : ""}error = "${dir}/prosody.err" }`,
      // The default per-connection rate limits would throttle a benchmark driving many clients at once.
      'limits = { c2s = { rate = "100mb/s" } }',
      // The default accept backlog (32) resets connections when a benchmark opens hundreds at once; and
      // Nagle off, as Node's WebSocket server has it, so neither side waits to fill a packet.
      'network_settings = { tcp_backlog = 1024; nagle = false }',
      `VirtualHost "${prosodyDomain}"`,
      `  groups_file = "${dir}/groups.txt"`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('prosody', ['--config', config, '-F'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    if (await portOpen(port)) break;
    await sleep(100);
  }
  if (!(await portOpen(port))) throw new Error(`prosody did not open port ${port}; see ${dir}/prosody.err`);
  return {
    port,
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
