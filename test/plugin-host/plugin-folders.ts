import fs from 'node:fs';
import path from 'node:path';
import type { ManifestInput, PluginManifest } from '#common/plugin-manifest/index.js';
import { validatePluginDir } from '#core/plugins/validate.js';

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7"/></svg>';

/**
 * Writes a real plugin folder (manifest, icon, code) and loads it through the same validator the app
 * uses, so the host gets exactly what it would get from `loadPlugins`.
 */
export async function writePlugin(
  root: string,
  id: string,
  files: Record<string, string>,
  manifest: Partial<ManifestInput> = {},
): Promise<{ id: string; dir: string; manifest: PluginManifest }> {
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'icon.svg'), ICON);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const full: ManifestInput = {
    id,
    name: id,
    version: '1.0.0',
    engines: { switchboard: '^0.1.0' },
    processes: { linux: [{ name: id }], darwin: [], win32: [] },
    launch: { open: [{ url: 'https://example.org/' }] },
    auth: { type: 'none' },
    capabilities: ['presence', 'contacts-import'],
    allowedHosts: ['example.org'],
    main: 'main.mjs',
    ...manifest,
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(full, null, 2));
  const validation = await validatePluginDir(dir);
  if (!validation.ok || validation.manifest === undefined) throw new Error(`test plugin ${id} is invalid: ${JSON.stringify(validation.issues)}`);
  return { id, dir, manifest: validation.manifest };
}

/** One contact per probe, `name=outcome`: how a probe plugin reports what its sandbox let it do. */
export function probeOutcomes(contacts: { displayName?: string }[]): Record<string, string> {
  return Object.fromEntries(contacts.map((contact) => {
    const text = contact.displayName ?? '';
    const at = text.indexOf('=');
    return [text.slice(0, at), text.slice(at + 1)];
  }));
}
