import type { OperatingSystem, PluginManifest, ProcessMatcher } from './schema.js';

/** A process as the watcher reports it; `name` may be a full path, only its base name counts. */
export interface RunningProcess {
  name: string;
  /** The full command line, when the platform exposes it; needed only by matchers with `args`. */
  commandLine?: string;
}

export interface CompiledMatcher {
  /** The name as compared: lower-cased where the OS ignores case. */
  name: string;
  args: readonly string[];
  test(process: RunningProcess): boolean;
}

export interface CompiledPluginMatchers {
  pluginId: string;
  os: OperatingSystem;
  matchers: readonly CompiledMatcher[];
  /** True when any matcher accepts the process; every match of one plugin is the same app. */
  matches(process: RunningProcess): boolean;
}

/** Linux cuts `/proc/PID/comm` to 15 characters (`telegram-desktop` reads `telegram-deskto`). */
export const LINUX_COMM_LENGTH = 15;

export function caseInsensitiveNames(os: OperatingSystem): boolean {
  return os === 'darwin' || os === 'win32';
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

export function compileMatcher(matcher: ProcessMatcher, os: OperatingSystem): CompiledMatcher {
  const foldCase = caseInsensitiveNames(os);
  const name = foldCase ? matcher.name.toLowerCase() : matcher.name;
  const args = matcher.args ?? [];
  const nameMatches = (candidate: string): boolean => {
    const seen = foldCase ? baseName(candidate).toLowerCase() : baseName(candidate);
    if (seen === name) return true;
    return os === 'linux' && seen.length === LINUX_COMM_LENGTH && name.startsWith(seen);
  };
  return {
    name,
    args,
    test(process) {
      if (!nameMatches(process.name)) return false;
      if (args.length === 0) return true;
      const commandLine = process.commandLine;
      return commandLine !== undefined && args.every((arg) => commandLine.includes(arg));
    },
  };
}

export function compileMatchers(manifest: Pick<PluginManifest, 'id' | 'processes'>, os: OperatingSystem): CompiledPluginMatchers {
  const matchers = manifest.processes[os].map((matcher) => compileMatcher(matcher, os));
  return {
    pluginId: manifest.id,
    os,
    matchers,
    matches: (process) => matchers.some((matcher) => matcher.test(process)),
  };
}
