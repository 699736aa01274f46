// `npm start`: the product on the embedded default (SQLite, SMS outbox, one server) and, where the
// Electron binary is present (or can be downloaded), the desktop app on top of it. Without Electron:
// the server, the web client in the browser, and the headless agent when this machine is signed in.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '#server/config.js';
import { startServer } from '#server/server.js';
import { createVault, sessionAccount, VaultError } from '#core/vault/index.js';
import { routes } from '#common/contract/routes.js';
import { ensureWebClient } from './web-client-build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `require('electron')` answers the binary's path and, in Electron 45, downloads the binary first
 * when it is missing. That can fail (offline) or take a while, so it runs in a child with a timeout
 * and never takes this process down.
 */
function electronBinary(): { path: string } | { problem: string } {
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 5 * 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const binary = probe.stdout?.trim() ?? '';
  if (probe.status === 0 && binary !== '' && fs.existsSync(binary)) return { path: binary };
  // The download's stack trace ends with Node's version banner; the first error line is the one that explains.
  const lines = (probe.stderr ?? '').split('\n').map((line) => line.trim());
  const cause = lines.find((line) => /^\w*Error\b|failed/i.test(line) && !line.startsWith('at ')) ?? probe.error?.message ?? 'no output';
  return { problem: probe.error?.message.includes('ETIMEDOUT') ? 'the download timed out' : cause };
}

function run(command: string, args: string[]): boolean {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status === 0;
}

/** esbuild (brought by tsx) bundles main as ESM and the sandboxed preload as one CommonJS file. */
function buildDesktop(): boolean {
  const esbuild = path.join(root, 'node_modules', '.bin', 'esbuild');
  return (
    run(esbuild, ['electron/main/main.ts', '--bundle', '--platform=node', '--target=node22', '--format=esm', '--packages=external', '--outfile=dist/electron/main.mjs', '--log-level=warning']) &&
    run(esbuild, ['electron/preload/preload.ts', '--bundle', '--platform=browser', '--target=chrome140', '--format=cjs', '--external:electron', '--minify', '--outfile=dist/electron/preload.cjs', '--log-level=warning'])
  );
}

/** Whether `switchboard login` has left a session for this server in the keychain, and if not, why. */
async function storedSession(serverUrl: string): Promise<{ signedIn: true } | { signedIn: false; reason: string }> {
  try {
    const secret = await createVault().getSecret(sessionAccount(serverUrl));
    return secret === undefined ? { signedIn: false, reason: 'not signed in on this machine' } : { signedIn: true };
  } catch (error) {
    const reason = error instanceof VaultError && error.code === 'keychain_unavailable' ? 'no OS keychain answers (see README: Secret Service)' : (error as Error).message;
    return { signedIn: false, reason };
  }
}

const children: ChildProcess[] = [];
let stopping = false;

await ensureWebClient(say).catch((error: unknown) => say(`The web client could not be built (${(error as Error).message}); the API still runs.`));
const server = await startServer(loadConfig());
say(`\nSwitchboard server: ${server.url}  (storage ${server.storage.kind}, SMS ${server.sms.name})`);
if (server.sms.name === 'outbox') say(`SMS codes are printed here (development outbox) and listed at ${server.url}${routes.devSms.path}?to=%2B<number>`);

const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await server.close();
  process.exit(code);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

const electron = process.env.SWITCHBOARD_NO_DESKTOP === '1' ? { problem: 'SWITCHBOARD_NO_DESKTOP=1' } : electronBinary();
if ('path' in electron && buildDesktop()) {
  say('Opening the desktop app (Electron).');
  const app = spawn(electron.path, [path.join(root, 'dist', 'electron', 'main.mjs')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SWITCHBOARD_SERVER_URL: server.url },
  });
  children.push(app);
  app.on('exit', () => void stop());
} else {
  const reason = 'path' in electron ? 'the desktop bundle could not be built' : `the Electron binary is not installed and could not be downloaded (${electron.problem})`;
  say(`\nNo desktop app: ${reason}.`);
  say(`Web client: open ${server.url}/ in a browser (sign in with your phone number; the code appears above).`);
  const session = await storedSession(server.url);
  if (session.signedIn) {
    say('Starting the agent, which reports the apps running here (switchboard agent).');
    const agent = spawn(process.execPath, [path.join(root, 'bin', 'switchboard.mjs'), 'agent', '--server', server.url], { cwd: root, stdio: 'inherit' });
    children.push(agent);
    agent.on('exit', (code) => {
      if (!stopping) say(`The agent stopped (exit ${String(code)}); the server keeps running.`);
    });
  } else {
    say(`The agent that reports running apps is not started: ${session.reason}. To start it, in another terminal:`);
    say(`  npx switchboard login --server ${server.url} --phone +<your number>   (the code appears above)`);
    say(`  npx switchboard agent --server ${server.url}`);
  }
}
