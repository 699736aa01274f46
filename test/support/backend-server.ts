import { postgresAvailable } from './services.js';
import { createPostgresSchema, startTestServer, type TestServer, type TestServerOptions } from './test-server.js';

export type Backend = 'sqlite' | 'postgres';

/** The backends a server test runs on: SQLite always, PostgreSQL when it is there (required in CI). */
export async function serverBackends(): Promise<{ name: Backend; available: boolean }[]> {
  return [
    { name: 'sqlite', available: true },
    { name: 'postgres', available: await postgresAvailable() },
  ];
}

/** A test server on the backend; on PostgreSQL in a schema of its own, dropped when the server closes. */
export async function startServerOn(backend: Backend, options: TestServerOptions = {}): Promise<TestServer> {
  if (backend === 'sqlite') return startTestServer(options);
  const schema = await createPostgresSchema();
  // Real parallelism on PostgreSQL: enough connections that racing requests really overlap.
  const storage = schema.storage.kind === 'postgres' ? { ...schema.storage, poolSize: 10 } : schema.storage;
  const server = await startTestServer({ ...options, storage });
  const close = server.close;
  return Object.assign(server, {
    close: async () => {
      await close();
      await schema.drop();
    },
  });
}
