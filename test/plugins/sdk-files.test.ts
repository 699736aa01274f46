import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '#common/plugin-manifest/index.js';
import { MANIFEST_SCHEMA_PATH, renderManifestJsonSchema } from '#plugins/sdk/generate-schema.js';
import { BUILTIN_PLUGINS_DIR } from './paths.js';

describe('plugins/sdk', () => {
  it('commits a manifest.schema.json generated from the current zod schema', () => {
    const committed = readFileSync(MANIFEST_SCHEMA_PATH, 'utf8');
    expect(committed, 'stale: run `npx tsx plugins/sdk/generate-schema.ts`').toBe(renderManifestJsonSchema());
  });

  it('describes the fields an editor needs to complete a manifest', () => {
    const schema = JSON.parse(readFileSync(MANIFEST_SCHEMA_PATH, 'utf8')) as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'name', 'version', 'engines', 'processes', 'launch', 'auth']));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['capabilities', 'icon', 'allowedHosts', 'main']));
  });

  it('has a worked example in the README that is a valid manifest', () => {
    const readme = readFileSync(path.join(BUILTIN_PLUGINS_DIR, 'sdk', 'README.md'), 'utf8');
    const example = /## Worked example[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const result = parseManifest(JSON.parse(example ?? 'null'));
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});
