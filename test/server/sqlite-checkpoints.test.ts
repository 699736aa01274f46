import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '#server/db/database.js';
import { tempDir } from '#test/support/test-server.js';

describe('SQLite checkpoints', () => {
  it('copies the write-ahead log into the database on a thread of their own, not in the commit', async () => {
    const file = path.join(tempDir('checkpoints-'), 'switchboard.sqlite');
    const storage = await openStorage({ kind: 'sqlite', file });
    try {
      const sqlite = storage.sqlite!;
      sqlite.exec('create table filler (bytes blob)');
      const insert = sqlite.prepare('insert into filler (bytes) values (?)');
      const before = fs.statSync(file).size;
      // 4 MiB in many commits: far below the serving connection's own checkpoint threshold.
      for (let commit = 0; commit < 64; commit += 1) sqlite.transaction(() => insert.run(Buffer.alloc(64 * 1024, commit)))();
      expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(4 * 1024 * 1024);
      // Only the background checkpoint moves the pages into the database file.
      const deadline = Date.now() + 10_000;
      while (fs.statSync(file).size < before + 4 * 1024 * 1024 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(fs.statSync(file).size).toBeGreaterThanOrEqual(before + 4 * 1024 * 1024);
      expect((sqlite.prepare('select count(*) as n from filler').get() as { n: number }).n).toBe(64);
    } finally {
      await storage.close();
    }
  });
});
