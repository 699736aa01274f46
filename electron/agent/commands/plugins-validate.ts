import path from 'node:path';
import type { ManifestIssue } from '#common/plugin-manifest/index.js';
import { validatePluginDir } from '#core/plugins/validate.js';
import { booleanOption, type Command, EXIT_FAILURE, EXIT_OK, UsageError } from './command.js';

function describeIssue(issue: ManifestIssue, dir: string): string {
  return `${issue.path === '' ? dir : issue.path}: ${issue.message}`;
}

export const pluginsValidate: Command = {
  name: ['plugins', 'validate'],
  args: 'DIR [--json]',
  summary: 'Check a plugin folder and say exactly what is wrong.',
  options: {
    json: { type: 'boolean', description: 'Print the result as JSON: { ok, dir, id, issues: [{ path, code, message }] }.' },
  },
  async run({ positionals, options }, io) {
    const [dir, ...extra] = positionals;
    if (dir === undefined) throw new UsageError('missing DIR, the plugin folder to check');
    if (extra.length > 0) throw new UsageError(`one folder at a time (also got ${extra.join(' ')})`);
    const result = await validatePluginDir(path.resolve(io.cwd, dir));
    if (booleanOption(options, 'json')) {
      io.stdout(`${JSON.stringify({ ok: result.ok, dir, id: result.manifest?.id, issues: result.issues }, null, 2)}\n`);
    } else if (result.ok && result.manifest !== undefined) {
      const { id, version, name } = result.manifest;
      io.stdout(`OK ${dir}: ${name} (${id} ${version})\n`);
    } else {
      io.stdout(result.issues.map((issue) => `${describeIssue(issue, dir)}\n`).join(''));
      const count = result.issues.length;
      io.stderr(`${dir} is not a valid plugin: ${count} problem${count === 1 ? '' : 's'}\n`);
    }
    return result.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
