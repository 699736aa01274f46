// A relative import may stay inside its runtime folder and climb at most two levels; anything else
// names its target by the package.json "imports" alias (#common/..., #core/...), so a reader sees at a
// glance which runtime a file reaches into, and moving a file does not break paths into other folders.
// eslint-plugin-boundaries checks WHAT a folder may import; this rule checks HOW it is written, which no
// plugin offers for our own alias table.
import path from 'node:path';

/** @typedef {{ folder: string, alias: string }} Runtime */

/**
 * @param {readonly Runtime[]} runtimes
 * @param {string} relativeFile path from the project root, forward slashes
 * @returns {Runtime | undefined} the deepest runtime folder holding the file
 */
export function runtimeOf(runtimes, relativeFile) {
  let best;
  for (const runtime of runtimes) {
    if (relativeFile === runtime.folder || relativeFile.startsWith(`${runtime.folder}/`)) {
      if (best === undefined || runtime.folder.length > best.folder.length) best = runtime;
    }
  }
  return best;
}

/** @param {string} file */
const toPosix = (file) => file.split(path.sep).join('/');

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'suggestion',
    docs: { description: 'Relative imports stay inside their runtime folder and climb at most two levels; others use the #alias.' },
    schema: [
      {
        type: 'object',
        properties: {
          runtimes: {
            type: 'array',
            items: { type: 'object', properties: { folder: { type: 'string' }, alias: { type: 'string' } }, required: ['folder', 'alias'], additionalProperties: false },
          },
          maxParents: { type: 'integer', minimum: 0 },
        },
        required: ['runtimes'],
        additionalProperties: false,
      },
    ],
    messages: {
      crossing: '"{{source}}" reaches from {{from}}/ into {{to}}/: import it as "{{suggestion}}".',
      tooDeep: '"{{source}}" climbs {{levels}} folders: import it as "{{suggestion}}".',
    },
  },
  create(context) {
    const { runtimes, maxParents = 2 } = context.options[0];
    const root = context.cwd;
    const file = toPosix(path.relative(root, context.filename));
    const own = runtimeOf(runtimes, file);
    if (own === undefined) return {};

    /** @param {import('estree').Node} node */
    function check(node) {
      if (node.type !== 'Literal' || own === undefined) return;
      const source = node.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = toPosix(path.relative(root, path.resolve(path.dirname(context.filename), source)));
      const targetRuntime = runtimeOf(runtimes, target);
      const levels = source.split('/').filter((part) => part === '..').length;
      if (targetRuntime === undefined) return;
      const suggestion = `${targetRuntime.alias}${target.slice(targetRuntime.folder.length + 1)}`;
      if (targetRuntime !== own) {
        context.report({ node, messageId: 'crossing', data: { source, from: own.folder, to: targetRuntime.folder, suggestion } });
      } else if (levels > maxParents) {
        context.report({ node, messageId: 'tooDeep', data: { source, levels: String(levels), suggestion } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => node.source && check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source),
    };
  },
};
