// Builds the web client (renderer/dist) when it is missing, so that `npm start` and `npm run server`
// serve it on a fresh checkout without a separate `npm run build:web`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function ensureWebClient(say: (line: string) => void = (line) => process.stdout.write(line + '\n')): Promise<void> {
  if (fs.existsSync(path.join(root, 'renderer', 'dist', 'index.html'))) return;
  say('Building the web client (renderer/dist)...');
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await ensureWebClient();
