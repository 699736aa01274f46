import { describe, expect, it } from 'vitest';
import { candidateNames, matchRunningApps } from '#common/plugin-manifest/matchers.js';
import type { AppMatcherSet, ProcessRow } from '#common/plugin-manifest/matchers.js';
import { loadTable } from './fixtures.js';

function pidsOf(table: ProcessRow[], predicate: (row: ProcessRow) => boolean): number[] {
  return table.filter(predicate).map((row) => row.pid).sort((a, b) => a - b);
}

describe('matchRunningApps on a recorded Linux table', () => {
  const { rows } = loadTable('linux');
  const matchers: AppMatcherSet[] = [
    { pluginId: 'slack', matchers: [{ name: 'slack' }] },
    { pluginId: 'telegram', matchers: [{ name: 'telegram-desktop' }, { name: 'Telegram' }] },
    { pluginId: 'signal', matchers: [{ name: 'signal-desktop' }] },
    { pluginId: 'discord', matchers: [{ name: 'Discord' }, { name: 'discord' }] },
    { pluginId: 'element', matchers: [{ name: 'element-desktop' }] },
    { pluginId: 'zulip', matchers: [{ name: 'python3', args: ['/home/ana/.local/bin/zulip-term'] }] },
    { pluginId: 'teams', matchers: [{ name: 'teams-for-linux' }] },
    { pluginId: 'whatsapp', matchers: [{ name: 'whatsapp-for-linux' }] },
    { pluginId: 'wechat', matchers: [{ name: 'wechat' }] },
    { pluginId: 'zoom', matchers: [{ name: 'zoom' }] },
  ];
  const running = matchRunningApps(rows, matchers, 'linux');

  it('finds exactly the social apps that run', () => {
    expect([...running.keys()].sort()).toEqual(['discord', 'element', 'signal', 'slack', 'teams', 'telegram', 'zulip']);
  });

  it('merges Slack helpers (rewritten titles, exe deleted by an upgrade) into one app', () => {
    expect(running.get('slack')).toEqual(pidsOf(rows, (row) => row.exePath === '/usr/lib/slack/slack'));
    expect(running.get('slack')).toHaveLength(8);
  });

  it('recognises telegram-desktop by its full name and the tarball build named Telegram', () => {
    expect(running.get('telegram')).toHaveLength(2);
  });

  it('sees through flatpak, snap and AppImage wrappers without counting the wrapper', () => {
    const bwrap = rows.find((row) => row.exeName === 'bwrap');
    const appImageRuntime = rows.find((row) => row.exeName.endsWith('.AppImage'));
    expect(running.get('signal')).toHaveLength(4);
    expect(running.get('signal')).not.toContain(bwrap?.pid);
    expect(running.get('discord')).toHaveLength(3);
    expect(running.get('element')).toHaveLength(2);
    expect(running.get('element')).not.toContain(appImageRuntime?.pid);
  });

  it('uses args to tell one python program from another', () => {
    expect(running.get('zulip')).toHaveLength(1);
    const updateManager = rows.find((row) => row.argv[1] === '/usr/bin/update-manager');
    expect(running.get('zulip')).not.toContain(updateManager?.pid);
  });

  it('matches another user\'s process by argv[0] when exe is unreadable', () => {
    expect(running.get('teams')).toHaveLength(1);
  });

  it('compares names exactly on Linux', () => {
    const upper = matchRunningApps(rows, [{ pluginId: 'slack', matchers: [{ name: 'SLACK' }] }], 'linux');
    expect(upper.size).toBe(0);
  });
});

describe('matchRunningApps on a recorded macOS table', () => {
  const { rows } = loadTable('darwin');
  const matchers: AppMatcherSet[] = [
    { pluginId: 'slack', matchers: [{ name: 'slack' }] },
    { pluginId: 'telegram', matchers: [{ name: 'Telegram' }] },
    { pluginId: 'whatsapp', matchers: [{ name: 'WhatsApp' }] },
    { pluginId: 'wechat', matchers: [{ name: 'WeChat' }] },
    { pluginId: 'zoom', matchers: [{ name: 'zoom.us' }] },
    { pluginId: 'teams', matchers: [{ name: 'MSTeams' }, { name: 'Microsoft Teams' }] },
    { pluginId: 'discord', matchers: [{ name: 'Discord' }] },
    { pluginId: 'signal', matchers: [{ name: 'Signal' }] },
  ];
  const running = matchRunningApps(rows, matchers, 'darwin');
  const inBundle = (bundle: string) => (row: ProcessRow) => row.exePath?.startsWith(`/Applications/${bundle}.app/`) ?? false;

  it('finds the running apps, case-insensitively', () => {
    expect([...running.keys()].sort()).toEqual(['slack', 'teams', 'telegram', 'wechat', 'whatsapp', 'zoom']);
  });

  it('counts Slack Helper (Renderer) and friends as Slack, plus crashpad reparented to launchd', () => {
    expect(running.get('slack')).toEqual(pidsOf(rows, inBundle('Slack')));
    expect(running.get('slack')).toHaveLength(8);
  });

  it('ties helpers to their app through ancestry and bundle', () => {
    expect(running.get('wechat')).toEqual(pidsOf(rows, inBundle('WeChat')));
    expect(running.get('wechat')).toHaveLength(4);
    expect(running.get('teams')).toEqual(pidsOf(rows, inBundle('Microsoft Teams')));
    expect(running.get('zoom')).toEqual(pidsOf(rows, inBundle('zoom.us')));
    expect(running.get('whatsapp')).toHaveLength(2);
  });

  it('does not report an app whose only process is an updater left in its bundle', () => {
    expect(running.has('discord')).toBe(false);
  });
});

