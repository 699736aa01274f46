import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import type { oas31 } from 'zod-openapi';
import { errorCodes } from './errors.js';
import { openApiPath, type RouteDefinition } from './route.js';
import { routes } from './routes.js';

/** Codes any route may answer besides its own: bad input, a missing session, limits, a server fault. */
const sharedErrorCodes = ['validation_failed', 'invalid_json', 'payload_too_large', 'too_many_requests', 'internal_error'] as const;

const errorBody = z
  .object({
    error: z.looseObject({ code: z.enum(errorCodes), message: z.string() }),
  })
  .meta({ id: 'ErrorBody', description: 'Every failure: a machine code, an English message for logs, and details such as `retryAfter`.' });

function responsesOf(route: RouteDefinition): ZodOpenApiResponsesObject {
  const { response } = route;
  const codes = [...new Set([...sharedErrorCodes, ...(route.auth === 'public' ? [] : ['unauthorized' as const]), ...route.errors])];
  const failures = {
    default: {
      description: `An error; this route may answer: ${codes.join(', ')}.`,
      content: { 'application/json': { schema: errorBody } },
    },
  };
  switch (response.kind) {
    case 'json':
      return { [response.status]: { description: response.description, content: { 'application/json': { schema: response.schema } } }, ...failures };
    case 'bytes':
      return {
        [response.status]: { description: response.description, content: { [response.contentType]: { schema: { type: 'string', contentMediaType: response.contentType } } } },
        ...failures,
      };
    case 'empty':
    case 'redirect':
      return { [response.status]: { description: response.description }, ...failures };
  }
}

function operationOf(name: string, route: RouteDefinition): ZodOpenApiOperationObject {
  return {
    operationId: name,
    summary: route.summary,
    tags: [route.tag],
    security: route.auth === 'public' ? [] : [{ [route.auth === 'admin' ? 'adminToken' : 'sessionToken']: [] }],
    ...(route.params || route.query ? { requestParams: { ...(route.params ? { path: route.params } : {}), ...(route.query ? { query: route.query } : {}) } } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses: responsesOf(route),
    'x-error-codes': route.errors,
    ...(route.servedOnlyWhen ? { 'x-served-only-when': route.servedOnlyWhen } : {}),
  };
}

/** The OpenAPI 3.1 description of every route of the table, with the table's own schemas. */
export function openApiDocument(version: string): oas31.OpenAPIObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const [name, route] of Object.entries(routes) as [string, RouteDefinition][]) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operationOf(name, route) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Switchboard server API',
      version,
      description: 'Your phone number as one identity across social and messaging networks. Realtime presence travels over socket.io (see docs/api.md).',
    },
    paths,
    components: {
      securitySchemes: {
        sessionToken: { type: 'http', scheme: 'bearer', description: 'The token of a session from POST /v1/auth/sessions.' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The operator token SWITCHBOARD_ADMIN_TOKEN.' },
      },
    },
  });
}
