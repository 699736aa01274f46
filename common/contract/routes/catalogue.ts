import { z } from 'zod';
import { pluginIdSchema } from '../../plugin-manifest/plugin-id.js';
import { defineRoutes } from '../route.js';
import { catalogueResponse } from '../accounts.js';

const tag = 'plugins';
const pluginParams = z.object({ plugin: pluginIdSchema });

/** The plugin catalogue: public, since manifests describe networks, not users. */
export const catalogueRoutes = defineRoutes({
  plugins: {
    method: 'get',
    path: '/v1/plugins',
    auth: 'public',
    tag,
    summary: 'Every plugin the server offers, with the integrity of its manifest and icon.',
    response: { kind: 'json', status: 200, schema: catalogueResponse, description: 'The catalogue.' },
    errors: [],
  },
  pluginManifest: {
    method: 'get',
    path: '/v1/plugins/:plugin/manifest.json',
    auth: 'public',
    tag,
    summary: 'The exact bytes of a manifest, the ones its listed integrity covers.',
    params: pluginParams,
    response: { kind: 'bytes', status: 200, contentType: 'application/json', description: 'The manifest file; `x-content-integrity` repeats its hash.' },
    errors: ['not_found'],
  },
  pluginIcon: {
    method: 'get',
    path: '/v1/plugins/:plugin/icon',
    auth: 'public',
    tag,
    summary: 'A plugin’s icon (SVG or PNG), served so that it cannot run script.',
    params: pluginParams,
    response: { kind: 'bytes', status: 200, contentType: 'image/*', description: 'The icon file; `x-content-integrity` repeats its hash.' },
    errors: ['not_found'],
  },
});
