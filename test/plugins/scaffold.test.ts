import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validatePluginDir } from '#core/plugins/validate.js';
import { scaffoldPlugin } from '#plugins/sdk/scaffold.js';

let scratch: string;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'switchboard-scaffold-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('scaffoldPlugin', () => {
  it('creates a manifest and icon that pass the validator', async () => {
    const result = await scaffoldPlugin({ id: 'acme-chat', name: 'Acme Chat', pluginsDir: scratch });
    expect(result).toEqual({
      ok: true,
      dir: path.join(scratch, 'acme-chat'),
      files: [path.join(scratch, 'acme-chat', 'manifest.json'), path.join(scratch, 'acme-chat', 'icon.svg')],
    });
    const validation = await validatePluginDir(path.join(scratch, 'acme-chat'));
    expect(validation.issues).toEqual([]);
    expect(validation.manifest).toMatchObject({ id: 'acme-chat', name: 'Acme Chat' });
    expect(await readFile(path.join(scratch, 'acme-chat', 'icon.svg'), 'utf8')).toContain('>A</text>');
  });

  it('derives a display name from the id and keeps Windows-illegal characters out of executables', async () => {
    await scaffoldPlugin({ id: 'my-network', pluginsDir: scratch });
    const manifest = JSON.parse(await readFile(path.join(scratch, 'my-network', 'manifest.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe('My Network');
    const slashed = await scaffoldPlugin({ id: 'odd', name: 'A/B: "C"', pluginsDir: scratch });
    expect(slashed.ok).toBe(true);
    expect((await validatePluginDir(path.join(scratch, 'odd'))).ok).toBe(true);
  });

  it('refuses an existing id and leaves the existing plugin untouched', async () => {
    await scaffoldPlugin({ id: 'acme', name: 'First', pluginsDir: scratch });
    const second = await scaffoldPlugin({ id: 'acme', name: 'Second', pluginsDir: scratch });
    expect(second).toEqual({ ok: false, message: expect.stringContaining('already exists') as unknown as string });
    expect(await readFile(path.join(scratch, 'acme', 'manifest.json'), 'utf8')).toContain('"First"');
  });

  it.each(['Acme', 'sdk', '1acme', 'acme--chat', ''])('refuses the id "%s"', async (id) => {
    expect(await scaffoldPlugin({ id, pluginsDir: scratch })).toMatchObject({ ok: false });
  });
});
