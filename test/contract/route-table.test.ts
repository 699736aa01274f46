import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { ILayer } from 'express-serve-static-core';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeList, routes, type RouteDefinition } from '#common/contract/routes.js';
import { openApiPath } from '#common/contract/route.js';
import { routeMounter } from '#server/http/mount-route.js';
import { serviceWorkerPath } from '#server/http/web-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Every `METHOD path` the express app answers, read from its router stack (nested routers included). */
function mountedRoutes(stack: ILayer[]): string[] {
  return stack.flatMap((layer) => {
    const { route, handle } = layer;
    if (route) return route.stack.map((inner) => `${inner.method.toUpperCase()} ${route.path}`);
    return 'stack' in handle && Array.isArray(handle.stack) ? mountedRoutes(handle.stack) : [];
  });
}

const key = (route: RouteDefinition) => `${route.method.toUpperCase()} ${route.path}`;

describe('the route table', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Outbox SMS and an admin token: the configuration in which every route of the table is served.
    server = await startTestServer({ env: { SWITCHBOARD_ADMIN_TOKEN: 'admin-token-for-the-route-table-test' } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('is exactly what the server mounts, both ways', () => {
    // The web client's own files (its service worker) are not API routes.
    const mounted = mountedRoutes(server.app.router.stack).filter((route) => route !== `GET ${serviceWorkerPath}`);
    const table = routeList.map(key);
    expect(new Set(mounted).size).toBe(mounted.length);
    expect([...mounted].sort()).toEqual([...table].sort());
  });

  it('is the list of routes docs/api.md describes, both ways', () => {
    const docs = fs.readFileSync(fileURLToPath(new URL('../../docs/api.md', import.meta.url)), 'utf8');
    const documented = [...docs.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)` \|/gm)].map((match) => `${match[1]} ${match[2]}`);
    expect(documented.length).toBeGreaterThan(0);
    expect([...new Set(documented)].sort()).toEqual(routeList.map((route) => `${route.method.toUpperCase()} ${openApiPath(route.path)}`).sort());
  });

  it('has one name per method and path', () => {
    expect(new Set(routeList.map(key)).size).toBe(routeList.length);
  });

  it('refuses to mount a route that is not in the table', () => {
    const mount = routeMounter({ sessions: server.services.sessions, publicUrl: undefined, adminToken: undefined });
    const lookalike: RouteDefinition = { ...routes.me };
    expect(() => mount(Router(), lookalike, () => undefined)).toThrow(/not in the route table/);
    expect(() => mount(Router(), routes.health, () => ({ ok: true as const }))).not.toThrow();
  });

  it('applies the auth the table declares before any handler runs', async () => {
    for (const route of routeList.filter((candidate) => candidate.auth === 'session')) {
      const path = route.path.replace(/:(\w+)/g, 'x');
      const answer = await fetch(server.url + path, { method: route.method.toUpperCase(), headers: { authorization: 'Bearer not-a-session' } });
      expect({ route: key(route), status: answer.status }).toEqual({ route: key(route), status: 401 });
    }
    const admin = routes.setUserType;
    const answer = await fetch(server.url + admin.path.replace(':userId', '00000000-0000-4000-8000-000000000000'), { method: 'PUT' });
    expect(answer.status).toBe(401);
  });

  it('is described, route by route with its schemas, by GET /v1/openapi.json', async () => {
    const document = openApiShape.parse(await server.client.call(routes.openApi, {}));
    expect(document.openapi).toBe('3.1.0');
    const described = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(described.sort()).toEqual(routeList.map((route) => `${route.method} ${openApiPath(route.path)}`).sort());
    for (const route of routeList) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method];
      expect(operation?.operationId).toBe(route.name);
      const parameters = operation?.parameters ?? [];
      for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
        const names = schema ? Object.keys(schema.shape).sort() : [];
        expect(parameters.filter((parameter) => parameter.in === where).map((parameter) => parameter.name).sort(), `${route.name} ${where}`).toEqual(names);
      }
      const body = operation?.requestBody?.content['application/json']?.schema;
      expect(body !== undefined, `${route.name} body`).toBe(route.body !== undefined);
      const success = operation?.responses[String(route.response.status)];
      expect(success, `${route.name} answer`).toBeDefined();
      if (route.response.kind === 'json') expect(success?.content?.['application/json']?.schema, `${route.name} answer schema`).toBeDefined();
      expect(operation?.security, `${route.name} security`).toEqual(route.auth === 'public' ? [] : [{ [route.auth === 'admin' ? 'adminToken' : 'sessionToken']: [] }]);
      expect(operation?.['x-error-codes']).toEqual(route.errors);
    }
  });
});

const openApiOperation = z.object({
  operationId: z.string(),
  parameters: z.array(z.object({ in: z.string(), name: z.string() })).optional(),
  requestBody: z.object({ content: z.record(z.string(), z.object({ schema: z.unknown() })) }).optional(),
  responses: z.record(z.string(), z.object({ content: z.record(z.string(), z.object({ schema: z.unknown() })).optional() })),
  security: z.unknown(),
  'x-error-codes': z.unknown(),
});
/** The parts of an OpenAPI 3.1 document this test reads. */
const openApiShape = z.object({ openapi: z.string(), paths: z.record(z.string(), z.record(z.string(), openApiOperation)) });
