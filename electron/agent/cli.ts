import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type CliIo, type Command, commandUsage, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './commands/command.js';
import { commands as registeredCommands } from './commands/index.js';
import { humanError } from './commands/human-error.js';

export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => commandUsage(command).length));
  const lines = commands.map((command) => `  ${commandUsage(command).padEnd(width)}  ${command.summary}`);
  return ['Usage: switchboard <command> [options]', '', 'Commands:', ...lines, '', 'switchboard <command> --help describes a command.', ''].join('\n');
}

function commandHelp(command: Command): string {
  const options = Object.entries(command.options).map(
    ([name, option]) => `  --${name}${option.type === 'string' ? ' VALUE' : ''}  ${option.description}`,
  );
  return [`Usage: ${commandUsage(command)}`, '', command.summary, ...(options.length > 0 ? ['', 'Options:', ...options] : []), ''].join('\n');
}

/** The version in package.json, which is what npm installed. */
export function cliVersion(): string {
  const manifest = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));
  return manifest.version;
}

/** The commands under a group word (`contacts`, `plugins`), for `switchboard contacts --help`. */
function groupUsage(group: string, commands: readonly Command[]): string | undefined {
  const members = commands.filter((command) => command.name.length > 1 && command.name[0] === group);
  if (members.length === 0) return undefined;
  const width = Math.max(...members.map((command) => commandUsage(command).length));
  const lines = members.map((command) => `  ${commandUsage(command).padEnd(width)}  ${command.summary}`);
  return [`Usage: switchboard ${group} <command> [options]`, '', 'Commands:', ...lines, '', `switchboard ${group} <command> --help describes a command.`, ''].join('\n');
}

/** The command whose name is the longest prefix of the arguments, so `plugins validate` beats `plugins`. */
function findCommand(argv: readonly string[], commands: readonly Command[]): Command | undefined {
  return commands
    .filter((command) => command.name.every((word, index) => argv[index] === word))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

/** Runs one command line and answers the exit code; never calls process.exit, so tests can call it. */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = registeredCommands): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    (first === undefined ? io.stderr : io.stdout)(usage(commands));
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    io.stdout(`switchboard ${cliVersion()}\n`);
    return EXIT_OK;
  }
  const command = findCommand(argv, commands);
  const group = command === undefined ? groupUsage(first, commands) : undefined;
  if (group !== undefined) {
    const asked = argv.slice(1).every((arg) => arg === '--help' || arg === '-h') && argv.length > 1;
    if (argv.length === 1 || asked) {
      (asked ? io.stdout : io.stderr)(group);
      return asked ? EXIT_OK : EXIT_USAGE;
    }
    io.stderr(`switchboard: unknown command "${argv.filter((arg) => !arg.startsWith('-')).join(' ')}"\n\n${group}`);
    return EXIT_USAGE;
  }
  if (command === undefined) {
    io.stderr(`switchboard: unknown command "${argv.filter((arg) => !arg.startsWith('-')).join(' ')}"\n\n${usage(commands)}`);
    return EXIT_USAGE;
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv.slice(command.name.length),
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help === true) {
      io.stdout(commandHelp(command));
      return EXIT_OK;
    }
    return await command.run({ positionals, options: values }, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`switchboard: ${error.message}\n\nUsage: ${commandUsage(command)}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`switchboard: ${humanError(error)}\n`);
    // The details are for whoever reports the problem, when asked for.
    if (io.env.SWITCHBOARD_DEBUG === '1' && error instanceof Error) io.stderr(`${error.stack ?? error.message}\n`);
    return EXIT_FAILURE;
  }
}

export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  });
}
