import { afterEach, describe, expect, it } from 'vitest';
import { END_MARKER, ListingSession, Win32ProcessSource } from '#core/watcher/win32-source.js';
import { fixturesDir, loadTable } from './fixtures.js';

/**
 * The long-lived PowerShell session, driven by a real child process that speaks the same protocol
 * (one listing per input line, ended by the marker line) and replays the recorded Windows listing.
 */

const replayScript = `
const { readFileSync } = require('node:fs');
const recorded = JSON.parse(readFileSync(process.argv[1], 'utf8'));
let asked = 0;
require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
  asked++;
  const rows = [...recorded, { ProcessId: process.pid, ParentProcessId: 1, Name: 'powershell.exe', CommandLine: 'asked ' + asked, ExecutablePath: null }];
  const text = JSON.stringify(rows);
  // Split the answer across writes to exercise line reassembly.
  process.stdout.write(text.slice(0, 1000));
  setTimeout(() => process.stdout.write(text.slice(1000) + '\\r\\n${END_MARKER}\\r\\n'), 5);
});
`;

const silentScript = `process.stdin.resume();`;

describe('Windows listing session (protocol, with a stand-in child)', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  it('keeps one child alive and answers each scan from it', async () => {
    const source = new Win32ProcessSource({ command: { file: process.execPath, args: ['-e', replayScript, `${fixturesDir}win32-cim.json`] } });
    closers.push(() => source.close());
    const first = await source.list();
    const second = await source.list();
    const expected = loadTable('win32').rows;
    expect(first.slice(0, -1)).toEqual(expected);
    const sessionFirst = first[first.length - 1];
    const sessionSecond = second[second.length - 1];
    expect(sessionSecond?.pid).toBe(sessionFirst?.pid);
    expect(sessionFirst?.argv).toEqual(['asked', '1']);
    expect(sessionSecond?.argv).toEqual(['asked', '2']);
  });

  it('gives up on a silent child after the timeout', async () => {
    const session = new ListingSession({ file: process.execPath, args: ['-e', silentScript] }, 500);
    closers.push(() => session.close());
    await expect(session.request()).rejects.toThrow(/no listing within 500 ms/);
  });

  it('rejects, rather than hangs, when the shell cannot be started', async () => {
    const session = new ListingSession({ file: '/nonexistent/powershell.exe', args: [] }, 5000);
    closers.push(() => session.close());
    await expect(session.request()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
