import { Router } from 'express';
import type { CatalogueResponse } from '../../../../common/contract/accounts.js';
import { pluginIdSchema } from '../../../../common/plugin-manifest/plugin-id.js';
import { ApiError } from '../../http/api-error.js';
import type { PluginCatalogue } from './catalogue.js';

/** Public: manifests describe networks, not users. */
export function catalogueRouter(catalogue: PluginCatalogue): Router {
  const router = Router();

  router.get('/v1/plugins', (_req, res) => {
    const body: CatalogueResponse = {
      plugins: catalogue.list().map((plugin) => ({
        id: plugin.id,
        name: plugin.manifest.name,
        version: plugin.manifest.version,
        integrity: plugin.integrity,
        manifestUrl: `/v1/plugins/${plugin.id}/manifest.json`,
        ...(plugin.icon ? { iconIntegrity: plugin.icon.integrity } : {}),
        manifest: JSON.parse(plugin.raw.toString('utf8')) as Record<string, unknown>,
      })),
    };
    res.json(body);
  });

  // The exact bytes the integrity covers: a client hashes these, not a re-serialised copy.
  router.get('/v1/plugins/:plugin/manifest.json', (req, res) => {
    const id = pluginIdSchema.safeParse(req.params.plugin);
    const plugin = id.success ? catalogue.get(id.data) : undefined;
    if (!plugin) throw new ApiError(404, 'not_found', 'no such plugin');
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('x-content-integrity', plugin.integrity);
    res.send(plugin.raw);
  });

  // Icons are not in the listing's integrity, so the header is a transport check only (see catalogue-sync).
  router.get('/v1/plugins/:plugin/icon', (req, res) => {
    const id = pluginIdSchema.safeParse(req.params.plugin);
    const icon = id.success ? catalogue.get(id.data)?.icon : undefined;
    if (!icon) throw new ApiError(404, 'not_found', 'no such plugin icon');
    res.setHeader('content-type', icon.contentType);
    res.setHeader('x-content-integrity', icon.integrity);
    res.setHeader('x-content-type-options', 'nosniff');
    // An SVG opened on its own must not run script in the server's origin.
    res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.send(icon.raw);
  });

  return router;
}
