import type { OperatingSystem, PluginManifest, ProcessMatcher } from './schema.js';

/** The operating systems whose processes are matched; the same as the manifest's `processes` keys. */
export type WatchedPlatform = OperatingSystem;

/** One plugin's process matchers for one OS, as the watcher wants them. */
export interface AppMatcherSet {
  pluginId: string;
  matchers: ProcessMatcher[];
}

/** One process as an OS adapter sees it. */
export interface ProcessRow {
  pid: number;
  ppid?: number;
  /** Base name of the executable image (Linux: from /proc/PID/exe, never the 15-char `comm`). */
  exeName: string;
  argv: string[];
  /** Full path of the executable when known; lets macOS helpers be tied to their `.app` bundle. */
  exePath?: string;
}

/** Plugin id → pids of every process of that app (main executable and helpers), ascending. */
export type RunningApps = Map<string, number[]>;

/** The process matchers of every plugin for this OS; plugins without one are left out. */
export function matcherSetsFor(manifests: readonly Pick<PluginManifest, 'id' | 'processes'>[], platform: WatchedPlatform): AppMatcherSet[] {
  return manifests
    .map((manifest) => ({
      pluginId: manifest.id,
      matchers: manifest.processes[platform].map((matcher) => (matcher.args ? { name: matcher.name, args: [...matcher.args] } : { name: matcher.name })),
    }))
    .filter((set) => set.matchers.length > 0);
}

/**
 * The one process matcher of Switchboard: the app watcher runs it on every scan; the plugin validator
 * and the conformance suite check manifests with it. Pure, so it runs anywhere.
 *
 * Which apps run, given one process-table snapshot.
 *
 * A process belongs to an app in one of three ways:
 * 1. it IS the app: its executable name (image name or argv[0] base name) equals a matcher name and
 *    the matcher's args are present;
 * 2. it descends from a process of kind 1 (Electron renderers, `Slack Helper (Renderer)`,
 *    `msedgewebview2.exe` under Teams): it joins the nearest such ancestor's app;
 * 3. (macOS) its executable lives in the same outermost `.app` bundle as a running kind-1 process
 *    (XPC helpers whose parent is launchd, not the app).
 * Only kind 1 can make an app "running": helpers only add pids. A lone updater or login item left in
 * a bundle must not light the icon of an app the person closed.
 */

interface CompiledMatcher {
  pluginId: string;
  args: string[];
}

export interface CompiledMatchers {
  platform: WatchedPlatform;
  /** Normalised executable name → matchers that use it. */
  byName: Map<string, CompiledMatcher[]>;
  pluginIds: Set<string>;
}

const MAX_ANCESTOR_DEPTH = 64;

/** macOS and Windows ignore case in executable names; Linux does not. */
export function caseInsensitiveNames(platform: WatchedPlatform): boolean {
  return platform !== 'linux';
}

function normalise(value: string, platform: WatchedPlatform): string {
  return caseInsensitiveNames(platform) ? value.toLowerCase() : value;
}

/** Base name of a path; Windows accepts both separators, POSIX names may legally contain `\`. */
export function baseName(path: string, platform: WatchedPlatform): string {
  const separator = platform === 'win32' ? /[\\/]/ : /\//;
  const parts = path.split(separator);
  return parts[parts.length - 1] ?? path;
}

export function compileMatchers(sets: readonly AppMatcherSet[], platform: WatchedPlatform): CompiledMatchers {
  const byName = new Map<string, CompiledMatcher[]>();
  const pluginIds = new Set<string>();
  for (const set of sets) {
    pluginIds.add(set.pluginId);
    for (const matcher of set.matchers) {
      const name = normalise(matcher.name.trim(), platform);
      if (name === '') continue;
      const compiled: CompiledMatcher = {
        pluginId: set.pluginId,
        args: (matcher.args ?? []).map((arg) => normalise(arg, platform)),
      };
      const list = byName.get(name);
      if (list) list.push(compiled);
      else byName.set(name, [compiled]);
    }
  }
  return { platform, byName, pluginIds };
}

/**
 * Names a process may be known by. Both the image name and argv[0] count because wrappers disagree:
 * a snap or AppImage shows the real binary in `exe` while argv[0] may be a launcher path, and a
 * process we may not readlink (another user's) only offers argv[0].
 */
export function candidateNames(row: ProcessRow, platform: WatchedPlatform): string[] {
  const names = new Set<string>();
  const add = (raw: string | undefined): void => {
    if (!raw) return;
    const name = normalise(raw, platform);
    names.add(name);
    // Manifests say `Slack.exe` or just `slack`; accept either spelling against `Slack.exe`.
    if (platform === 'win32' && name.endsWith('.exe')) names.add(name.slice(0, -4));
  };
  add(row.exeName);
  if (row.exePath) add(baseName(row.exePath, platform));
  const first = row.argv[0];
  if (first !== undefined) add(baseName(first, platform));
  return [...names];
}