describe('matchRunningApps on a recorded Windows table', () => {
  const { rows } = loadTable('win32');
  const matchers: AppMatcherSet[] = [
    { pluginId: 'slack', matchers: [{ name: 'slack.exe' }] },
    { pluginId: 'telegram', matchers: [{ name: 'Telegram.exe' }] },
    { pluginId: 'wechat', matchers: [{ name: 'WeChat.exe' }] },
    { pluginId: 'teams', matchers: [{ name: 'ms-teams.exe' }] },
    { pluginId: 'whatsapp', matchers: [{ name: 'WhatsApp' }] },
    { pluginId: 'zoom', matchers: [{ name: 'Zoom.exe' }] },
    { pluginId: 'discord', matchers: [{ name: 'Discord.exe' }] },
  ];
  const running = matchRunningApps(rows, matchers, 'win32');

  it('finds the running apps; an updater whose argument names the app is not the app', () => {
    expect([...running.keys()].sort()).toEqual(['slack', 'teams', 'telegram', 'wechat', 'whatsapp', 'zoom']);
  });

  it('merges helpers: same-named Slack processes, WeChatAppEx and WebView2 children', () => {
    expect(running.get('slack')).toEqual(pidsOf(rows, (row) => row.exeName === 'slack.exe'));
    expect(running.get('wechat')).toEqual(pidsOf(rows, (row) => row.exeName.startsWith('WeChat')));
    expect(running.get('teams')).toEqual(pidsOf(rows, (row) => row.exeName === 'ms-teams.exe' || row.exeName === 'msedgewebview2.exe'));
    expect(running.get('zoom')).toHaveLength(2);
  });

  it('accepts a matcher written without .exe', () => {
    expect(running.get('whatsapp')).toHaveLength(1);
  });
});

describe('matching rules', () => {
  it('derives names from the image, the exe path and argv[0]', () => {
    const row: ProcessRow = { pid: 9, exeName: 'Slack.exe', argv: ['C:\\Apps\\slack\\launcher.exe'], exePath: 'C:\\Apps\\slack\\slack.exe' };
    expect(candidateNames(row, 'win32').sort()).toEqual(['launcher', 'launcher.exe', 'slack', 'slack.exe']);
  });

  it('requires every matcher arg; a process that is itself an app is not also a helper of its parent', () => {
    const table: ProcessRow[] = [
      { pid: 10, ppid: 1, exeName: 'electron', argv: ['electron', '/usr/lib/element/app.asar', '--hidden'] },
      { pid: 11, ppid: 10, exeName: 'electron', argv: ['electron', '--type=renderer'] },
    ];
    const running = matchRunningApps(
      table,
      [
        { pluginId: 'element', matchers: [{ name: 'electron', args: ['/usr/lib/element/app.asar'] }] },
        { pluginId: 'hidden-one', matchers: [{ name: 'electron', args: ['--hidden', '--missing'] }] },
        { pluginId: 'any-electron', matchers: [{ name: 'electron' }] },
      ],
      'linux',
    );
    expect(running.get('element')).toEqual([10]);
    expect(running.has('hidden-one')).toBe(false);
    expect(running.get('any-electron')).toEqual([10, 11]);
  });

  it('gives a helper to its nearest matched ancestor and survives ppid cycles', () => {
    const table: ProcessRow[] = [
      { pid: 20, ppid: 1, exeName: 'slack', argv: ['slack'] },
      { pid: 21, ppid: 20, exeName: 'xdg-open', argv: ['xdg-open'] },
      { pid: 22, ppid: 21, exeName: 'zoom', argv: ['zoom'] },
      { pid: 23, ppid: 22, exeName: 'zoom-helper', argv: ['zoom-helper'] },
      { pid: 30, ppid: 31, exeName: 'a', argv: [] },
      { pid: 31, ppid: 30, exeName: 'b', argv: [] },
    ];
    const running = matchRunningApps(
      table,
      [
        { pluginId: 'slack', matchers: [{ name: 'slack' }] },
        { pluginId: 'zoom', matchers: [{ name: 'zoom' }] },
      ],
      'linux',
    );
    expect(running.get('slack')).toEqual([20, 21]);
    expect(running.get('zoom')).toEqual([22, 23]);
  });
});
