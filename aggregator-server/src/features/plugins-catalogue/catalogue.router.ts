import { Router } from 'express';
import { routePath } from '#common/contract/route.js';
import { catalogueRoutes as routes } from '#common/contract/routes/catalogue.js';
import { ApiError } from '../../http/api-error.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { PluginCatalogue } from './catalogue.js';

/** Public: manifests describe networks, not users. */
export function catalogueRouter(mount: MountRoute, catalogue: PluginCatalogue): Router {
  const router = Router();

  mount(router, routes.plugins, () => ({
    plugins: catalogue.list().map((plugin) => ({
      id: plugin.id,
      name: plugin.manifest.name,
      version: plugin.manifest.version,
      integrity: plugin.integrity,
      manifestUrl: routePath(routes.pluginManifest, { plugin: plugin.id }),
      ...(plugin.icon ? { iconIntegrity: plugin.icon.integrity } : {}),
      manifest: JSON.parse(plugin.raw.toString('utf8')) as Record<string, unknown>,
    })),
  }));

  // The exact bytes the integrity covers: a client hashes these, not a re-serialised copy.
  mount(router, routes.pluginManifest, ({ params, res }) => {
    const plugin = catalogue.get(params.plugin);
    if (!plugin) throw new ApiError(404, 'not_found', 'no such plugin');
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('x-content-integrity', plugin.integrity);
    res.send(plugin.raw);
  });

  // Icons are not in the listing's integrity, so the header is a transport check only (see catalogue-sync).
  mount(router, routes.pluginIcon, ({ params, res }) => {
    const icon = catalogue.get(params.plugin)?.icon;
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
