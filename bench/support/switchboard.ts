import { ServerProcess } from '#test/support/server-process.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { tempDir } from '#test/support/test-server.js';

/** A Switchboard server process tuned only in its limits, so the benchmark can sign up many users from one address. */
export async function startBenchServer(extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  return ServerProcess.start(
    {
      DATA_DIR: tempDir('switchboard-bench-'),
      SWITCHBOARD_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      LOG_LEVEL: 'error',
      SMS_SENDS_PER_IP_PER_HOUR: '1000000',
      CODE_CHECKS_PER_IP_PER_HOUR: '1000000',
      DISCOVERY_NEW_NUMBERS_PER_IP_PER_DAY: '100000000',
      // Every benchmark client connects from 127.0.0.1.
      SOCKETS_PER_ADDRESS: '1000000',
      SOCKET_HANDSHAKES_PER_ADDRESS_PER_MINUTE: '1000000',
      ...extraEnv,
    },
    // Starting through tsx takes long on a busy machine.
    120_000,
    // For a profile of the server under load, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/profile".
    (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
  );
}

/** Signs up `phones` through the real SMS flow (outbox), a few at a time; answers their tokens and ids. */
export async function signUpMany(url: string, phones: string[], concurrency = 16): Promise<{ token: string; userId: string; phone: string }[]> {
  const api = new SwitchboardClient({ baseUrl: url, timeoutMs: 60_000 });
  const out: { token: string; userId: string; phone: string }[] = new Array(phones.length);
  let next = 0;
  async function worker() {
    while (next < phones.length) {
      const index = next++;
      const phone = phones[index] as string;
      const started = await api.call(routes.startVerification, { body: { phone } });
      const sms = await api.call(routes.devSms, { query: { to: phone } });
      const code = /\b(\d{6})\b/.exec(sms[0]?.body ?? '')?.[1] ?? '';
      const checked = await api.call(routes.checkCode, { params: { verificationId: started.verificationId }, body: { code } });
      const session = await api.call(routes.createSession, {
        body: { ticket: checked.ticket, device: { id: `bench-${index}`, name: 'bench', platform: 'linux' } },
      });
      if (session.token === undefined) throw new Error('a bearer sign-in answered no token');
      out[index] = { token: session.token, userId: session.user.id, phone };
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Valid, distinct Chinese mobile numbers. */
export function benchPhones(count: number, prefix = '139'): string[] {
  return Array.from({ length: count }, (_, i) => `+86${prefix}${String(10_000_000 + i).slice(-8)}`);
}
