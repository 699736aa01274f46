import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { createPostgresSchema } from '#test/support/test-server.js';
import { postgresAvailable } from '#test/support/services.js';
import { benchPhones, signUpMany, startBenchServer } from './support/switchboard.js';
import { cpuMs, percentile, round } from './support/stats.js';

/**
 * Inbound SMS handled per second (seed 004): phones signed in by SMS send `TO <number> <text>` to each
 * other through POST /v1/sms/inbound, as Kannel's post-url would, each with its own Kannel id. Every
 * message is de-duplicated, parsed, stored as a chat message, and relayed as an SMS to the receiver's
 * phone (the receivers are signed in by SMS too, with no device online): the whole gateway path, with the
 * outbox as the phone network. A third of the SMS are sent twice (a gateway repeating after a crash).
 */
const phoneCount = Number(process.env.BENCH_SMS_PHONES ?? 50);
const perPhone = Number(process.env.BENCH_SMS_PER_PHONE ?? 20);
const concurrency = Number(process.env.BENCH_SMS_CONCURRENCY ?? 32);
const key = 'bench-inbound-key-0123456789';

async function runOn(label: string, extraEnv: Record<string, string>): Promise<Record<string, string | number>> {
  const server = await startBenchServer({
    SMS_INBOUND_SECRET: key,
    SMS_GATEWAY_PER_PHONE_PER_DAY: '100000',
    MESSAGES_PER_SENDER_PER_MINUTE: '100000',
    ...extraEnv,
  });
  try {
    const phones = benchPhones(phoneCount, '137');
    const users = await signUpMany(server.url, phones);
    const api = new SwitchboardClient({ baseUrl: server.url, timeoutMs: 60_000 });
    // Password hashing is deliberately slow: one account at a time.
    for (const user of users) {
      await new SwitchboardClient({ baseUrl: server.url, token: () => user.token, timeoutMs: 60_000 }).call(routes.setPassword, { body: { password: `bench password ${user.phone}` } });
    }
    // Each phone signs in to its own account by SMS.
    for (const user of users) {
      await api.call(routes.devSmsInbound, { body: { from: user.phone, text: `账号：switchboard;用户名：${user.phone};密码：bench password ${user.phone}` } });
    }
    const inbound: { from: string; text: string; id: string }[] = [];
    for (let round_ = 0; round_ < perPhone; round_ += 1) {
      for (let i = 0; i < users.length; i += 1) {
        const to = users[(i + 1 + round_) % users.length]?.phone ?? '';
        inbound.push({ from: users[i]?.phone ?? '', text: `TO ${to} 第${round_}条消息 message ${round_}`, id: `bench-${i}-${round_}` });
      }
    }
    const repeats = inbound.filter((_, index) => index % 3 === 0);
    const work = [...inbound, ...repeats];
    const latencies: number[] = [];
    let failures = 0;
    let next = 0;
    const cpuBefore = cpuMs(server.child.pid as number);
    const started = performance.now();
    async function worker() {
      while (next < work.length) {
        const sms = work[next++];
        if (!sms) return;
        const sentAt = performance.now();
        const body = new URLSearchParams({ from: sms.from, to: '10086', text: sms.text, id: sms.id }).toString();
        const response = await fetch(`${server.url}${routes.smsInbound.path}?key=${key}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        await response.arrayBuffer();
        if (response.status !== 204) failures += 1;
        latencies.push(performance.now() - sentAt);
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const serverCpu = cpuMs(server.child.pid as number) - cpuBefore;
    // Relays are sent after the answer: wait until the outbox holds one per distinct message.
    let relayed = 0;
    for (let wait = 0; wait < 200; wait += 1) {
      const outbox = await api.call(routes.devSms, { query: {} });
      relayed = outbox.filter((sms) => sms.body.startsWith('[+86')).length;
      if (relayed >= inbound.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      [`${label}: inbound SMS posted`]: work.length,
      [`${label}: of which repeats`]: repeats.length,
      [`${label}: handled per second`]: round(work.length / seconds),
      [`${label}: p50 ms`]: round(percentile(latencies, 50)),
      [`${label}: p99 ms`]: round(percentile(latencies, 99)),
      [`${label}: failures`]: failures,
      [`${label}: relayed as SMS (expected ${inbound.length})`]: relayed,
      [`${label}: server CPU ms per SMS`]: round(serverCpu / work.length, 2),
    };
  } finally {
    await server.kill('SIGTERM');
  }
}

export async function benchSms(): Promise<Record<string, string | number>> {
  const result = await runOn('sqlite', {});
  if (await postgresAvailable()) {
    const schema = await createPostgresSchema();
    try {
      Object.assign(result, await runOn('postgres', { DATABASE_URL: schema.databaseUrl }));
    } finally {
      await schema.drop();
    }
  }
  return result;
}
