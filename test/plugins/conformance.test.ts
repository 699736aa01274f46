import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALLOWED_LINK_SCHEMES,
  hostAllowed,
  LAUNCH_KINDS,
  matcherSetsFor,
  matchRunningApps,
  OPERATING_SYSTEMS,
  parseManifest,
  type PluginManifest,
  isBuiltinIdentityField,
  parseTemplate,
  renderLaunchLink,
  sampleContacts,
  validateIdentity,
} from '#common/plugin-manifest/index.js';
import { iconSize } from '#core/plugins/icon-size.js';
import { validatePluginDir } from '#core/plugins/validate.js';
import { BUILTIN_PLUGINS_DIR, builtinPluginIds } from './paths.js';

const ids = builtinPluginIds();
const REQUIRED_NETWORKS = ['slack', 'discord', 'telegram', 'whatsapp', 'signal', 'teams', 'zoom', 'element', 'mastodon', 'wechat', 'qq', 'thunderbird'];

function loadManifest(id: string): PluginManifest {
  const parsed = parseManifest(JSON.parse(readFileSync(path.join(BUILTIN_PLUGINS_DIR, id, 'manifest.json'), 'utf8')));
  if (!parsed.ok) throw new Error(`${id}: ${JSON.stringify(parsed.issues)}`);
  return parsed.manifest;
}

describe('built-in plugin set', () => {
  it('ships every required network', () => {
    expect(ids).toEqual(expect.arrayContaining(REQUIRED_NETWORKS));
    expect(ids.length).toBeGreaterThanOrEqual(12);
  });
});

describe.each(ids)('plugin %s', (id) => {
  const dir = path.join(BUILTIN_PLUGINS_DIR, id);

  it('passes the validator with no issues', async () => {
    const result = await validatePluginDir(dir);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('has an id equal to its folder name', () => {
    expect(loadManifest(id).id).toBe(id);
  });

  it('has a square icon inside its folder', () => {
    const manifest = loadManifest(id);
    const size = iconSize(manifest.icon, readFileSync(path.join(dir, manifest.icon)));
    expect(size.ok).toBe(true);
    if (size.ok) expect(size.width).toBe(size.height);
  });

  it('renders every template for the sample contacts to an allowed scheme and host', () => {
    const manifest = loadManifest(id);
    let rendered = 0;
    for (const kind of LAUNCH_KINDS) {
      for (const template of manifest.launch[kind] ?? []) {
        for (const contact of sampleContacts(manifest)) {
          const result = renderLaunchLink({ ...manifest, launch: { [kind]: [template] } }, kind, contact);
          expect(result, `${kind} ${template.url}`).toMatchObject({ ok: true });
          if (!result.ok) continue;
          rendered += 1;
          const scheme = result.url.slice(0, result.url.indexOf(':')).toLowerCase();
          expect(ALLOWED_LINK_SCHEMES).toContain(scheme);
          if (scheme === 'https') {
            const host = /^https:\/\/([^/?#]+)/.exec(result.url)?.[1] ?? '';
            expect(hostAllowed(host, manifest.allowedHosts), result.url).toBe(true);
          }
          if (kind === 'web') expect(scheme).toBe('https');
        }
      }
    }
    expect(rendered).toBeGreaterThan(0);
  });

  it('uses only {phone}, {phoneDigits} and declared identity fields in its templates and copy', () => {
    const manifest = loadManifest(id);
    const declared = new Set(manifest.identity.map((field) => field.name));
    const placeholders = LAUNCH_KINDS.flatMap((kind) =>
      (manifest.launch[kind] ?? []).flatMap((template) => {
        const parsed = parseTemplate(template.url);
        return parsed.ok ? parsed.placeholders.map((placeholder) => placeholder.name) : ['<unparsable>'];
      }),
    );
    if (manifest.launch.copy !== undefined) placeholders.push(manifest.launch.copy.field);
    for (const name of placeholders) expect(isBuiltinIdentityField(name) || declared.has(name), name).toBe(true);
  });

  it('declares fields whose examples are valid and fill every template that needs them to an openable URL', () => {
    const manifest = loadManifest(id);
    const examples = Object.fromEntries(manifest.identity.map((field) => [field.name, field.example]));
    expect(validateIdentity(manifest.identity, examples)).toEqual({ ok: true, value: examples });
    const contact = { phone: '+8613800138000', ...examples };
    for (const kind of LAUNCH_KINDS) {
      for (const template of manifest.launch[kind] ?? []) {
        const result = renderLaunchLink({ ...manifest, launch: { [kind]: [template] } }, kind, contact);
        expect(result, `${kind} ${template.url}`).toMatchObject({ ok: true });
        if (result.ok) for (const field of template.needs) expect(result.url).not.toContain(`{${field}}`);
      }
    }
  });

  it('reaches the person by a link, or opens a web page while copying their handle', () => {
    const manifest = loadManifest(id);
    const toPerson = LAUNCH_KINDS.some((kind) => (manifest.launch[kind] ?? []).some((template) => template.needs.length > 0));
    expect(toPerson || manifest.launch.copy !== undefined).toBe(true);
    if (manifest.launch.copy !== undefined) {
      // A browser cannot open a native app: a network that copies needs a page to open on the web.
      expect((manifest.launch.web ?? []).some((template) => template.needs.length === 0)).toBe(true);
    }
  });

  // The watcher's own matcher (common/plugin-manifest/matchers.ts), fed the rows its process sources produce.
  it('is recognised by the watcher\'s matcher from its own executables, helpers included', () => {
    const manifest = loadManifest(id);
    const total = OPERATING_SYSTEMS.reduce((sum, os) => sum + manifest.processes[os].length, 0);
    expect(total).toBeGreaterThan(0);
    for (const os of OPERATING_SYSTEMS) {
      const sets = matcherSetsFor([manifest], os);
      expect(sets.map((set) => set.pluginId)).toEqual(manifest.processes[os].length > 0 ? [id] : []);
      for (const [index, matcher] of manifest.processes[os].entries()) {
        const pid = 100 + index * 10;
        const folder = os === 'win32' ? 'C:\\Program Files\\App\\' : os === 'darwin' ? `/Applications/${matcher.name}.app/Contents/MacOS/` : '/usr/bin/';
        const main = { pid, ppid: 1, exeName: matcher.name, exePath: `${folder}${matcher.name}`, argv: [`${folder}${matcher.name}`, ...(matcher.args ?? [])] };
        const helper = { pid: pid + 1, ppid: pid, exeName: 'renderer-helper', argv: ['renderer-helper', '--type=renderer'] };
        expect(matchRunningApps([main, helper], sets, os).get(id), `${os} ${matcher.name}`).toEqual([pid, pid + 1]);
        if ((matcher.args ?? []).length > 0) {
          expect(matchRunningApps([{ ...main, argv: [main.argv[0] ?? ''] }], sets, os).has(id), `${os} ${matcher.name} without its arguments`).toBe(false);
        }
      }
      const stranger = { pid: 5, ppid: 1, exeName: 'definitely-not-a-messenger', argv: ['definitely-not-a-messenger'] };
      expect(matchRunningApps([stranger], sets, os).has(id)).toBe(false);
    }
  });
});
