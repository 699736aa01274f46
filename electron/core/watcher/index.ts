export { AppWatcher, DEFAULT_SCAN_INTERVAL_MS, DEFAULT_STOP_GRACE_MS } from './watcher.js';
export type { AppWatcherOptions, ChangeListener, ErrorListener, WatcherStats } from './watcher.js';
export { matchRunningApps, matcherSetsFor, compileMatchers, candidateNames } from '#common/plugin-manifest/matchers.js';
export { createProcessSource, currentPlatform } from './sources.js';
export { LinuxProcessSource } from './linux-source.js';
export { DarwinProcessSource, parseDarwinTables } from './darwin-source.js';
export { Win32ProcessSource } from './win32-source.js';
export { parseWin32CimJson, parseTasklistCsv, parseWindowsCommandLine } from './win32-parse.js';
export type * from './types.js';
