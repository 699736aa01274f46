import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePluginDir } from '#core/plugins/validate.js';
import { BROKEN_FIXTURES_DIR } from './paths.js';

/** Each broken fixture and exactly the issues (path and code) it must produce, no more. */
const EXPECTED: Record<string, { path: string; code: string; message?: RegExp }[]> = {
  'bad-json': [{ path: 'manifest.json', code: 'bad_json', message: /line 4, column 22/ }],
  'missing-id': [{ path: 'id', code: 'missing_field', message: /required/ }],
  'wrong-id': [{ path: 'id', code: 'id_mismatch', message: /"another-network".*"wrong-id"/ }],
  'bad-semver': [{ path: 'version', code: 'bad_semver', message: /semantic version/ }],
  'bad-range': [{ path: 'engines.switchboard', code: 'bad_range' }],
  'engine-unsatisfied': [{ path: 'engines.switchboard', code: 'engine_unsatisfied', message: />=2\.0\.0/ }],
  'javascript-scheme': [{ path: 'launch.web[0].url', code: 'scheme_not_allowed', message: /"javascript:"/ }],
  'non-square-icon': [{ path: 'icon', code: 'icon_not_square', message: /64×32/ }],
  'non-square-png': [{ path: 'icon', code: 'icon_not_square', message: /32×16/ }],
  'missing-icon': [{ path: 'icon', code: 'icon_missing' }],
  'unknown-capability': [{ path: 'capabilities[1]', code: 'unknown_capability', message: /"telepathy"/ }],
  'bad-matcher': [
    { path: 'processes.linux[0].name', code: 'matcher_not_basename' },
    { path: 'processes.win32[0].name', code: 'matcher_missing_exe' },
  ],
  'undeclared-need': [{ path: 'launch.chat[0].needs', code: 'undeclared_need', message: /"handle"/ }],
  'host-not-allowed': [{ path: 'launch.web[0].url', code: 'host_not_allowed', message: /evil\.example\.net/ }],
  'placeholder-in-host': [{ path: 'launch.web[0].url', code: 'placeholder_in_host' }],
  'unknown-field': [
    { path: 'processes', code: 'missing_field' },
    { path: 'proccesses', code: 'unknown_field', message: /did you mean "processes"/ },
  ],
  'unknown-auth-type': [{ path: 'auth.type', code: 'unknown_auth_type', message: /"magic"/ }],
  'oauth-without-pkce': [{ path: 'auth.pkce', code: 'pkce_required', message: /PKCE/ }],
  'missing-manifest': [{ path: 'manifest.json', code: 'manifest_missing' }],
};

describe('validator on broken plugins', () => {
  it('has an expectation for every fixture folder', () => {
    const folders = readdirSync(BROKEN_FIXTURES_DIR).sort();
    expect(folders).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (fixture, expected) => {
    const result = await validatePluginDir(path.join(BROKEN_FIXTURES_DIR, fixture));
    expect(result.ok).toBe(false);
    expect(result.issues.map(({ path: issuePath, code }) => ({ path: issuePath, code }))).toEqual(
      expected.map(({ path: issuePath, code }) => ({ path: issuePath, code })),
    );
    for (const [index, { message }] of expected.entries()) {
      if (message !== undefined) expect(result.issues[index]?.message).toMatch(message);
    }
  });

  it('reports a folder that does not exist instead of throwing', async () => {
    const result = await validatePluginDir(path.join(BROKEN_FIXTURES_DIR, 'no-such-folder'));
    expect(result).toMatchObject({ ok: false, issues: [{ path: '', code: 'folder_missing' }] });
  });
});
