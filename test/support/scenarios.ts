import { routes } from '#common/contract/routes.js';
import { runCli } from './cli-process.js';
import { latestCode, signIn, testDevice, type ApiClient } from './test-server.js';

/** `switchboard login` the way a person without a terminal prompt does it: ask, read the SMS, finish with --code. */
export async function loginWithCli(env: NodeJS.ProcessEnv, api: ApiClient, phone: string): Promise<{ stdout: string; stderr: string }> {
  const asked = await runCli(['login', '--phone', phone], env);
  if (asked.code !== 0 || !asked.stdout.includes('--code')) throw new Error(`login did not ask for a code: ${asked.stdout}${asked.stderr}`);
  const signedIn = await runCli(['login', '--phone', phone, '--code', await latestCode(api, phone)], env);
  if (signedIn.code !== 0) throw new Error(`login failed: ${signedIn.stderr}`);
  return signedIn;
}

/** Two users who each have the other's number, so each may see the other's presence. */
export async function mutualContacts(api: ApiClient, alicePhone: string, bobPhone: string) {
  const alice = await signIn(api, alicePhone, testDevice('Alice phone'));
  await api.withToken(alice.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'bob', phones: [bobPhone] }] } });
  const bob = await signIn(api, bobPhone, testDevice('Bob'));
  await api.withToken(bob.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'alice', phones: [alicePhone] }] } });
  return { alice, bob };
}
