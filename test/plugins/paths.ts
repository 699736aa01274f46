import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUILTIN_PLUGINS_DIR = path.join(REPO_ROOT, 'plugins');
export const BROKEN_FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'plugins-broken');
export const CLI_PATH = path.join(REPO_ROOT, 'bin', 'switchboard.mjs');

/** Every built-in plugin folder: everything in plugins/ except the SDK. */
export function builtinPluginIds(): string[] {
  return readdirSync(BUILTIN_PLUGINS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'sdk')
    .map((entry) => entry.name)
    .sort();
}
