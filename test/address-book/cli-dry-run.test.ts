import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contactsImport, runContactsImport } from '#agent/commands/contacts-import.js';
import { UsageError } from '#agent/commands/command.js';
import { isE164 } from '#common/phone/phone.js';
import { fixturesDir } from './fixtures.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(file: string, options: { dryRun?: boolean; json?: boolean; region?: string } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const args = { file, dryRun: options.dryRun ?? true, json: options.json ?? true, ...(options.region === undefined ? {} : { region: options.region }) };
  const code = await runContactsImport(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

interface DryRunJson {
  format: string;
  encoding: string;
  entries: { ref: string; name: string; phones: { e164: string; raw: string; type?: string }[] }[];
  rejected: { record: number; raw: string; reason: string }[];
}

/** What every readable fixture must give: format, encoding, how many entries and rejections. */
const expected: Record<string, { format: string; encoding: string; entries: number; rejected: number }> = {
  'bad-numbers.vcf': { format: 'vcard', encoding: 'utf-8', entries: 1, rejected: 3 },
  'big5-hk.csv': { format: 'csv', encoding: 'big5', entries: 4, rejected: 0 },
  'broken-missing-end.vcf': { format: 'vcard', encoding: 'utf-8', entries: 3, rejected: 0 },
  'cp1251.csv': { format: 'csv', encoding: 'windows-1251', entries: 2, rejected: 0 },
  'cp1252.csv': { format: 'csv', encoding: 'windows-1252', entries: 3, rejected: 0 },
  'euc-kr.csv': { format: 'csv', encoding: 'euc-kr', entries: 4, rejected: 0 },
  'shift-jis.csv': { format: 'csv', encoding: 'shift_jis', entries: 4, rejected: 0 },
  'contacts-title-row.xlsx': { format: 'xlsx', encoding: 'utf-8', entries: 4, rejected: 2 },
  'contacts-utf16le-nobom.csv': { format: 'csv', encoding: 'utf-16le', entries: 2, rejected: 0 },
  'foxmail-gbk.csv': { format: 'csv', encoding: 'gb18030', entries: 2, rejected: 1 },
  'google.csv': { format: 'csv', encoding: 'utf-8', entries: 2, rejected: 1 },
  'list.txt': { format: 'text', encoding: 'utf-8', entries: 7, rejected: 2 },
  'outlook-de-semicolon.csv': { format: 'csv', encoding: 'windows-1252', entries: 1, rejected: 0 },
  'outlook-en.csv': { format: 'csv', encoding: 'windows-1252', entries: 3, rejected: 2 },
  'outlook-unicode-utf16le.csv': { format: 'csv', encoding: 'utf-16le', entries: 2, rejected: 0 },
  'outlook-zh-gbk.csv': { format: 'csv', encoding: 'gb18030', entries: 3, rejected: 1 },
  'vcard21-android.vcf': { format: 'vcard', encoding: 'utf-8', entries: 5, rejected: 2 },
  'vcard30-apple.vcf': { format: 'vcard', encoding: 'utf-8', entries: 5, rejected: 0 },
  'vcard40.vcf': { format: 'vcard', encoding: 'utf-8', entries: 3, rejected: 1 },
};
const refused = ['legacy.xls', 'outlook-express.wab'];

describe('switchboard contacts import --dry-run --json', () => {
  it('has an expectation for every fixture', () => {
    const fixtures = readdirSync(fixturesDir).filter((name) => !name.endsWith('.py')).sort();
    expect(fixtures).toEqual([...Object.keys(expected), ...refused].sort());
  });

  for (const [fixture, want] of Object.entries(expected)) {
    it(`parses ${fixture}`, async () => {
      const { code, stdout, stderr } = await run(`${fixturesDir}${fixture}`, { region: 'CN' });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const json = JSON.parse(stdout) as DryRunJson;
      expect({ format: json.format, encoding: json.encoding, entries: json.entries.length, rejected: json.rejected.length }).toEqual(want);
      for (const entry of json.entries) {
        expect(entry.ref).toMatch(/^r1-[0-9a-f]{32}$/);
        expect(entry.phones.length).toBeGreaterThan(0);
        for (const phone of entry.phones) expect(isE164(phone.e164)).toBe(true);
      }
    });
  }

  for (const fixture of refused) {
    it(`refuses ${fixture} with a machine-readable code and advice`, async () => {
      const { code, stdout, stderr } = await run(`${fixturesDir}${fixture}`);
      expect(code).toBe(1);
      const json = JSON.parse(stdout) as { error: { code: string; message: string } };
      expect(json.error.code).toBe('unsupported_format');
      expect(json.error.message).toMatch(/CSV/);
      // People read words, never the code: the code is for --json readers.
      expect(stderr).toMatch(/This file format cannot be read\. Export your contacts as vCard/);
      expect(stderr).not.toMatch(/unsupported_format/);
    });
  }

  it('prints Chinese names as they are', async () => {
    const json = JSON.parse((await run(`${fixturesDir}vcard21-android.vcf`, { region: 'CN' })).stdout) as DryRunJson;
    expect(json.entries.map((entry) => entry.name)).toContain('李四');
  });

  it('without a region, rejects national numbers and hints at --region in the summary', async () => {
    const { code, stdout } = await run(`${fixturesDir}bad-numbers.vcf`, { json: false });
    expect(code).toBe(0);
    expect(stdout).toMatch(/0 contacts with 0 numbers; 4 skipped/);
    expect(stdout).toMatch(/a national number, and the region is unknown: 138 0013 8000/);
    expect(stdout).not.toMatch(/region_required/);
    expect(stdout).toMatch(/--region/);
  });

  it('without --dry-run, parses but refuses to upload until signed in', async () => {
    const { code, stderr } = await run(`${fixturesDir}list.txt`, { dryRun: false, json: false, region: 'CN' });
    expect(code).toBe(3);
    expect(stderr).toBe('To upload, sign in first with `switchboard login`; with --dry-run the file is only read.\n');
  });

  it('reports a missing file and an unknown region', async () => {
    const missing = await run(`${fixturesDir}nope.vcf`);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/^Cannot read .*nope\.vcf: There is no such file\. Check the name and the folder\.\n$/)]);
    const region = await run(`${fixturesDir}list.txt`, { region: 'ZZ' });
    expect(region.code).toBe(1);
    expect(JSON.parse(region.stdout)).toMatchObject({ error: { code: 'unknown_region' } });
  });
});

describe('contactsImport command (registry entry)', () => {
  it('resolves FILE against the working directory and maps the flags', async () => {
    let stdout = '';
    const io = { stdout: (text: string) => (stdout += text), stderr: () => undefined, env: {}, cwd: fixturesDir };
    const code = await contactsImport.run({ positionals: ['google.csv'], options: { 'dry-run': true, json: true, region: 'CN' } }, io);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as DryRunJson).entries.map((entry) => entry.name)).toEqual(['刘洋', 'Maria Garcia']);
  });

  it('asks for exactly one FILE', async () => {
    const io = { stdout: () => undefined, stderr: () => undefined, env: {}, cwd: fixturesDir };
    await expect(contactsImport.run({ positionals: [], options: {} }, io)).rejects.toBeInstanceOf(UsageError);
    await expect(contactsImport.run({ positionals: ['a.vcf', 'b.vcf'], options: {} }, io)).rejects.toBeInstanceOf(UsageError);
  });
});
