import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '#agent/cli.js';
import { timestamped } from '#agent/commands/agent.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, cwd: process.cwd() });
  return { code, stdout, stderr };
}

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('switchboard help and version (issue 12 item 11)', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the version', async (flag) => {
    expect(await run(flag)).toEqual({ code: 0, stdout: `switchboard ${packageVersion}\n`, stderr: '' });
  });

  it.each([
    ['contacts', ['contacts import', 'contacts undo', 'contacts sync-accounts']],
    ['plugins', ['plugins validate']],
  ])('%s --help lists the commands of the group', async (group, members) => {
    const help = await run(group, '--help');
    expect(help.code).toBe(0);
    for (const member of members) expect(help.stdout).toContain(`switchboard ${member}`);
  });

  it('a bare group prints its commands as a usage error', async () => {
    const bare = await run('contacts');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('switchboard contacts import');
  });

  it('describes every command with --help', async () => {
    for (const argv of [['login'], ['agent'], ['contacts', 'import'], ['contacts', 'undo'], ['plugins', 'validate']]) {
      const help = await run(...argv, '--help');
      expect(help.code, argv.join(' ')).toBe(0);
      expect(help.stdout).toContain(`Usage: switchboard ${argv.join(' ')}`);
    }
    expect((await run('contacts', 'import', '--help')).stdout).toMatch(/--replace[\s\S]*--encoding/);
  });

  it("stamps every line of the agent's log with the time", () => {
    const at = new Date('2026-11-28T08:00:00.000Z');
    expect(timestamped('disconnected (transport close); reconnecting\nsecond\n', at)).toBe(
      '2026-11-28T08:00:00.000Z disconnected (transport close); reconnecting\n2026-11-28T08:00:00.000Z second\n',
    );
  });
});
