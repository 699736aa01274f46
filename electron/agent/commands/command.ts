/** What every `switchboard` sub-command implements; one module per command under commands/. */

export const EXIT_OK = 0;
/** The command ran and found a problem (invalid plugin, failed login, ...). */
export const EXIT_FAILURE = 1;
/** The command line itself was wrong: unknown command, missing argument, unknown option. */
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths on the command line are resolved against this folder. */
  cwd: string;
}

export interface CommandOption {
  type: 'string' | 'boolean';
  /** A flag that may be given several times collects every value, e.g. `--plugins A --plugins B`. */
  multiple?: boolean;
  short?: string;
  description: string;
}

export type OptionValue = string | boolean | (string | boolean)[] | undefined;

export interface CommandInput {
  positionals: string[];
  options: Readonly<Record<string, OptionValue>>;
}

export interface Command {
  /** The words that select the command, e.g. ["plugins", "validate"]. */
  name: readonly string[];
  /** Arguments after the name, e.g. "DIR [--json]". */
  args: string;
  summary: string;
  options: Readonly<Record<string, CommandOption>>;
  run(input: CommandInput, io: CliIo): Promise<number>;
}

/** Thrown by a command for a malformed command line; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function stringOption(options: CommandInput['options'], name: string): string | undefined {
  const value = options[name];
  if (Array.isArray(value)) {
    const last = value[value.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

export function stringOptions(options: CommandInput['options'], name: string): string[] {
  const value = options[name];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((entry): entry is string => typeof entry === 'string');
}

export function booleanOption(options: CommandInput['options'], name: string): boolean {
  return options[name] === true;
}

export function commandUsage(command: Command): string {
  return `switchboard ${command.name.join(' ')}${command.args === '' ? '' : ` ${command.args}`}`;
}
