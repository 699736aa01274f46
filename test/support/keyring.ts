import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireService } from './services.js';
import { tempDir } from './test-server.js';

const run = promisify(execFile);

/** The Debian packages that bring these binaries; .ci/run installs them. */
export const keyringPackages = ['gnome-keyring', 'dbus-x11', 'libsecret-tools'] as const;
const binaries = ['dbus-daemon', 'gnome-keyring-daemon', 'secret-tool'] as const;

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, binary)));
}

/** True when a private gnome-keyring can be started; missing binaries skip on a laptop and fail under CI. */
export function keyringAvailable(): Promise<boolean> {
  return requireService(`a Secret Service keychain (${binaries.join(', ')}; Debian: ${keyringPackages.join(' ')})`, async () =>
    process.platform === 'linux' && binaries.every(onPath),
  );
}

export type PrivateKeyring = {
  busAddress: string;
  /** The environment a child process needs to reach this keyring. */
  env: NodeJS.ProcessEnv;
  /** Runs secret-tool against this keyring; answers its stdout and stderr together. */
  secretTool(...args: string[]): Promise<string>;
  stop(): Promise<void>;
};

/**
 * A D-Bus session bus and an unlocked gnome-keyring of this test process alone, with their own HOME and
 * XDG folders so nothing touches the user's real keyrings. Sets DBUS_SESSION_BUS_ADDRESS for the process
 * (the native keyring binding reads it) and restores it on stop.
 */
export async function startPrivateKeyring(): Promise<PrivateKeyring> {
  const root = tempDir('switchboard-keyring-');
  const runtimeDir = path.join(root, 'run');
  fs.mkdirSync(runtimeDir, { mode: 0o700 });
  const isolated: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: root,
    XDG_DATA_HOME: path.join(root, 'data'),
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_CACHE_HOME: path.join(root, 'cache'),
    XDG_RUNTIME_DIR: runtimeDir,
  };

  // A bus of our own with no service directories: with the stock session config, the first secret-tool
  // call can D-Bus-activate a second gnome-keyring-daemon (without our unlocked login keyring) before ours
  // has claimed the name, which on a busy machine made the probe fail with "another secret service is
  // running". Without activation the probe simply waits for our daemon.
  const busConfig = path.join(root, 'session-bus.conf');
  fs.writeFileSync(
    busConfig,
    [
      '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"',
      ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
      '<busconfig>',
      '  <type>session</type>',
      `  <listen>unix:dir=${runtimeDir}</listen>`,
      '  <auth>EXTERNAL</auth>',
      '  <policy context="default">',
      '    <allow send_destination="*" eavesdrop="true"/>',
      '    <allow eavesdrop="true"/>',
      '    <allow own="*"/>',
      '  </policy>',
      '</busconfig>',
    ].join('\n'),
  );
  const bus = await run('dbus-daemon', [`--config-file=${busConfig}`, '--fork', '--print-address=1', '--print-pid=1'], { env: isolated });
  const [busAddress, pidLine] = bus.stdout.trim().split('\n').map((line) => line.trim());
  const busPid = Number(pidLine);
  if (!busAddress || !Number.isInteger(busPid)) throw new Error(`dbus-daemon printed no address and pid: ${bus.stdout} ${bus.stderr}`);
  const env: NodeJS.ProcessEnv = { ...isolated, DBUS_SESSION_BUS_ADDRESS: busAddress };

  let keyringDaemon: ChildProcess | undefined;
  const stop = async () => {
    if (keyringDaemon && keyringDaemon.exitCode === null) {
      const exited = new Promise<void>((resolve) => keyringDaemon?.once('exit', () => resolve()));
      keyringDaemon.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
    try {
      process.kill(busPid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    if (process.env.DBUS_SESSION_BUS_ADDRESS === busAddress) {
      if (previousAddress === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = previousAddress;
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  const previousAddress = process.env.DBUS_SESSION_BUS_ADDRESS;

  try {
    keyringDaemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    keyringDaemon.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // An empty password followed by a newline creates and unlocks the login keyring; an empty stdin
    // (`echo -n ""`) leaves no default collection, and every lookup then fails with "no result found".
    keyringDaemon.stdin?.end('\n');

    // secret-tool prints secrets on stdout and attributes on stderr; callers want to see both.
    const secretTool = async (...args: string[]) => {
      const { stdout, stderr: attributes } = await run('secret-tool', args, { env });
      return stdout + attributes;
    };
    const probe = ['service', 'switchboard-probe', 'account', `probe-${process.pid}`];
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        // Until our daemon owns the name, a secret-tool call makes D-Bus activate a second, locked
        // gnome-keyring (/usr/share/dbus-1/services/org.freedesktop.secrets.service) that wins the name.
        if (!(await secretServiceOwned(env))) throw new Error('org.freedesktop.secrets has no owner yet');
        await storeWithSecretTool(env, probe, 'probe');
        const found = (await secretTool('lookup', ...probe)).trim();
        await secretTool('clear', ...probe);
        if (found === 'probe') break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`gnome-keyring did not come up: ${String(error)} ${stderr}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    process.env.DBUS_SESSION_BUS_ADDRESS = busAddress;
    return { busAddress, env, secretTool, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Whether the bus has an owner of the Secret Service name; asking this never activates a service. */
async function secretServiceOwned(env: NodeJS.ProcessEnv): Promise<boolean> {
  const { stdout } = await run(
    'dbus-send',
    ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'],
    { env },
  );
  return /boolean true/.test(stdout);
}

function storeWithSecretTool(env: NodeJS.ProcessEnv, attributes: string[], secret: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('secret-tool', ['store', '--label=switchboard probe', ...attributes], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`secret-tool store exited ${code}: ${stderr}`))));
    child.stdin.end(secret);
  });
}
