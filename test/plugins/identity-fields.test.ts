import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { identityFieldSchema, identityValue, parseManifest, type PluginManifest, validateIdentity } from '#common/plugin-manifest/index.js';
import { BUILTIN_PLUGINS_DIR } from './paths.js';

function fieldsOf(id: string): PluginManifest['identity'] {
  const parsed = parseManifest(JSON.parse(readFileSync(path.join(BUILTIN_PLUGINS_DIR, id, 'manifest.json'), 'utf8')));
  if (!parsed.ok) throw new Error(id);
  return parsed.manifest.identity;
}

describe('validateIdentity: what a person types for a network, against its manifest', () => {
  it('accepts and trims valid values', () => {
    expect(validateIdentity(fieldsOf('slack'), { team: ' T024BE7LD ', id: 'U024BE7LH' })).toEqual({ ok: true, value: { team: 'T024BE7LD', id: 'U024BE7LH' } });
    expect(validateIdentity(fieldsOf('element'), { userId: '@li.na:matrix.example.org' })).toMatchObject({ ok: true });
    expect(validateIdentity(fieldsOf('mastodon'), { account: '@lina@social.example' })).toMatchObject({ ok: true });
    expect(validateIdentity(fieldsOf('whatsapp'), {})).toEqual({ ok: true, value: {} });
  });

  it('names the field that is wrong, with a code and the example to show', () => {
    expect(validateIdentity(fieldsOf('slack'), { team: 'T024BE7LD' })).toMatchObject({ ok: false, field: 'id', code: 'required', example: 'U024BE7LH' });
    expect(validateIdentity(fieldsOf('slack'), { team: 'acme', id: 'U024BE7LH' })).toMatchObject({ ok: false, field: 'team', code: 'bad_format' });
    expect(validateIdentity(fieldsOf('telegram'), { username: '   ' })).toMatchObject({ ok: false, field: 'username', code: 'required' });
    expect(validateIdentity(fieldsOf('telegram'), { username: 'a'.repeat(33) })).toMatchObject({ ok: false, field: 'username', code: 'too_long' });
    expect(validateIdentity(fieldsOf('telegram'), { username: 12345 })).toMatchObject({ ok: false, field: 'username', code: 'not_text' });
    expect(validateIdentity(fieldsOf('telegram'), { username: 'lina_chen', phone: '+1' })).toMatchObject({ ok: false, field: 'phone', code: 'unknown_field' });
    expect(validateIdentity(fieldsOf('wechat'), ['lina_chen88'])).toMatchObject({ ok: false, field: '', code: 'not_an_object' });
    expect(validateIdentity(fieldsOf('mastodon'), { account: 'lina@social.example' })).toMatchObject({ ok: false, field: 'account', code: 'bad_format' });
    expect(validateIdentity(fieldsOf('qq'), { number: '10001?x=1' })).toMatchObject({ ok: false, field: 'number', code: 'bad_format' });
  });

  it('looks at own fields only, so a field named like an object method is simply missing', () => {
    const field = { name: 'constructor', label: { en: 'C', 'zh-CN': 'C' }, pattern: '[a-z]+', example: 'abc', maxLength: 10, sources: ['typed' as const] };
    expect(validateIdentity([field], {})).toMatchObject({ ok: false, field: 'constructor', code: 'required' });
    expect(identityValue({}, 'constructor')).toBeUndefined();
    expect(identityValue({ phone: '+8613800138000' }, 'phoneDigits')).toBe('8613800138000');
  });

  it('refuses patterns that backtrack catastrophically, and built-in names', () => {
    const field = { name: 'handle', label: { en: 'Handle', 'zh-CN': '用户名' }, pattern: '(a+)+b', example: 'ab', sources: ['typed'] };
    expect(identityFieldSchema.safeParse(field).success).toBe(false);
    expect(identityFieldSchema.safeParse({ ...field, pattern: '[a-z]+' }).success).toBe(true);
    expect(identityFieldSchema.safeParse({ ...field, pattern: '[a-z' }).success).toBe(false);
    expect(identityFieldSchema.safeParse({ ...field, pattern: '[a-z]+', name: 'phone' }).success).toBe(false);
  });

  it('answers quickly for a long hostile value', () => {
    const started = performance.now();
    for (const id of ['teams', 'thunderbird', 'zoom', 'element', 'mastodon']) {
      for (const field of fieldsOf(id)) validateIdentity([field], { [field.name]: `${'a.'.repeat(150)}!` });
    }
    expect(performance.now() - started).toBeLessThan(200);
  });
});
