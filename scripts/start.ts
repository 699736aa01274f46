// `npm start`: the product on the embedded default (SQLite, SMS outbox, one server) and, where the
// Electron binary is installed, the desktop app on top of it.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../aggregator-server/src/config.js';
import { startServer } from '../aggregator-server/src/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function electronBinary(): string | undefined {
  try {
    const pathFile = path.join(root, 'node_modules', 'electron', 'path.txt');
    const relative = fs.readFileSync(pathFile, 'utf8').trim();
    const binary = path.join(root, 'node_modules', 'electron', 'dist', relative);
    return fs.existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const server = await startServer(loadConfig());
process.stderr.write(`\nSwitchboard server: ${server.url}  (storage ${server.storage.kind}, SMS ${server.sms.name})\n`);
if (server.sms.name === 'outbox') {
  process.stderr.write('SMS codes are printed here (development outbox) and listed at ' + `${server.url}/v1/dev/sms?to=%2B<number>\n`);
}

const desktopEntry = path.join(root, 'electron', 'main', 'main.ts');
const binary = electronBinary();
if (binary && fs.existsSync(desktopEntry)) {
  const app = spawn(binary, [path.join(root, 'electron', 'main')], {
    stdio: 'inherit',
    env: { ...process.env, SWITCHBOARD_SERVER_URL: server.url },
  });
  app.on('exit', () => void server.close().then(() => process.exit(0)));
} else {
  process.stderr.write(
    binary
      ? 'The desktop app is not part of this build yet; the server runs alone.\n'
      : 'Electron is not installed on this machine (its binary could not be downloaded), so the desktop app does not open; the server runs alone.\n',
  );
}

const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
