import path from 'node:path';
import { openStorage, type Storage } from '#server/db/database.js';
import { postgresAvailable } from './services.js';
import { createPostgresSchema, tempDir } from './test-server.js';

export type StorageBackend = {
  name: 'sqlite' | 'postgres';
  available: boolean;
  open(): Promise<{ storage: Storage; dispose(): Promise<void> }>;
};

/** The same repository tests run on both backends; PostgreSQL gets a fresh schema per opening. */
export async function storageBackends(): Promise<StorageBackend[]> {
  const pgAvailable = await postgresAvailable();
  return [
    {
      name: 'sqlite',
      available: true,
      async open() {
        const storage = await openStorage({ kind: 'sqlite', file: path.join(tempDir(), 'test.sqlite') });
        return { storage, dispose: () => storage.close() };
      },
    },
    {
      name: 'postgres',
      available: pgAvailable,
      async open() {
        const schema = await createPostgresSchema();
        const storage = await openStorage(schema.storage);
        return {
          storage,
          async dispose() {
            await storage.close();
            await schema.drop();
          },
        };
      },
    },
  ];
}