function argsSatisfied(required: readonly string[], row: ProcessRow, platform: WatchedPlatform): boolean {
  if (required.length === 0) return true;
  const present = new Set(row.argv.slice(1).map((arg) => normalise(arg, platform)));
  return required.every((arg) => present.has(arg));
}

const NO_PLUGINS: readonly string[] = [];

/**
 * Sources reuse the row object of a process that has not changed (Linux, macOS), so the verdict is
 * remembered per row and matcher set: a steady-state scan then costs a lookup per process, not
 * string work. A new matcher set is a new object and invalidates every entry.
 */
const verdicts = new WeakMap<ProcessRow, { matchers: CompiledMatchers; plugins: readonly string[] }>();

function directMatches(row: ProcessRow, compiled: CompiledMatchers): readonly string[] {
  const remembered = verdicts.get(row);
  if (remembered && remembered.matchers === compiled) return remembered.plugins;
  const plugins = new Set<string>();
  for (const name of candidateNames(row, compiled.platform)) {
    for (const matcher of compiled.byName.get(name) ?? []) {
      if (argsSatisfied(matcher.args, row, compiled.platform)) plugins.add(matcher.pluginId);
    }
  }
  const verdict = plugins.size === 0 ? NO_PLUGINS : [...plugins];
  verdicts.set(row, { matchers: compiled, plugins: verdict });
  return verdict;
}

/** `/Applications/Slack.app/Contents/Frameworks/Slack Helper.app/...` → `Slack` (outermost bundle). */
export function outermostBundleName(path: string): string | undefined {
  const match = /(?:^|\/)([^/]+)\.app(?:\/|$)/.exec(path);
  return match?.[1];
}

export function matchRunningApps(
  table: readonly ProcessRow[],
  matchers: CompiledMatchers | readonly AppMatcherSet[],
  platform: WatchedPlatform,
): RunningApps {
  const compiled = 'byName' in matchers ? matchers : compileMatchers(matchers, platform);
  const byPid = new Map<number, ProcessRow>();
  for (const row of table) byPid.set(row.pid, row);

  const direct = new Map<number, readonly string[]>();
  for (const row of table) {
    const plugins = directMatches(row, compiled);
    if (plugins.length > 0) direct.set(row.pid, plugins);
  }

  const appPids = new Map<string, Set<number>>();
  const addPid = (pluginId: string, pid: number): void => {
    const pids = appPids.get(pluginId);
    if (pids) pids.add(pid);
    else appPids.set(pluginId, new Set([pid]));
  };
  for (const [pid, plugins] of direct) for (const plugin of plugins) addPid(plugin, pid);
  if (appPids.size === 0) return new Map();

  // Memoised "plugins of nearest matched ancestor" so deep trees cost one walk per process.
  const inherited = new Map<number, readonly string[]>();
  const ancestorPlugins = (row: ProcessRow): readonly string[] => {
    const chain: number[] = [];
    let found: readonly string[] = NO_PLUGINS;
    let parentPid = row.ppid;
    while (parentPid !== undefined && parentPid > 0 && chain.length < MAX_ANCESTOR_DEPTH) {
      const known = direct.get(parentPid) ?? inherited.get(parentPid);
      if (known) {
        found = known;
        break;
      }
      const parent = byPid.get(parentPid);
      // A cycle (pid reuse between two reads) or a parent we never saw ends the walk.
      if (!parent || parent.pid === parent.ppid || chain.includes(parentPid)) break;
      chain.push(parentPid);
      parentPid = parent.ppid;
    }
    for (const pid of chain) inherited.set(pid, found);
    return found;
  };

  const bundleOwners = compiled.platform === 'darwin' ? bundleOwnersOf(direct, byPid) : undefined;
  for (const row of table) {
    if (direct.has(row.pid)) continue;
    const plugins = ancestorPlugins(row);
    for (const plugin of plugins) addPid(plugin, row.pid);
    if (plugins.length === 0 && bundleOwners && row.exePath) {
      const bundle = outermostBundleName(row.exePath);
      const owner = bundle === undefined ? undefined : bundleOwners.get(bundle.toLowerCase());
      if (owner) for (const plugin of owner) addPid(plugin, row.pid);
    }
  }

  const result: RunningApps = new Map();
  for (const [plugin, pids] of appPids) result.set(plugin, [...pids].sort((a, b) => a - b));
  return result;
}

/** Bundle name (lower case) → plugins whose main executable runs from that bundle right now. */
function bundleOwnersOf(direct: Map<number, readonly string[]>, byPid: Map<number, ProcessRow>): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const [pid, plugins] of direct) {
    const exePath = byPid.get(pid)?.exePath;
    const bundle = exePath === undefined ? undefined : outermostBundleName(exePath);
    if (bundle === undefined) continue;
    const key = bundle.toLowerCase();
    owners.set(key, [...new Set([...(owners.get(key) ?? []), ...plugins])]);
  }
  return owners;
}
