import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '#agent/cli.js';
import type { CliIo, Command } from '#agent/commands/command.js';
import { BROKEN_FIXTURES_DIR, CLI_PATH, REPO_ROOT } from './paths.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const execFileAsync = promisify(execFile);

/** The real command line as a child process, exactly as `npx switchboard` runs it. */
async function switchboard(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('switchboard plugins validate (child process)', () => {
  it('exits 0 with a short OK line for a valid plugin', async () => {
    const run = await switchboard('plugins', 'validate', 'plugins/slack');
    expect(run).toEqual({ code: 0, stdout: 'OK plugins/slack: Slack (slack 1.0.0)\n', stderr: '' });
  });

  it('exits 1 and prints each issue as "path: reason"', async () => {
    const run = await switchboard('plugins', 'validate', path.join('test', 'fixtures', 'plugins-broken', 'bad-matcher'));
    expect(run.code).toBe(1);
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      'processes.linux[0].name: "/usr/bin/broken-example" must be the executable\'s base name, without folders',
      'processes.win32[0].name: Windows executables end in ".exe" ("BrokenExample.exe"?)',
    ]);
    expect(run.stderr).toContain('2 problems');
  });

  it('prints the result as JSON with --json', async () => {
    const run = await switchboard('plugins', 'validate', path.join(BROKEN_FIXTURES_DIR, 'javascript-scheme'), '--json');
    expect(run.code).toBe(1);
    const body = JSON.parse(run.stdout) as { ok: boolean; issues: { path: string; code: string }[] };
    expect(body.ok).toBe(false);
    expect(body.issues).toEqual([expect.objectContaining({ path: 'launch.web[0].url', code: 'scheme_not_allowed' })]);
  });

  it('exits 2 with usage for an unknown command', async () => {
    const run = await switchboard('teleport');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "teleport"');
    expect(run.stderr).toContain('switchboard plugins validate DIR');
  });

  it('exits 2 when DIR is missing or an option is unknown', async () => {
    expect((await switchboard('plugins', 'validate')).code).toBe(2);
    const unknownOption = await switchboard('plugins', 'validate', 'plugins/slack', '--colour');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("'--colour'");
  });
});

describe('command registry (in process)', () => {
  function capture(): CliIo & { out: string; err: string } {
    const io = {
      out: '',
      err: '',
      env: {},
      cwd: REPO_ROOT,
      stdout: (text: string) => {
        io.out += text;
      },
      stderr: (text: string) => {
        io.err += text;
      },
    };
    return io;
  }

  it('dispatches to the longest matching command name and passes typed options', async () => {
    const seen: unknown[] = [];
    const fake = (name: string[]): Command => ({
      name,
      args: '',
      summary: name.join(' '),
      options: { server: { type: 'string', description: 'server URL' } },
      run: async (input) => {
        seen.push([name.join(' '), input]);
        return 0;
      },
    });
    const io = capture();
    const code = await runCli(['contacts', 'import', 'book.vcf', '--server', 'http://x'], io, [fake(['contacts']), fake(['contacts', 'import'])]);
    expect(code).toBe(0);
    expect(seen).toEqual([['contacts import', { positionals: ['book.vcf'], options: { server: 'http://x' } }]]);
  });

  it('lists every registered command in the usage and answers --help with 0', async () => {
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out).toContain('switchboard plugins validate DIR [--json]');
    const bare = capture();
    expect(await runCli([], bare)).toBe(2);
  });
});
