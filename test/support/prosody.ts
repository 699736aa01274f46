import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireService, tcpReachable } from './services.js';
import { tempDir } from './test-server.js';
import { freePorts } from './free-ports.js';

/**
 * A private, real Prosody (Debian's `prosody` 0.12) for one test file: its own ports picked at runtime,
 * its own data directory, XMPP accounts written as files before it starts, and an external component
 * (XEP-0114) with a secret of its own. It can be stopped and started again on the same ports and data,
 * as an operator restarting their XMPP server.
 */

const searchPath = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];

/** Looks the binary up on PATH: `prosody --version` would start a server rather than print a version. */
function prosodyBinary(): string | undefined {
  for (const dir of searchPath) {
    const candidate = path.join(dir, 'prosody');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** requireService semantics: skips on a laptop without Prosody, fails under SWITCHBOARD_REQUIRE_SERVICES=1. */
export function prosodyAvailable(): Promise<boolean> {
  return requireService('Prosody (apt: prosody)', async () => prosodyBinary() !== undefined);
}

export type ProsodyOptions = {
  /** The XMPP server's own domain, where the accounts live. */
  domain: string;
  componentDomain: string;
  componentSecret: string;
  /** Account names; every password is `pw`. */
  users: string[];
};

export class PrivateProsody {
  private child: ChildProcess | undefined;

  private constructor(
    readonly options: ProsodyOptions,
    readonly dir: string,
    readonly c2sPort: number,
    readonly componentPort: number,
  ) {}

  static async start(options: ProsodyOptions): Promise<PrivateProsody> {
    const dir = tempDir('prosody-xmpp-');
    const [c2sPort, componentPort] = await freePorts(2);
    if (!c2sPort || !componentPort) throw new Error('no free ports');
    const prosody = new PrivateProsody(options, dir, c2sPort, componentPort);
    // Prosody's file storage names a host's folder with every character but letters and digits as %xx.
    const hostFolder = options.domain.replace(/[^a-zA-Z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    const accounts = path.join(dir, 'pdata', hostFolder, 'accounts');
    fs.mkdirSync(accounts, { recursive: true });
    for (const user of options.users) fs.writeFileSync(path.join(accounts, `${user}.dat`), 'return { ["password"] = "pw"; };\n');
    fs.writeFileSync(
      prosody.configFile,
      [
        'run_as_root = true',
        `pidfile = "${dir}/prosody.pid"; data_path = "${dir}/pdata"`,
        // presence, message, iq and offline storage are loaded by Prosody itself.
        'modules_enabled = { "roster", "saslauth", "disco", "ping" }',
        'modules_disabled = { "s2s" }',
        'c2s_require_encryption = false',
        'allow_unencrypted_plain_auth = true',
        'storage = "internal"',
        'authentication = "internal_plain"',
        `c2s_ports = { ${c2sPort} }`,
        'c2s_interfaces = { "127.0.0.1" }',
        `component_ports = { ${componentPort} }`,
        'component_interfaces = { "127.0.0.1" }',
        `log = { info = "${dir}/prosody.log" }`,
        `VirtualHost "${options.domain}"`,
        `Component "${options.componentDomain}"`,
        `  component_secret = "${options.componentSecret}"`,
        '',
      ].join('\n'),
    );
    await prosody.up();
    return prosody;
  }

  get configFile(): string {
    return path.join(this.dir, 'prosody.cfg.lua');
  }

  get service(): string {
    return `xmpp://127.0.0.1:${this.c2sPort}`;
  }

  get componentService(): string {
    return `xmpp://127.0.0.1:${this.componentPort}`;
  }

  async up(): Promise<void> {
    const binary = prosodyBinary();
    if (!binary) throw new Error('prosody is not installed');
    this.child = spawn(binary, ['--config', this.configFile, '-F'], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 150; attempt += 1) {
      if ((await tcpReachable('127.0.0.1', this.c2sPort, 200)) && (await tcpReachable('127.0.0.1', this.componentPort, 200))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`prosody did not open its ports; see ${this.dir}/prosody.log`);
  }

  /** A restart's first half: SIGTERM, as systemd stops it. */
  async down(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  logs(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'prosody.log'), 'utf8').split('\n').slice(-40).join('\n');
    } catch {
      return '';
    }
  }
}
