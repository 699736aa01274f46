import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProcessRow } from '#core/watcher/types.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/process-tables/', import.meta.url));

export function readFixtureText(name: string): string {
  return readFileSync(`${fixturesDir}${name}`, 'utf8');
}

/** What /proc shows for one process of linux.json, for building a procfs tree on disk. */
export interface RawLinuxProcess {
  pid: number;
  ppid: number;
  comm: string;
  exeLink: string | null;
  cmdline: string;
}

export interface ProcessTableFixture {
  platform: string;
  description: string;
  rows: ProcessRow[];
  raw?: RawLinuxProcess[];
}

export function loadTable(platform: 'linux' | 'darwin' | 'win32'): ProcessTableFixture {
  return JSON.parse(readFixtureText(`${platform}.json`)) as ProcessTableFixture;
}
