/**
 * Writes manifest.schema.json from the zod schema, so editors can complete and check manifests.
 * Run: `npx tsx plugins/sdk/generate-schema.ts`. A test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { manifestSchema } from '#common/plugin-manifest/index.js';
import { formatJson } from './format-json.js';

export const MANIFEST_SCHEMA_PATH = fileURLToPath(new URL('./manifest.schema.json', import.meta.url));

export function renderManifestJsonSchema(): string {
  // "input": the file people write, where defaulted fields (icon, needs, ...) may be left out.
  const schema = z.toJSONSchema(manifestSchema, { io: 'input' });
  return formatJson({
    ...schema,
    $id: 'https://switchboard.invalid/schemas/plugin-manifest.json',
    description:
      'A Switchboard plugin: plugins/<id>/manifest.json. Cross-field rules (placeholders vs needs, allowed link ' +
      'schemes and hosts, engine range) are checked by `switchboard plugins validate DIR`.',
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  writeFileSync(MANIFEST_SCHEMA_PATH, renderManifestJsonSchema());
  console.log(`wrote ${MANIFEST_SCHEMA_PATH}`);
}
