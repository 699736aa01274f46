import readline from 'node:readline/promises';
import { insecureServerReason } from '#common/net/server-address.js';
import { parsePhone } from '#common/phone/phone.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { configDir, deviceIdentity, pendingVerifications } from '#core/device.js';
import { VaultError } from '#core/vault/index.js';
import { type Command, EXIT_FAILURE, EXIT_OK, stringOption, UsageError } from './command.js';
import { defaultServerUrl, openSessionStore, rememberServer } from './session-store.js';
import { humanError, phoneProblem } from './human-error.js';

/**
 * `switchboard login --server URL --phone +E164 [--code 123456]`: asks for an SMS code and signs this
 * machine in as a device. Without --code it asks on the terminal, or, with no terminal, leaves the
 * verification pending so that a second run with --code completes it.
 */
export const login: Command = {
  name: ['login'],
  args: '--phone +E164 [--server URL] [--code 123456] [--region CC]',
  summary: 'Sign in with your phone number and an SMS code; the session goes to the OS keychain.',
  options: {
    server: { type: 'string', description: 'The Switchboard server (default SWITCHBOARD_SERVER_URL or http://127.0.0.1:8080).' },
    phone: { type: 'string', description: 'Your number, E.164 (+8613800138000) or national with --region.' },
    region: { type: 'string', description: 'Region of a national number, e.g. CN.' },
    code: { type: 'string', description: 'The 6-digit code from the SMS, for a verification requested by an earlier run.' },
  },
  async run({ options }, io) {
    const serverUrl = stringOption(options, 'server') ?? defaultServerUrl(io.env);
    const insecure = insecureServerReason(serverUrl);
    if (insecure !== undefined) throw new UsageError(`--server: ${insecure}`);
    const rawPhone = stringOption(options, 'phone');
    if (!rawPhone) throw new UsageError('say which number to sign in with: --phone and your number, e.g. --phone +8613800138000');
    const parsed = parsePhone(rawPhone, stringOption(options, 'region'));
    if (!parsed.ok) throw new UsageError(`"${rawPhone}" cannot be used: ${phoneProblem[parsed.reason]}`);
    const phone = parsed.e164;
    let code = stringOption(options, 'code');
    if (code !== undefined && !/^\d{6}$/.test(code)) throw new UsageError('--code takes the 6 digits from the SMS');

    const dir = configDir(io.env);
    const pendingKey = `${new URL(serverUrl).origin} ${phone}`;
    const api = new SwitchboardClient({ baseUrl: serverUrl, timeoutMs: 30_000 });
    try {
      // The keychain first: a code spent and a session opened that cannot be stored would be both lost.
      const sessions = openSessionStore();
      await sessions.get(serverUrl);
      let verificationId = code === undefined ? undefined : pendingVerifications.take(dir, pendingKey);
      if (code !== undefined && verificationId === undefined) {
        io.stderr(`No code was requested for ${phone} on this machine yet: run \`switchboard login --phone ${phone}\` first.\n`);
        return EXIT_FAILURE;
      }
      if (verificationId === undefined) {
        const started = await api.call(routes.startVerification, { body: { phone } });
        verificationId = started.verificationId;
        io.stderr(`A code was sent to ${phone} by SMS (valid ${Math.round(started.expiresIn / 60)} minutes).\n`);
        if (!process.stdin.isTTY) {
          pendingVerifications.save(dir, pendingKey, verificationId);
          io.stdout(`Run: switchboard login --server ${serverUrl} --phone ${phone} --code <6 digits>\n`);
          return EXIT_OK;
        }
        const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
        code = (await prompt.question('Code: ')).trim();
        prompt.close();
      }
      const { ticket } = await api.call(routes.checkCode, { params: { verificationId }, body: { code: code ?? '' } });
      const device = deviceIdentity(dir, 'agent');
      const session = await api.call(routes.createSession, { body: { ticket, device, session: 'bearer' } });
      if (session.token === undefined) throw new ApiFailure(502, 'invalid_response', 'the server answered a sign-in without a session token');
      await sessions.save(serverUrl, { token: session.token, userId: session.user.id, deviceId: device.id });
      rememberServer(io.env, serverUrl);
      io.stdout(`Signed in as ${session.user.phone}${session.created ? ' (new account)' : ''} on ${serverUrl}; the session is in the OS keychain.\n`);
      return EXIT_OK;
    } catch (error) {
      if (error instanceof ApiFailure || error instanceof VaultError) {
        io.stderr(`Not signed in: ${humanError(error)}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
  },
};
