import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extraPluginDirs, loadPlugins } from '#core/plugins/load.js';
import { BROKEN_FIXTURES_DIR, BUILTIN_PLUGINS_DIR, builtinPluginIds } from './paths.js';

let scratch: string;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'switchboard-plugins-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A copy of a built-in plugin under another id, so it is valid but new. */
async function copyPluginAs(sourceId: string, root: string, newId: string): Promise<string> {
  const dir = path.join(root, newId);
  await cp(path.join(BUILTIN_PLUGINS_DIR, sourceId), dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  await writeFile(manifestPath, JSON.stringify({ ...manifest, id: newId }));
  return dir;
}

describe('loadPlugins', () => {
  it('loads every built-in, skipping the sdk folder, with no problems', async () => {
    const { plugins, problems } = await loadPlugins({ builtinDir: BUILTIN_PLUGINS_DIR });
    expect(problems).toEqual([]);
    expect(plugins.map((plugin) => plugin.id)).toEqual(builtinPluginIds());
    expect(plugins.every((plugin) => plugin.builtin)).toBe(true);
    expect(plugins.some((plugin) => plugin.id === 'sdk')).toBe(false);
  });

  it('picks up a folder of extra plugins and a single plugin folder', async () => {
    const collection = path.join(scratch, 'collection');
    await mkdir(collection);
    await copyPluginAs('signal', collection, 'signal-beta');
    const single = await copyPluginAs('telegram', scratch, 'telegram-beta');
    const { plugins, problems } = await loadPlugins({ builtinDir: BUILTIN_PLUGINS_DIR, extraDirs: [collection, single] });
    expect(problems).toEqual([]);
    const extras = plugins.filter((plugin) => !plugin.builtin);
    expect(extras.map((plugin) => [plugin.id, plugin.dir])).toEqual([
      ['signal-beta', path.join(collection, 'signal-beta')],
      ['telegram-beta', single],
    ]);
  });

  it('skips and reports an invalid plugin without throwing, and keeps the rest', async () => {
    await cp(path.join(BROKEN_FIXTURES_DIR, 'bad-semver'), path.join(scratch, 'bad-semver'), { recursive: true });
    await copyPluginAs('slack', scratch, 'good-one');
    const { plugins, problems } = await loadPlugins({ builtinDir: BUILTIN_PLUGINS_DIR, extraDirs: [scratch] });
    expect(plugins.map((plugin) => plugin.id)).toContain('good-one');
    expect(plugins.map((plugin) => plugin.id)).not.toContain('bad-semver');
    expect(problems).toEqual([
      {
        dir: path.join(scratch, 'bad-semver'),
        code: 'invalid_plugin',
        message: expect.stringContaining('1 issue') as unknown as string,
        issues: [expect.objectContaining({ path: 'version', code: 'bad_semver' })],
      },
    ]);
  });

  it('refuses to let an extra folder replace a built-in id, and reports it', async () => {
    const impostor = path.join(scratch, 'slack');
    await cp(path.join(BUILTIN_PLUGINS_DIR, 'slack'), impostor, { recursive: true });
    const { plugins, problems } = await loadPlugins({ builtinDir: BUILTIN_PLUGINS_DIR, extraDirs: [scratch] });
    const slack = plugins.filter((plugin) => plugin.id === 'slack');
    expect(slack).toHaveLength(1);
    expect(slack[0]?.builtin).toBe(true);
    expect(problems).toEqual([expect.objectContaining({ dir: impostor, code: 'duplicate_id' })]);
    expect(problems[0]?.message).toContain('built-in');
  });

  it('reports an extra folder that does not exist', async () => {
    const missing = path.join(scratch, 'nowhere');
    const { plugins, problems } = await loadPlugins({ builtinDir: BUILTIN_PLUGINS_DIR, extraDirs: [missing] });
    expect(plugins.length).toBe(builtinPluginIds().length);
    expect(problems).toEqual([expect.objectContaining({ dir: missing, code: 'folder_unreadable' })]);
  });
});

describe('extraPluginDirs', () => {
  it('takes --plugins flags first, then SWITCHBOARD_PLUGINS_DIR split on the list separator', () => {
    const env = { SWITCHBOARD_PLUGINS_DIR: ['/opt/a', '', '/opt/b'].join(path.delimiter) };
    expect(extraPluginDirs(['/flag/one'], env)).toEqual(['/flag/one', '/opt/a', '/opt/b'].map((dir) => path.resolve(dir)));
    expect(extraPluginDirs([], {})).toEqual([]);
  });
});
