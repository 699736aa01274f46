/**
 * Creates a new plugin folder that passes validation: `npm run plugin:new -- <id> [--name "My Net"]`.
 * Options: --dir FOLDER writes somewhere other than this repository's plugins/ (used by tests and
 * by people who keep plugins outside the repository).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type ManifestInput,
  parseManifest,
  isPluginId,
  SWITCHBOARD_ENGINE_VERSION,
} from '#common/plugin-manifest/index.js';
import { formatJson } from './format-json.js';
import { colourForId, letterIconSvg } from './icon.js';

export const BUILTIN_PLUGINS_DIR = fileURLToPath(new URL('..', import.meta.url));
const RESERVED_IDS = new Set(['sdk', 'node_modules']);

export interface ScaffoldOptions {
  id: string;
  name?: string;
  pluginsDir?: string;
}

export type ScaffoldResult = { ok: true; dir: string; files: string[] } | { ok: false; message: string };

function titleCase(id: string): string {
  return id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

export function scaffoldManifest(id: string, name: string, withSchemaHint: boolean): ManifestInput {
  // Characters Windows forbids in file names cannot be part of an executable's name.
  const executable = name.replace(/[\\/:*?"<>|]/g, '').trim() || id;
  return {
    ...(withSchemaHint ? { $schema: '../sdk/manifest.schema.json' } : {}),
    id,
    name,
    version: '0.1.0',
    engines: { switchboard: `^${SWITCHBOARD_ENGINE_VERSION}` },
    processes: {
      linux: [{ name: id }],
      darwin: [{ name: executable }],
      win32: [{ name: `${executable}.exe` }],
    },
    launch: {
      web: [{ url: 'https://example.com/chat/{phoneDigits}', needs: ['phoneDigits'] }],
    },
    auth: { type: 'none' },
    capabilities: ['presence', 'web-fallback'],
    icon: 'icon.svg',
    allowedHosts: ['example.com'],
  };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export async function scaffoldPlugin(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { id } = options;
  if (!isPluginId(id) || RESERVED_IDS.has(id)) {
    return { ok: false, message: `"${id}" is not a usable id: use a lowercase slug such as "my-network"` };
  }
  const name = options.name?.trim() || titleCase(id);
  const pluginsDir = path.resolve(options.pluginsDir ?? BUILTIN_PLUGINS_DIR);
  const manifest = scaffoldManifest(id, name, pluginsDir === path.resolve(BUILTIN_PLUGINS_DIR));
  const check = parseManifest(manifest);
  if (!check.ok) {
    return { ok: false, message: check.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n') };
  }
  const dir = path.join(pluginsDir, id);
  try {
    await mkdir(pluginsDir, { recursive: true });
    // Not recursive: creating the folder fails when the id exists, which is the refusal we want.
    await mkdir(dir);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return { ok: false, message: `a plugin "${id}" already exists at ${dir}` };
    return { ok: false, message: `cannot create ${dir}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const files = [path.join(dir, 'manifest.json'), path.join(dir, 'icon.svg')];
  try {
    await writeFile(files[0] ?? '', formatJson(manifest));
    await writeFile(files[1] ?? '', letterIconSvg(name, colourForId(id)));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    return { ok: false, message: `cannot write ${dir}: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: true, dir, files };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { name: { type: 'string' }, dir: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const [id, ...extra] = parsed.positionals;
  if (id === undefined || extra.length > 0) {
    console.error('Usage: npm run plugin:new -- <id> [--name "Display Name"] [--dir FOLDER]');
    return 2;
  }
  const result = await scaffoldPlugin({ id, name: parsed.values.name, pluginsDir: parsed.values.dir });
  if (!result.ok) {
    console.error(result.message);
    return 1;
  }
  console.log(`created ${result.files.map((file) => path.relative(process.cwd(), file)).join(', ')}`);
  console.log(`next: edit the manifest, then run: npx switchboard plugins validate ${path.relative(process.cwd(), result.dir)}`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
