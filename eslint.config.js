// Each runtime folder may import only what runs there. The rules below are the
// architecture: breaking one means code landed in the wrong folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'stream', 'worker_threads', 'events', 'util', 'zlib', 'buffer', 'process'];

function restrict(patterns, message) {
  return {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  };
}

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
    files: ['**/*.mjs', '**/*.cjs', '*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'electron/*', 'react', 'react-dom', 'react-dom/*', '**/aggregator-server/**', '**/electron/**', '**/renderer/**', 'express', 'socket.io', 'pino', 'kysely', 'pg', 'better-sqlite3', 'redis'],
      'common/ is pure: it runs in the server, the desktop core, the CLI and the browser alike.',
    ),
  },
  {
    files: ['aggregator-server/**/*.ts'],
    rules: restrict(['electron', 'electron/*', 'react', 'react-dom', '**/renderer/**', '**/electron/**'], 'The server imports only common/ and server-side libraries.'),
  },
  {
    files: ['electron/core/**/*.ts', 'electron/agent/**/*.ts'],
    rules: restrict(['electron', 'electron/*', 'react', 'react-dom', '**/renderer/**', '**/aggregator-server/**', '**/electron/main/**', '**/electron/preload/**'], 'The desktop core is plain Node: Electron stays in electron/main.'),
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: restrict([...nodeBuiltins, '**/electron/core/**', '**/electron/main/**', '**/aggregator-server/**', '**/renderer/**'], 'The preload exposes the bridge contract only.'),
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: restrict(['react', 'react-dom', '**/renderer/**', '**/aggregator-server/**'], 'Electron main is a thin shell over electron/core.'),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: restrict([...nodeBuiltins, 'electron', 'electron/*', '**/electron/**', '**/aggregator-server/**', 'pino', 'express'], 'The renderer runs in a browser sandbox: it talks to the desktop through the bridge contract only.'),
  },
  {
    files: ['plugins/**/*.ts'],
    rules: restrict(['electron', 'electron/*', 'react', 'react-dom', '**/renderer/**', '**/aggregator-server/**', '**/electron/main/**'], 'Plugins and the SDK depend on common/ only.'),
  },
);
