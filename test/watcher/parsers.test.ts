import { describe, expect, it } from 'vitest';
import { darwinRow, parseDarwinPsArgs, parseDarwinPsComm, parseDarwinTables } from '#core/watcher/darwin-source.js';
import { parseCmdline, parseProcStat, exeNameFromLink } from '#core/watcher/linux-source.js';
import { parseTasklistCsv, parseWin32CimJson, parseWindowsCommandLine } from '#core/watcher/win32-parse.js';
import { parseListingAnswer } from '#core/watcher/win32-source.js';
import { loadTable, readFixtureText } from './fixtures.js';

describe('macOS ps parsers (recorded output)', () => {
  const commOutput = readFixtureText('darwin-ps-comm.txt');
  const argsOutput = readFixtureText('darwin-ps-args.txt');
  const expected = loadTable('darwin').rows;
  const parsed = parseDarwinTables(commOutput, argsOutput);

  it('reads every process with its parent and full executable path, spaces included', () => {
    expect(parsed.map((row) => [row.pid, row.ppid, row.exeName, row.exePath])).toEqual(
      expected.map((row) => [row.pid, row.ppid, row.exeName, row.exePath]),
    );
    const renderer = parsed.find((row) => row.exeName === 'Slack Helper (Renderer)');
    expect(renderer?.exePath).toBe('/Applications/Slack.app/Contents/Frameworks/Slack Helper (Renderer).app/Contents/MacOS/Slack Helper (Renderer)');
    expect(renderer?.argv[0]).toBe(renderer?.exePath);
    expect(renderer?.argv[1]).toBe('--type=renderer');
  });

  it('recovers argv wherever arguments carry no spaces of their own', () => {
    const argsWithoutSpaces = expected.filter((row) => row.argv.slice(1).every((arg) => !arg.includes(' ')));
    expect(argsWithoutSpaces.length).toBeGreaterThan(250);
    const byPid = new Map(parsed.map((row) => [row.pid, row]));
    for (const row of argsWithoutSpaces) expect(byPid.get(row.pid)?.argv).toEqual(row.argv);
  });

  it('falls back to the path for processes whose arguments ps may not read', () => {
    expect(parsed.find((row) => row.pid === 0)).toEqual({ pid: 0, ppid: 0, exeName: 'kernel_task', argv: ['kernel_task'] });
    const login = parsed.find((row) => row.exeName === 'login');
    expect(login?.argv).toEqual(['/usr/bin/login']);
  });

  it('tolerates blank lines, headers and missing args', () => {
    expect(parseDarwinPsComm('  PID  PPID COMM\n\n  12     1 /usr/sbin/syslogd\n')).toEqual([{ pid: 12, ppid: 1, command: '/usr/sbin/syslogd' }]);
    expect(parseDarwinPsArgs('  7 /bin/zsh -l\n').get(7)).toBe('/bin/zsh -l');
    expect(darwinRow({ pid: 5, ppid: 1, command: '/Applications/Telegram.app/Contents/MacOS/Telegram' }, undefined).argv).toEqual([
      '/Applications/Telegram.app/Contents/MacOS/Telegram',
    ]);
  });
});

describe('Windows parsers (recorded output)', () => {
  const expected = loadTable('win32').rows;

  it('parses the CIM listing into rows with argv split like CommandLineToArgvW', () => {
    expect(parseWin32CimJson(readFixtureText('win32-cim.json'))).toEqual(expected);
  });

  it('accepts the single object ConvertTo-Json prints for one process, a BOM, and null', () => {
    const one = '\uFEFF{"ProcessId":8,"ParentProcessId":4,"Name":"Slack.exe","CommandLine":null,"ExecutablePath":null}';
    expect(parseWin32CimJson(one)).toEqual([{ pid: 8, ppid: 4, exeName: 'Slack.exe', argv: ['Slack.exe'] }]);
    expect(parseWin32CimJson('null')).toEqual([]);
  });

  it('turns an error answer of the PowerShell session into an exception, not an empty table', () => {
    expect(() => parseListingAnswer('{"error":"Access denied"}')).toThrow(/Access denied/);
  });

  it('splits command lines by the MSVC rules', () => {
    expect(parseWindowsCommandLine('"C:\\Program Files\\App\\app.exe" -a "b c" d\\\\"e f"')).toEqual(['C:\\Program Files\\App\\app.exe', '-a', 'b c', 'd\\e f']);
    expect(parseWindowsCommandLine('C:\\x\\y.exe "say \\"hi\\"" a\\b "" "x""y"')).toEqual(['C:\\x\\y.exe', 'say "hi"', 'a\\b', '', 'x"y']);
    expect(parseWindowsCommandLine('  tool.exe\t--flag  ')).toEqual(['tool.exe', '--flag']);
    expect(parseWindowsCommandLine('')).toEqual([]);
  });

  it('parses tasklist CSV: image names and pids only', () => {
    const rows = parseTasklistCsv(readFixtureText('win32-tasklist.csv'));
    expect(rows.map((row) => [row.pid, row.exeName])).toEqual(expected.map((row) => [row.pid, row.exeName]));
    expect(rows.find((row) => row.exeName === 'slack.exe')).toMatchObject({ argv: ['slack.exe'] });
    expect(rows.every((row) => row.ppid === undefined)).toBe(true);
  });
});

describe('Linux /proc parsers', () => {
  it('reads ppid and start time after a comm with spaces and parentheses', () => {
    const stat = '4242 (Web Content (x)) S 4100 4100 4100 0 -1 4194560 1 0 0 0 3 1 0 0 20 0 30 0 987654 12345 67 18446744073709551615';
    expect(parseProcStat(stat)).toEqual({ comm: 'Web Content (x)', state: 'S', ppid: 4100, startTime: '987654' });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('splits cmdline on NUL, dropping padding, and undoes Chromium title rewriting', () => {
    expect(parseCmdline('/usr/bin/python3\0/home/ana/.local/bin/zulip-term\0')).toEqual(['/usr/bin/python3', '/home/ana/.local/bin/zulip-term']);
    expect(parseCmdline('/usr/lib/slack/slack --type=renderer --x=1\0\0\0')).toEqual(['/usr/lib/slack/slack', '--type=renderer', '--x=1']);
    expect(parseCmdline('')).toEqual([]);
  });

  it('takes the executable name from the exe link, ignoring " (deleted)"', () => {
    expect(exeNameFromLink('/usr/lib/slack/slack (deleted)')).toBe('slack');
    expect(exeNameFromLink('/usr/bin/telegram-desktop')).toBe('telegram-desktop');
  });
});
