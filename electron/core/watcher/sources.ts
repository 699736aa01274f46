import { DarwinProcessSource } from './darwin-source.js';
import { LinuxProcessSource } from './linux-source.js';
import { Win32ProcessSource } from './win32-source.js';
import type { ProcessSource, WatchedPlatform } from './types.js';

export function currentPlatform(): WatchedPlatform {
  const platform = process.platform;
  if (platform === 'linux' || platform === 'darwin' || platform === 'win32') return platform;
  throw new Error(`The app watcher does not support ${platform}`);
}

export function createProcessSource(platform: WatchedPlatform = currentPlatform()): ProcessSource {
  switch (platform) {
    case 'linux':
      return new LinuxProcessSource();
    case 'darwin':
      return new DarwinProcessSource();
    case 'win32':
      return new Win32ProcessSource();
  }
}
