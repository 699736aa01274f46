// `switchboard identities set <plugin> field=value ... | list | remove <plugin>`: my own handles on other
// networks, published so that a contact's click reaches me. Checked against the plugin's declared fields
// here (validateIdentity) and again by the server.
import { resolve } from 'node:path';
import { ApiFailure } from '#common/contract/api-failure.js';
import { routes } from '#common/contract/routes.js';
import { identityAudience, IDENTITY_AUDIENCE_KEY } from '#common/contract/identities.js';
import { validateIdentity } from '#common/plugin-manifest/identity-fields.js';
import { extraPluginDirs, loadPlugins } from '#core/plugins/load.js';
import { booleanOption, EXIT_FAILURE, EXIT_OK, stringOption, stringOptions, UsageError, type Command, type CommandInput, type CliIo } from './command.js';
import { builtinPluginsDir } from './headless-core.js';
import { defaultServerUrl } from './session-store.js';
import { notSignedIn, signedInClient } from './signed-in.js';
import { humanError } from './human-error.js';

const sharedOptions = {
  server: { type: 'string', description: 'The Switchboard server (default SWITCHBOARD_SERVER_URL or http://127.0.0.1:8080).' },
  plugins: { type: 'string', multiple: true, description: 'Another folder of plugins (also SWITCHBOARD_PLUGINS_DIR).' },
} as const;

async function session(options: CommandInput['options'], io: CliIo) {
  const serverUrl = stringOption(options, 'server') ?? defaultServerUrl(io.env);
  const signedIn = await signedInClient(serverUrl, io);
  if (signedIn === undefined) io.stderr(notSignedIn(serverUrl));
  return signedIn;
}

async function manifestOf(pluginId: string, options: CommandInput['options'], io: CliIo) {
  const loaded = await loadPlugins({ builtinDir: builtinPluginsDir, extraDirs: extraPluginDirs(stringOptions(options, 'plugins').map((dir) => resolve(io.cwd, dir)), io.env) });
  return loaded.plugins.find((plugin) => plugin.id === pluginId)?.manifest;
}

function failed(io: CliIo, what: string, error: unknown): number {
  if (!(error instanceof ApiFailure)) throw error;
  io.stderr(`${what}: ${humanError(error)}\n`);
  return EXIT_FAILURE;
}

export const identitiesSet: Command = {
  name: ['identities', 'set'],
  args: '<plugin> field=value ... [visibleTo=contacts|allowlist|nobody]',
  summary: 'Publish my handle on a network, e.g. `identities set telegram username=lina_chen` (fields as the plugin declares them).',
  options: sharedOptions,
  async run({ positionals, options }, io) {
    const [pluginId, ...pairs] = positionals;
    if (pluginId === undefined) throw new UsageError('name the network, e.g. telegram');
    const body: Record<string, string> = {};
    for (const pair of pairs) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new UsageError(`"${pair}" is not field=value`);
      body[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const manifest = await manifestOf(pluginId, options, io);
    if (manifest === undefined) {
      io.stderr(`no plugin "${pluginId}" here; \`switchboard plugins validate\` lists problems with plugin folders\n`);
      return EXIT_FAILURE;
    }
    const { [IDENTITY_AUDIENCE_KEY]: audience, ...fields } = body;
    if (audience !== undefined && !(identityAudience as readonly string[]).includes(audience)) throw new UsageError(`visibleTo must be one of ${identityAudience.join(', ')}`);
    const checked = validateIdentity(manifest.identity, fields);
    if (!checked.ok) {
      const declared = manifest.identity.map((field) => `${field.name} (e.g. ${field.example})`).join(', ') || 'none: it reaches you by your number';
      io.stderr(`${pluginId}: ${checked.message}; its fields: ${declared}\n`);
      return EXIT_FAILURE;
    }
    const signedIn = await session(options, io);
    if (signedIn === undefined) return EXIT_FAILURE;
    try {
      const stored = await signedIn.api.call(routes.publishIdentity, { params: { pluginId }, body: audience === undefined ? checked.value : { ...checked.value, visibleTo: audience } });
      io.stdout(`${pluginId}: published ${JSON.stringify(stored)}\n`);
      return EXIT_OK;
    } catch (error) {
      return failed(io, `${pluginId}: not published`, error);
    }
  },
};

export const identitiesList: Command = {
  name: ['identities', 'list'],
  args: '[--json]',
  summary: 'List the handles I published, per network.',
  options: { ...sharedOptions, json: { type: 'boolean', description: 'Print { plugin: { field: value } } as JSON.' } },
  async run({ options }, io) {
    const signedIn = await session(options, io);
    if (signedIn === undefined) return EXIT_FAILURE;
    try {
      const mine = await signedIn.api.call(routes.myIdentities, {});
      if (booleanOption(options, 'json')) io.stdout(`${JSON.stringify(mine, null, 2)}\n`);
      else if (Object.keys(mine).length === 0) io.stdout('nothing published yet: `switchboard identities set <plugin> field=value`\n');
      else for (const [pluginId, fields] of Object.entries(mine)) io.stdout(`${pluginId}: ${Object.entries(fields).map(([name, value]) => `${name}=${value}`).join(' ') || '(by number)'}\n`);
      return EXIT_OK;
    } catch (error) {
      return failed(io, 'could not list your identities', error);
    }
  },
};

export const identitiesRemove: Command = {
  name: ['identities', 'remove'],
  args: '<plugin>',
  summary: 'Stop publishing my handle on a network.',
  options: sharedOptions,
  async run({ positionals, options }, io) {
    const [pluginId] = positionals;
    if (pluginId === undefined) throw new UsageError('name the network, e.g. telegram');
    const signedIn = await session(options, io);
    if (signedIn === undefined) return EXIT_FAILURE;
    try {
      await signedIn.api.call(routes.removeIdentity, { params: { pluginId } });
      io.stdout(`${pluginId}: no longer published\n`);
      return EXIT_OK;
    } catch (error) {
      return failed(io, `${pluginId}: not removed`, error);
    }
  },
};
