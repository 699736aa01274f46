import type { BundledPlugin } from '#common/bridge/index.js';
import { parseManifest } from '#common/plugin-manifest/parse.js';

// The web client has no plugin folder to read at run time, so the built-in plugins are bundled at build
// time: each manifest is validated with the same schema the desktop uses, and each icon becomes a file.
const manifests = import.meta.glob<unknown>('../../../plugins/*/manifest.json', { eager: true, import: 'default' });
const icons = import.meta.glob<string>('../../../plugins/*/icon.svg', { eager: true, query: '?url', import: 'default' });

function folderOf(path: string): string {
  return path.split('/').slice(0, -1).join('/');
}

export function bundledPlugins(): BundledPlugin[] {
  const plugins: BundledPlugin[] = [];
  for (const [path, json] of Object.entries(manifests)) {
    const parsed = parseManifest(json);
    if (!parsed.ok) {
      console.warn(`plugin manifest ${path} is invalid and was left out`, parsed.issues);
      continue;
    }
    const iconUrl = icons[`${folderOf(path)}/${parsed.manifest.icon}`] ?? '';
    plugins.push({ manifest: parsed.manifest, iconUrl });
  }
  return plugins.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}
