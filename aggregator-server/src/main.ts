import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`switchboard server: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const server = await startServer(config);
  process.stderr.write(`Switchboard server on ${server.url} (storage: ${server.storage.kind}, sms: ${server.sms.name})\n`);
  const stop = (signal: string) => {
    server.log.info({ signal }, 'shutting down');
    // A clean close normally takes milliseconds; never let a stuck resource keep the process alive.
    setTimeout(() => process.exit(1), 10_000).unref();
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

void main().catch((error: unknown) => {
  process.stderr.write(`switchboard server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
