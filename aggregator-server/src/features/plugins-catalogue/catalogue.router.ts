import { Router } from 'express';
import type { CatalogueResponse } from '../../../../common/contract/accounts.js';
import { pluginIdParam } from '../../../../common/contract/accounts.js';
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
        manifest: JSON.parse(plugin.raw.toString('utf8')) as Record<string, unknown>,
      })),
    };
    res.json(body);
  });

  // The exact bytes the integrity covers: a client hashes these, not a re-serialised copy.
  router.get('/v1/plugins/:plugin/manifest.json', (req, res) => {
    const id = pluginIdParam.safeParse(req.params.plugin);
    const plugin = id.success ? catalogue.get(id.data) : undefined;
    if (!plugin) throw new ApiError(404, 'not_found', 'no such plugin');
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('x-content-integrity', plugin.integrity);
    res.send(plugin.raw);
  });

  return router;
}
