import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './test-server.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 's3-stand-in-process.mjs');

/**
 * STAND-IN for an outside S3-compatible service (no such server can run here, and none is packaged in
 * Debian): s3rver in a process of its own, reached over loopback HTTP with signed requests. It knows one
 * key pair, S3RVER / S3RVER, and refuses other access keys (it does not verify V4 signatures).
 */
export class S3StandIn {
  static readonly accessKeyId = 'S3RVER';
  static readonly secretAccessKey = 'S3RVER';

  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
    readonly bucket: string,
    readonly directory: string,
  ) {}

  static async start(bucket = `switchboard-${process.pid}-${Date.now()}`): Promise<S3StandIn> {
    const directory = tempDir('switchboard-s3-');
    const child = spawn(process.execPath, [script, directory, bucket], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the S3 stand-in did not start: ${output.join('')}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        const match = /s3 stand-in on (http:\/\/\S+)/.exec(output.join(''));
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the S3 stand-in exited with ${code}: ${output.join('')}`)));
    });
    return new S3StandIn(child, endpoint, bucket, directory);
  }

  /** The server's environment for attachments in this bucket. */
  env(): Record<string, string> {
    return {
      S3_ENDPOINT: this.endpoint,
      S3_BUCKET: this.bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: S3StandIn.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3StandIn.secretAccessKey,
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await new Promise<void>((resolve) => {
        this.child.once('exit', () => resolve());
        this.child.kill('SIGTERM');
      });
    }
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}
