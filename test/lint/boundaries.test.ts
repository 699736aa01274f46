import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '#test/support/test-server.js';

/**
 * The runtime boundaries, tested by attack: a copy of the repository (its sources, its eslint config,
 * its package.json "imports"), an import planted in it for every rule, and eslint run on the copy. A
 * forbidden import must fail with the rule that forbids it; a permitted one must pass. The copy also
 * switches on the #alias rule, which stays off in the repository until the codemod has run.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const BOUNDARY = 'boundaries/dependencies';
const ALIAS = 'switchboard/no-relative-cross-runtime';

type Plant = { file: string; code: string; fails: readonly string[] };

const forbidden: Record<string, Plant> = {
  'electron/core may not import electron/main': { file: 'electron/core/planted-main.ts', code: "import '#main/window.js';", fails: [BOUNDARY] },
  'electron/core may not import the preload': { file: 'electron/core/planted-preload.ts', code: "import '#preload/desktop-bridge.js';", fails: [BOUNDARY] },
  'electron/core may not import Electron': { file: 'electron/core/planted-electron.ts', code: "import 'electron';", fails: [BOUNDARY] },
  'the preload may not import the vault': { file: 'electron/preload/planted-vault.ts', code: "import '#core/vault/index.js';", fails: [BOUNDARY] },
  'the preload may not import Node built-ins': { file: 'electron/preload/planted-node.ts', code: "import 'node:fs';", fails: [BOUNDARY] },
  'the renderer may not import the socket.io server': { file: 'renderer/src/planted-socket-server.ts', code: "import 'socket.io';", fails: [BOUNDARY] },
  'the renderer may not import Node built-ins': { file: 'renderer/src/planted-node.ts', code: "import 'node:fs';", fails: [BOUNDARY] },
  'the renderer may not import the desktop core': { file: 'renderer/src/planted-core.ts', code: "import '#core/vault/index.js';", fails: [BOUNDARY] },
  'the renderer may not import the build tools': { file: 'renderer/src/planted-vite.ts', code: "import 'vite';", fails: [BOUNDARY] },
  'common may not import Node built-ins': { file: 'common/planted-node.ts', code: "import 'node:crypto';", fails: [BOUNDARY] },
  'common may not import the renderer': { file: 'common/planted-renderer.ts', code: "import '#renderer/bridge/bridge.js';", fails: [BOUNDARY] },
  'common may not import React': { file: 'common/planted-react.ts', code: "import 'react';", fails: [BOUNDARY] },
  'the server may not import the desktop core': { file: 'aggregator-server/src/planted-core.ts', code: "import '#core/vault/index.js';", fails: [BOUNDARY] },
  'the server may not import a package outside its list': { file: 'aggregator-server/src/planted-react.ts', code: "import 'react-dom';", fails: [BOUNDARY] },
  'electron/main may not import the renderer': { file: 'electron/main/planted-renderer.ts', code: "import '#renderer/app/app-store.js';", fails: [BOUNDARY] },
  'the agent may not import electron/main': { file: 'electron/agent/planted-main.ts', code: "import '#main/tray.js';", fails: [BOUNDARY] },
  'the plugin SDK may not import the desktop core': { file: 'plugins/sdk/planted-core.ts', code: "import '#core/vault/index.js';", fails: [BOUNDARY] },
  'plugin code may not import common/': { file: 'plugins/mastodon/planted-common.mjs', code: "import '#common/phone/phone.js';", fails: [BOUNDARY] },
  'the bench may not import the renderer': { file: 'bench/planted-renderer.ts', code: "import '#renderer/bridge/bridge.js';", fails: [BOUNDARY] },
  'tests may not import Electron': { file: 'test/planted-electron.test.ts', code: "import 'electron';", fails: [BOUNDARY] },
  'scripts may not import the renderer': { file: 'scripts/planted-renderer.ts', code: "import '#renderer/bridge/bridge.js';", fails: [BOUNDARY] },
  'bin may import tsx only': { file: 'bin/planted-zod.mjs', code: "import 'zod';", fails: [BOUNDARY] },
  'a relative import may not cross into another runtime folder': { file: 'electron/core/planted-relative.ts', code: "import '../../common/phone/phone.js';", fails: [ALIAS] },
  'a relative import may not climb more than two folders': {
    file: 'aggregator-server/src/features/accounts/planted/deep.ts',
    code: "import '../../../http/api-error.js';",
    fails: [ALIAS],
  },
  'a forbidden folder is refused in relative form too': { file: 'electron/core/planted-relative-main.ts', code: "import '../main/window.js';", fails: [BOUNDARY, ALIAS] },
};

const permitted: Record<string, Plant> = {
  'electron/core imports common/, Node and its packages': {
    file: 'electron/core/planted-ok.ts',
    code: "import '#common/phone/phone.js';\nimport 'node:fs';\nimport 'zod';\nimport 'socket.io-client';\nimport './bridge-host/index.js';",
    fails: [],
  },
  'the renderer imports React, the socket.io client and common/': {
    file: 'renderer/src/planted-ok.ts',
    code: "import 'react';\nimport 'react-dom/client';\nimport 'socket.io-client';\nimport '#common/bridge/index.js';\nimport './bridge/bridge.js';",
    fails: [],
  },
  'common/ imports its pure packages': { file: 'common/planted-ok.ts', code: "import 'zod';\nimport 'semver';\nimport './phone/phone.js';", fails: [] },
  'the preload imports Electron and the bridge contract': { file: 'electron/preload/planted-ok.ts', code: "import 'electron';\nimport '#common/bridge/contract.js';", fails: [] },
  'the server imports express, Node and common/': { file: 'aggregator-server/src/planted-ok.ts', code: "import 'express';\nimport 'node:crypto';\nimport '#common/contract/errors.js';\nimport '../src/http/api-error.js';", fails: [] },
  'tests import every runtime through its alias': { file: 'test/planted-ok.test.ts', code: "import 'vitest';\nimport '#core/vault/index.js';\nimport '#server/http/api-error.js';\nimport '#test/support/test-server.js';", fails: [] },
  'electron/main imports Electron and the core': { file: 'electron/main/planted-ok.ts', code: "import 'electron';\nimport '#core/bridge-host/index.js';", fails: [] },
  // Its transport floor is a socket.io server of its own, beside the clients it drives.
  'the bench imports the socket.io server and client': { file: 'bench/planted-ok.ts', code: "import 'socket.io';\nimport 'socket.io-client';\nimport '#test/support/services.js';", fails: [] },
};

const copy = tempDir('switchboard-lint-boundaries-');
let results: Map<string, ESLint.LintResult>;

beforeAll(async () => {
  const skipped = new Set(['node_modules', '.git', 'dist', 'test-results', 'data', 'coverage']);
  for (const entry of fs.readdirSync(repo)) {
    if (skipped.has(entry)) continue;
    fs.cpSync(path.join(repo, entry), path.join(copy, entry), { recursive: true, filter: (source) => !skipped.has(path.basename(source)) });
  }
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const configFile = path.join(copy, 'eslint.config.js');
  const config = fs.readFileSync(configFile, 'utf8');
  // Off in the repository until the codemod has run (which switches it on); on in the copy either way.
  const switchedOn = config.replace(`'${ALIAS}': ['off',`, `'${ALIAS}': ['error',`);
  expect(switchedOn, 'the copy must have the alias rule switched on').toContain(`'${ALIAS}': ['error',`);
  fs.writeFileSync(configFile, switchedOn);

  const plants = [...Object.values(forbidden), ...Object.values(permitted)];
  for (const plant of plants) {
    fs.mkdirSync(path.dirname(path.join(copy, plant.file)), { recursive: true });
    fs.writeFileSync(path.join(copy, plant.file), `${plant.code}\n`);
  }
  const eslint = new ESLint({ cwd: copy });
  const linted = await eslint.lintFiles(plants.map((plant) => path.join(copy, plant.file)));
  results = new Map(linted.map((result) => [path.relative(copy, result.filePath).split(path.sep).join('/'), result]));
}, 120_000);

afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

function rulesBroken(plant: Plant): string[] {
  const result = results.get(plant.file);
  if (result === undefined) throw new Error(`${plant.file} was not linted`);
  const fatal = result.messages.filter((message) => message.fatal);
  expect(fatal, plant.file).toEqual([]);
  return [...new Set(result.messages.map((message) => message.ruleId ?? 'unknown'))].sort();
}

describe('runtime boundaries, planted in a copy of the repository', () => {
  it.each(Object.entries(forbidden))('%s', (_name, plant) => {
    expect(rulesBroken(plant)).toEqual([...plant.fails].sort());
  });

  it.each(Object.entries(permitted))('passes: %s', (_name, plant) => {
    expect(rulesBroken(plant)).toEqual([]);
  });
});
