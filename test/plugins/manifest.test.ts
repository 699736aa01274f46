import { describe, expect, it } from 'vitest';
import {
  matcherSetsFor,
  matchRunningApps,
  type ManifestInput,
  parseManifest,
  type PluginManifest,
  SWITCHBOARD_ENGINE_VERSION,
} from '#common/plugin-manifest/index.js';

function minimal(overrides: Partial<ManifestInput> = {}): ManifestInput {
  return {
    id: 'acme',
    name: 'Acme',
    version: '1.0.0',
    engines: { switchboard: '^0.1.0' },
    processes: { linux: [{ name: 'acme' }] },
    launch: { chat: [{ url: 'tg://resolve?domain={handle}', needs: ['handle'] }] },
    identity: [{ name: 'handle', label: { en: 'Username', 'zh-CN': '用户名' }, pattern: '[a-z_]{3,20}', example: 'alice', sources: ['typed'] }],
    auth: { type: 'none' },
    ...overrides,
  };
}

function issuesOf(input: unknown, engineVersion?: string): { path: string; code: string }[] {
  const result = parseManifest(input, engineVersion === undefined ? {} : { engineVersion });
  return result.ok ? [] : result.issues.map(({ path, code }) => ({ path, code }));
}

function parsed(input: ManifestInput): PluginManifest {
  const result = parseManifest(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.manifest;
}

describe('parseManifest', () => {
  it('accepts a minimal manifest and fills defaults', () => {
    const manifest = parsed(minimal());
    expect(manifest.icon).toBe('icon.svg');
    expect(manifest.capabilities).toEqual([]);
    expect(manifest.allowedHosts).toEqual([]);
    expect(manifest.processes).toEqual({ linux: [{ name: 'acme' }], darwin: [], win32: [] });
  });

  it('refuses what is not a JSON object', () => {
    expect(issuesOf([])).toEqual([{ path: '', code: 'not_an_object' }]);
    expect(issuesOf('manifest')).toEqual([{ path: '', code: 'not_an_object' }]);
  });

  it('addresses nested problems by path', () => {
    expect(issuesOf(minimal({ processes: { linux: [{ name: '' }, { name: 'x', args: [3] }] } as never }))).toEqual([
      { path: 'processes.linux[0].name', code: 'empty' },
      { path: 'processes.linux[1].args[0]', code: 'wrong_type' },
    ]);
  });

  it('checks the engine range against the version it is given', () => {
    expect(SWITCHBOARD_ENGINE_VERSION).toBe('0.1.0');
    expect(issuesOf(minimal({ engines: { switchboard: '^1.0.0' } }))).toEqual([{ path: 'engines.switchboard', code: 'engine_unsatisfied' }]);
    expect(issuesOf(minimal({ engines: { switchboard: '^1.0.0' } }), '1.4.0')).toEqual([]);
  });

  it('requires at least one launch template', () => {
    expect(issuesOf(minimal({ launch: {}, identity: [] }))).toEqual([{ path: 'launch', code: 'launch_empty' }]);
  });

  it('checks declared identity fields against the templates that use them', () => {
    const field = { name: 'handle', label: { en: 'Username', 'zh-CN': '用户名' }, pattern: '[a-z_]{3,20}', example: 'alice', sources: ['typed' as const] };
    expect(issuesOf(minimal({ identity: [] }))).toEqual([{ path: 'launch.chat[0].url', code: 'unknown_placeholder' }]);
    expect(issuesOf(minimal({ identity: [{ ...field, example: 'Alice!' }] }))).toEqual([{ path: 'identity[0].example', code: 'bad_example' }]);
    expect(issuesOf(minimal({ identity: [field, { ...field, name: 'nick' }] }))).toEqual([{ path: 'identity[1].name', code: 'unused_identity_field' }]);
    expect(issuesOf(minimal({ identity: [field, field] }))).toEqual([{ path: 'identity[1].name', code: 'duplicate_identity_field' }]);
    expect(issuesOf(minimal({ launch: { chat: [{ url: 'tg://resolve?domain={handle}', needs: ['handle'] }], copy: { field: 'handle' } } }))).toEqual([
      { path: 'launch.copy', code: 'copy_without_open' },
    ]);
    expect(issuesOf(minimal({ launch: { open: [{ url: 'weixin://' }], copy: { field: 'wechatId' } }, identity: [] }))).toEqual([
      { path: 'launch.copy.field', code: 'unknown_identity_field' },
    ]);
    expect(issuesOf(minimal({ launch: { open: [{ url: 'weixin://' }], copy: { field: 'handle' } } }))).toEqual([]);
  });

  it('flags needs that the url does not use, and web links that are not https', () => {
    expect(issuesOf(minimal({ launch: { chat: [{ url: 'tg://resolve?domain={handle}', needs: ['handle', 'email'] }] } }))).toEqual([
      { path: 'launch.chat[0].needs', code: 'unknown_identity_field' },
    ]);
    expect(issuesOf(minimal({ launch: { chat: [{ url: 'tg://resolve?domain={handle}', needs: ['handle', 'phone'] }] } }))).toEqual([
      { path: 'launch.chat[0].needs', code: 'unused_need' },
    ]);
    expect(issuesOf(minimal({ launch: { web: [{ url: 'tg://resolve?domain={handle}', needs: ['handle'] }] } }))).toEqual([
      { path: 'launch.web[0].url', code: 'not_https' },
    ]);
  });

  it('requires capabilities to be backed by the manifest', () => {
    expect(
      issuesOf(minimal({ capabilities: ['presence', 'oauth2', 'web-fallback', 'contacts-import', 'presence'] })),
    ).toEqual([
      { path: 'capabilities[1]', code: 'capability_unsupported' },
      { path: 'capabilities[2]', code: 'capability_unsupported' },
      { path: 'capabilities[3]', code: 'capability_unsupported' },
      { path: 'capabilities[4]', code: 'duplicate_capability' },
    ]);
  });

  it('checks auth endpoints: https, allowed host, {instance} only as the host', () => {
    const oauth = (authorizationUrl: string, allowedHosts: string[]) =>
      minimal({
        allowedHosts,
        auth: { type: 'oauth2', authorizationUrl, tokenUrl: 'https://id.acme.example/token', scopes: [], pkce: true },
      });
    expect(issuesOf(oauth('https://id.acme.example/authorize', ['id.acme.example']))).toEqual([]);
    expect(issuesOf(oauth('http://id.acme.example/authorize', ['id.acme.example']))).toEqual([
      { path: 'auth.authorizationUrl', code: 'scheme_not_allowed' },
    ]);
    expect(issuesOf(oauth('https://id.acme.example/authorize', []))).toEqual([
      { path: 'auth.authorizationUrl', code: 'host_not_allowed' },
      { path: 'auth.tokenUrl', code: 'host_not_allowed' },
    ]);
    expect(issuesOf(oauth('https://{instance}/oauth/authorize', ['id.acme.example']))).toEqual([
      { path: 'auth.authorizationUrl', code: 'host_not_allowed' },
    ]);
    expect(issuesOf(oauth('https://{instance}/oauth/authorize', ['id.acme.example', '{instance}']))).toEqual([]);
    expect(issuesOf(oauth('https://id.acme.example/{handle}', ['id.acme.example']))).toEqual([
      { path: 'auth.authorizationUrl', code: 'unknown_placeholder' },
    ]);
  });

  it('accepts a password recipe and refuses an incomplete one', () => {
    const recipe = { usernameSelector: '#user', passwordSelector: '#pass', submitSelector: 'button[type=submit]' };
    expect(issuesOf(minimal({ allowedHosts: ['acme.example'], auth: { type: 'password', loginUrl: 'https://acme.example/login', recipe } }))).toEqual([]);
    expect(
      issuesOf(minimal({ allowedHosts: ['acme.example'], auth: { type: 'password', loginUrl: 'https://acme.example/login', recipe: { usernameSelector: '#u' } } as never })),
    ).toEqual([
      { path: 'auth.recipe.passwordSelector', code: 'missing_field' },
      { path: 'auth.recipe.submitSelector', code: 'missing_field' },
    ]);
  });

  it('refuses icon and main paths that leave the plugin folder', () => {
    expect(issuesOf(minimal({ icon: '../other/icon.svg' }))).toEqual([{ path: 'icon', code: 'bad_file_path' }]);
    expect(issuesOf(minimal({ main: '/usr/lib/evil.js' }))).toEqual([{ path: 'main', code: 'bad_file_path' }]);
  });

  it('reports duplicate matchers, ignoring case where the OS does', () => {
    expect(issuesOf(minimal({ processes: { darwin: [{ name: 'Acme' }, { name: 'acme' }], linux: [{ name: 'Acme' }, { name: 'acme' }] } }))).toEqual([
      { path: 'processes.darwin[1]', code: 'duplicate_matcher' },
    ]);
  });
});

// The one matcher (common/plugin-manifest/matchers.ts), as the watcher runs it on process rows.
describe('matching a manifest\'s processes', () => {
  const manifest = parsed(
    minimal({
      processes: {
        linux: [{ name: 'telegram-desktop' }, { name: 'electron', args: ['--app=acme'] }],
        darwin: [{ name: 'Acme Chat' }],
        win32: [{ name: 'Acme.exe' }],
      },
    }),
  );
  const runs = (os: 'linux' | 'darwin' | 'win32', row: { exeName: string; argv?: string[]; exePath?: string }) =>
    matchRunningApps([{ pid: 10, ppid: 1, argv: [row.exeName], ...row }], matcherSetsFor([manifest], os), os).has(manifest.id);

  it('compares names exactly on Linux and ignoring case on macOS and Windows', () => {
    expect(runs('linux', { exeName: 'Telegram-Desktop' })).toBe(false);
    expect(runs('linux', { exeName: 'telegram-desktop' })).toBe(true);
    expect(runs('darwin', { exeName: 'acme chat' })).toBe(true);
    expect(runs('win32', { exeName: 'ACME.EXE' })).toBe(true);
    expect(runs('win32', { exeName: 'Acme' })).toBe(false);
    expect(runs('win32', { exeName: 'Acme2.exe' })).toBe(false);
  });

  it('uses the base name of a full executable path', () => {
    expect(runs('darwin', { exeName: '', exePath: '/Applications/Acme Chat.app/Contents/MacOS/Acme Chat', argv: ['/Applications/Acme Chat.app/Contents/MacOS/Acme Chat'] })).toBe(true);
    expect(runs('win32', { exeName: '', exePath: 'C:\\Program Files\\Acme\\Acme.exe', argv: ['C:\\Program Files\\Acme\\Acme.exe'] })).toBe(true);
  });

  it('requires every argument among the process\'s arguments', () => {
    expect(runs('linux', { exeName: 'electron', argv: ['/usr/bin/electron', '--app=acme', '--no-sandbox'] })).toBe(true);
    expect(runs('linux', { exeName: 'electron', argv: ['/usr/bin/electron', '--app=other'] })).toBe(false);
    expect(runs('linux', { exeName: 'electron' })).toBe(false);
  });
});
