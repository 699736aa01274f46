import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** All code, tests included; the exceptions are the route table itself and the tests of it (this folder). */
const scanned = ['aggregator-server/src', 'common', 'electron', 'renderer/src', 'plugins', 'bin', 'scripts', 'bench', 'test'];
const routeTable = ['common/contract/route.ts', 'common/contract/routes.ts', 'common/contract/routes/', 'test/contract/'];
const sourceFile = /\.(?:ts|tsx|mts|mjs|js|cjs)$/;

/** A string literal (quoted or template) that starts with an API path, or a template that puts one after a base URL (`${base}/v1/...`). */
const apiPathLiteral = /['"`]\/v1(?:\/|['"`])|\}\/v1(?:\/|[`?])/g;

function sourceFiles(dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute)) return [];
  return fs.readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(relative);
    return sourceFile.test(entry.name) ? [relative] : [];
  });
}

function routeLiterals(text: string): string[] {
  return text.split('\n').flatMap((line, index) => (line.match(apiPathLiteral) ? [`${index + 1}: ${line.trim()}`] : []));
}

describe('paths live in the route table only', () => {
  it('recognises a literal path when there is one', () => {
    expect(routeLiterals("const a = 1;\nfetch(base + '/v1/me');")).toEqual(["2: fetch(base + '/v1/me');"]);
    expect(routeLiterals('fetch(`/v1/me/${id}`)')).toHaveLength(1);
    expect(routeLiterals('fetch(`${server.url}/v1/plugins/${id}/icon`)')).toHaveLength(1);
    expect(routeLiterals('const u = `${base}/v1`;')).toHaveLength(1);
    expect(routeLiterals('mount(router, routes.me, handler); // GET /v1/me')).toEqual([]);
  });

  it('finds no API path literal in the code base outside the table', () => {
    const files = scanned.flatMap(sourceFiles).filter((file) => !routeTable.some((allowed) => file.startsWith(allowed)));
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.flatMap((file) => routeLiterals(fs.readFileSync(path.join(root, file), 'utf8')).map((hit) => `${file}:${hit}`));
    expect(offenders).toEqual([]);
  });
});
