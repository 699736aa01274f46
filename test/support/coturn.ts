import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { requireService, tcpReachable } from './services.js';
import { tempDir } from './test-server.js';

export const turnserverPath = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

/** True when coturn (apt: coturn) is installed; under CI a missing coturn fails. */
export function coturnAvailable(): Promise<boolean> {
  return requireService(`coturn at ${turnserverPath} (apt-get install coturn)`, async () => fs.existsSync(turnserverPath));
}

/** A port free for both TCP and UDP on loopback (coturn listens on both). */
async function freeTcpAndUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const udp = dgram.createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no port free for TCP and UDP');
}

/**
 * A coturn of this test's own on loopback, with time-limited REST credentials (`use-auth-secret`) the way
 * docs/calls.md configures it, and loopback peers allowed (both call parties run on this machine).
 */
export class Coturn {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly secret: string,
    readonly logFile: string,
  ) {}

  static async start(): Promise<Coturn> {
    const port = await freeTcpAndUdpPort();
    const secret = `coturn-test-secret-${process.pid}-${Date.now()}`;
    const dir = tempDir('switchboard-coturn-');
    const logFile = path.join(dir, 'turn.log');
    // Relay ports from a range of their own per run, so parallel test files do not collide.
    const minPort = 40_000 + (process.pid % 200) * 100;
    const child = spawn(
      turnserverPath,
      [
        '-n',
        '--listening-ip=127.0.0.1',
        `--listening-port=${port}`,
        '--relay-ip=127.0.0.1',
        `--min-port=${minPort}`,
        `--max-port=${minPort + 99}`,
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=switchboard.test',
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        '--allow-loopback-peers',
        '--no-software-attribute',
        '--simple-log',
        `--log-file=${logFile}`,
        `--pidfile=${path.join(dir, 'turn.pid')}`,
      ],
      { stdio: 'ignore' },
    );
    for (let waited = 0; waited < 10_000; waited += 100) {
      if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      if (await tcpReachable('127.0.0.1', port, 200)) return new Coturn(child, port, secret, logFile);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error('turnserver did not start listening');
  }

  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
