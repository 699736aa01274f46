// Each runtime folder may import only what runs there. The table below is the architecture: an
// allow-list per folder of our own folders and of packages (npm packages and Node built-ins), enforced
// by eslint-plugin-boundaries; breaking it means code landed in the wrong folder. Tests of these rules:
// test/lint/boundaries.test.ts.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';
import noRelativeCrossRuntime from './eslint-rules/no-relative-cross-runtime.js';

const nodeBuiltins = ['node:*'];

/**
 * type: the element name; folder: where it lives (first match wins, so deeper folders come first);
 * alias: its package.json "imports" prefix; mayImport: our folders it may use; packages: npm packages and
 * Node built-ins it may use ('*' for any); forbiddenPackages: exceptions to '*'.
 */
export const runtimes = [
  {
    type: 'common',
    folder: 'common',
    alias: '#common/',
    mayImport: ['common'],
    // Pure: it runs in the server, the desktop core, the CLI and the browser alike; no Node built-ins.
    packages: ['zod', 'zod-openapi', 'fflate', 'libphonenumber-js', 'semver'],
  },
  {
    type: 'server',
    folder: 'aggregator-server/src',
    alias: '#server/',
    mayImport: ['common', 'server'],
    packages: [...nodeBuiltins, 'express', 'passport', 'passport-oauth2', 'kysely', 'pg', 'better-sqlite3', 'redis', '@socket.io/redis-adapter', 'socket.io', 'pino', 'zod', 'ipaddr.js', 'proxy-addr', 'sharp', '@xmpp/component', '@aws-sdk/client-s3'],
  },
  {
    type: 'core',
    folder: 'electron/core',
    alias: '#core/',
    // Plain Node, run by Electron main and by the CLI agent alike: no Electron, no window, no preload.
    mayImport: ['common', 'core', 'plugin-sdk'],
    packages: [...nodeBuiltins, 'zod', 'socket.io-client', '@napi-rs/keyring'],
  },
  {
    type: 'agent',
    folder: 'electron/agent',
    alias: '#agent/',
    mayImport: ['common', 'core', 'agent', 'plugin-sdk'],
    packages: [...nodeBuiltins, 'zod', 'socket.io-client'],
  },
  {
    type: 'main',
    folder: 'electron/main',
    alias: '#main/',
    // A thin shell over electron/core; it never reaches into the renderer or the preload.
    mayImport: ['common', 'core', 'main', 'plugin-sdk'],
    packages: [...nodeBuiltins, 'electron', 'zod'],
  },
  {
    type: 'preload',
    folder: 'electron/preload',
    alias: '#preload/',
    // Sandboxed: it exposes the bridge contract and nothing else; no Node, no keychain, no core.
    mayImport: ['common', 'preload'],
    packages: ['electron'],
  },
  {
    type: 'renderer',
    folder: 'renderer/src',
    alias: '#renderer/',
    // A browser page: it talks to the desktop through the bridge contract only, and to the server
    // through the socket.io client (never the server library, which drags Node in).
    mayImport: ['common', 'renderer'],
    packages: ['react', 'react-dom', 'zustand', 'dexie', 'zod', 'socket.io-client', 'libphonenumber-js', 'pinyin-pro', '@tanstack/react-virtual'],
  },
  {
    type: 'renderer-build',
    folder: 'renderer',
    alias: '#renderer-build/',
    mayImport: [],
    packages: ['vite', '@vitejs/plugin-react'],
  },
  {
    type: 'plugin-sdk',
    folder: 'plugins/sdk',
    alias: '#plugins/sdk/',
    // Types for adapters, and the authors' command-line tools (scaffold, schema, icons) on Node.
    mayImport: ['common', 'plugin-sdk'],
    packages: [...nodeBuiltins, 'zod', 'simple-icons'],
  },
  {
    type: 'plugin',
    folder: 'plugins',
    alias: '#plugins/',
    // Plugin code runs in the sandbox, which links nothing but the plugin's own files.
    mayImport: ['plugin'],
    packages: [],
  },
  {
    type: 'bench',
    folder: 'bench',
    alias: '#bench/',
    mayImport: ['common', 'server', 'core', 'agent', 'test', 'bench'],
    packages: [...nodeBuiltins, '@xmpp/client', 'pg', 'playwright-core', 'socket.io', 'socket.io-client', 'zod'],
  },
  {
    type: 'test',
    folder: 'test',
    alias: '#test/',
    mayImport: ['common', 'server', 'core', 'agent', 'main', 'preload', 'renderer', 'plugin-sdk', 'plugin', 'test'],
    // Anything on npm a test needs, but not Electron itself: tests run the core as plain Node. ('*' does not match a
    // scoped name such as @xmpp/client, which is listed.)
    packages: ['*', '@xmpp/client'],
    forbiddenPackages: ['electron'],
  },
  {
    type: 'scripts',
    folder: 'scripts',
    alias: '#scripts/',
    mayImport: ['common', 'server', 'core', 'scripts'],
    packages: [...nodeBuiltins, 'vite', 'esbuild'],
  },
  {
    type: 'bin',
    folder: 'bin',
    alias: '#bin/',
    mayImport: [],
    packages: ['tsx'],
  },
  {
    type: 'types',
    folder: 'types',
    alias: '#types/',
    mayImport: [],
    packages: [],
  },
];

