import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '#core/plugins/load.js';
import { matcherSetsFor } from '#core/watcher/index.js';
import { AppWatcher } from '#core/watcher/watcher.js';
import { builtinPluginsDir } from '#agent/commands/headless-core.js';
import { ownProcessTree, startForeignApps } from '../support/own-processes.js';
import { AppLikeProcesses } from './real-processes.js';

/**
 * Issue 12 item 12: no test may depend on what else runs on the machine. While copies of sleep named
 * after every built-in network's Linux executables run outside this test's process tree (as a
 * developer's Slack, WeChat or Telegram would), a watcher scoped to the test's own tree sees none of
 * them, and still sees the app the test itself starts under the very same name.
 */
describe.skipIf(process.platform !== 'linux')('a test watcher ignores the apps others run on the machine', () => {
  let foreign: Awaited<ReturnType<typeof startForeignApps>>;
  let own: AppLikeProcesses;
  let watcher: AppWatcher | undefined;
  let names: string[];
  let matchers: ReturnType<typeof matcherSetsFor>;

  beforeAll(async () => {
    const { plugins } = await loadPlugins({ builtinDir: builtinPluginsDir });
    matchers = matcherSetsFor(plugins.map((plugin) => plugin.manifest), 'linux');
    names = [...new Set(matchers.flatMap((set) => set.matchers.flatMap((matcher) => ('name' in matcher && typeof matcher.name === 'string' ? [matcher.name] : []))))];
    foreign = await startForeignApps(names);
    own = new AppLikeProcesses();
  });
  afterAll(async () => {
    await watcher?.stop();
    foreign?.stop();
    await own?.dispose();
  });

  it('runs a copy of every built-in executable name outside the tree, which an unscoped watcher does see', async () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(names).toEqual(expect.arrayContaining(['slack', 'telegram-desktop', 'discord']));
    const unscoped = new AppWatcher({ platform: 'linux', matchers });
    await unscoped.scanNow();
    expect(unscoped.snapshot().map((app) => app.plugin)).toEqual(expect.arrayContaining(['slack', 'discord']));
    await unscoped.stop();
  });

  it('sees none of them when scoped to its own tree, and its own slack when it starts one', async () => {
    const scoped = new AppWatcher({ platform: 'linux', source: ownProcessTree(), matchers, intervalMs: 150, stopGraceMs: 200 });
    watcher = scoped;
    await scoped.scanNow();
    expect(scoped.snapshot()).toEqual([]);
    const slack = own.start('slack');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await scoped.scanNow();
    expect(scoped.snapshot().map((app) => [app.plugin, app.pids])).toEqual([['slack', [slack.pid]]]);
  });
});