/** A package pattern matches the package itself and its subpaths; '*' any package, scoped ones too. */
function packagePatterns(packages) {
  return packages.flatMap((name) => (name === '*' ? [name, '@*/*'] : [name, `${name}/**`]));
}

const boundaryPolicies = runtimes.flatMap((runtime) => {
  const from = { element: { type: runtime.type } };
  const allowed = [];
  if (runtime.mayImport.length > 0) allowed.push({ from, allow: { to: { element: { types: { anyOf: runtime.mayImport } } } } });
  const external = runtime.packages.filter((name) => !name.startsWith('node:'));
  const builtins = runtime.packages.filter((name) => name.startsWith('node:') || name === '*');
  if (external.length > 0) allowed.push({ from, allow: { to: { module: { origin: 'external', source: packagePatterns(external) } } } });
  if (builtins.length > 0) allowed.push({ from, allow: { to: { module: { origin: 'core', source: builtins.includes('*') ? '*' : ['node:*', 'node:*/**'] } } } });
  // A later policy overrides an earlier one: exceptions to a wide allowance come last.
  if (runtime.forbiddenPackages) allowed.push({ from, disallow: { to: { module: { origin: 'external', source: packagePatterns(runtime.forbiddenPackages) } } } });
  return allowed;
});

/** Folders for the #alias rule (it picks the longest match, so order does not matter there). */
export const aliasedRuntimes = runtimes.filter((runtime) => runtime.type !== 'renderer-build' && runtime.type !== 'bin').map(({ folder, alias }) => ({ folder, alias }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'renderer/dist/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Plain JavaScript entry points run on Node.
    files: ['**/*.mjs', '**/*.cjs', '*.js', 'eslint-rules/**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
    plugins: { boundaries, switchboard: { rules: { 'no-relative-cross-runtime': noRelativeCrossRuntime } } },
    settings: {
      // Element folders are relative to this file, wherever eslint is started from.
      'boundaries/root-path': fileURLToPath(new URL('.', import.meta.url)),
      // Resolves `.js` specifiers to our `.ts` sources and `#alias/...` through package.json "imports".
      'import/resolver': { typescript: { alwaysTryTypes: true } },
      'boundaries/elements': runtimes.map(({ type, folder }) => ({ type, pattern: folder, partialMatch: false })),
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', checkAllOrigins: true, checkUnknownLocals: true, policies: boundaryPolicies }],
      // Turned on ('error') once the lead's codemod has rewritten relative imports that cross runtime
      // folders to the #alias form; until then the code base still has hundreds of them. Its tests run it
      // switched on (test/lint/boundaries.test.ts).
      'switchboard/no-relative-cross-runtime': ['error', { runtimes: aliasedRuntimes }],
    },
  },
);
