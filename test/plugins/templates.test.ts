import { describe, expect, it } from 'vitest';
import {
  checkLinkTarget,
  parseTemplate,
  type PluginManifest,
  renderLaunchLink,
  renderTemplate,
  templateUsable,
} from '#common/plugin-manifest/index.js';

type Links = Pick<PluginManifest, 'launch' | 'allowedHosts'>;

describe('renderTemplate', () => {
  it('fills placeholders and derives phoneDigits from the E.164 phone', () => {
    expect(renderTemplate('whatsapp://send?phone={phoneDigits}', { phone: '+8613800138000' })).toEqual({
      ok: true,
      url: 'whatsapp://send?phone=8613800138000',
    });
  });

  it('encodes values so they cannot leave their URL component', () => {
    const result = renderTemplate('https://t.me/{handle}', { handle: 'a/../b?x=1#y' });
    expect(result).toEqual({ ok: true, url: 'https://t.me/a%2F..%2Fb%3Fx%3D1%23y' });
  });

  it('encodes + in a query, where it would mean a space, but keeps it in a fragment', () => {
    expect(renderTemplate('viber://chat?number={phone}', { phone: '+14155550123' })).toEqual({
      ok: true,
      url: 'viber://chat?number=%2B14155550123',
    });
    expect(renderTemplate('sgnl://signal.me/#p/{phone}', { phone: '+14155550123' })).toEqual({
      ok: true,
      url: 'sgnl://signal.me/#p/+14155550123',
    });
  });

  it('keeps @ and : literal in a path and encodes them in a query', () => {
    expect(renderTemplate('mailto:{email}', { email: 'a@b.org' })).toEqual({ ok: true, url: 'mailto:a@b.org' });
    expect(renderTemplate('msteams:/l/chat/0/0?users={email}', { email: 'a@b.org' })).toEqual({
      ok: true,
      url: 'msteams:/l/chat/0/0?users=a%40b.org',
    });
    expect(renderTemplate('matrix:u/{handle}:{server}?action=chat', { handle: 'alice', server: 'matrix.org' })).toEqual({
      ok: true,
      url: 'matrix:u/alice:matrix.org?action=chat',
    });
  });

  it('encodes non-ASCII and the characters encodeURIComponent leaves alone', () => {
    expect(renderTemplate('tg://resolve?domain={handle}', { handle: "张伟!'()*" })).toEqual({
      ok: true,
      url: 'tg://resolve?domain=%E5%BC%A0%E4%BC%9F%21%27%28%29%2A',
    });
  });

  it('names every missing identity field, treating empty strings as missing', () => {
    expect(renderTemplate('slack://user?team={team}&id={id}', { team: '  ' })).toEqual({
      ok: false,
      code: 'missing_identity',
      message: 'the contact has no team, id',
      missing: ['team', 'id'],
    });
  });

  it('refuses unknown placeholders and stray braces', () => {
    expect(renderTemplate('tg://resolve?domain={Nickname}', { handle: 'x' })).toMatchObject({ ok: false, code: 'unknown_placeholder' });
    // Whether a well-formed name is declared is the manifest checks' job; rendering only looks it up.
    expect(renderTemplate('tg://resolve?domain={nickname}', { handle: 'x' })).toMatchObject({ ok: false, code: 'missing_identity', missing: ['nickname'] });
    expect(parseTemplate('https://x.org/{handle')).toMatchObject({ ok: false, offset: 14 });
    expect(parseTemplate('https://x.org/handle}')).toMatchObject({ ok: false, offset: 20 });
  });
});

describe('checkLinkTarget', () => {
  it.each([
    ['javascript:alert(1)', 'scheme_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed'],
    ['http://slack.com/', 'scheme_not_allowed'],
    ['{handle}://x', 'placeholder_in_scheme'],
    ['https://{server}/x', 'placeholder_in_host'],
    ['https://evil.example@slack.com/', 'userinfo_not_allowed'],
    ['https://slack.com.evil.example/', 'host_not_allowed'],
    ['no scheme here', 'bad_url'],
  ])('refuses %s with %s', (url, code) => {
    expect(checkLinkTarget(url, ['slack.com'])?.code).toBe(code);
  });

  it('allows listed hosts, wildcard subdomains but not the apex of a wildcard', () => {
    expect(checkLinkTarget('https://app.slack.com/client/T1', ['*.slack.com'])).toBeUndefined();
    expect(checkLinkTarget('https://slack.com/', ['*.slack.com'])?.code).toBe('host_not_allowed');
    expect(checkLinkTarget('HTTPS://Slack.COM/x', ['slack.com'])).toBeUndefined();
  });

  it('requires https when asked, e.g. for web fallbacks', () => {
    expect(checkLinkTarget('tg://resolve?domain=x', [], { requireHttps: true })?.code).toBe('not_https');
  });
});

describe('renderLaunchLink', () => {
  const telegram: Links = {
    allowedHosts: ['t.me'],
    launch: {
      chat: [
        { url: 'tg://resolve?domain={handle}', needs: ['handle'] },
        { url: 'tg://resolve?phone={phoneDigits}', needs: ['phoneDigits'] },
      ],
      web: [{ url: 'https://t.me/+{phoneDigits}', needs: ['phoneDigits'] }],
    },
  };

  it('uses the first alternative the contact can fill', () => {
    expect(renderLaunchLink(telegram, 'chat', { handle: 'alice', phone: '+8613800138000' })).toEqual({
      ok: true,
      url: 'tg://resolve?domain=alice',
      kind: 'chat',
      alternative: 0,
    });
    expect(renderLaunchLink(telegram, 'chat', { phone: '+8613800138000' })).toEqual({
      ok: true,
      url: 'tg://resolve?phone=8613800138000',
      kind: 'chat',
      alternative: 1,
    });
  });

  it('reports what the preferred template needs when no alternative fits', () => {
    expect(renderLaunchLink(telegram, 'chat', { email: 'a@b.org' })).toMatchObject({ ok: false, code: 'missing_identity', missing: ['handle'] });
  });

  it('reports a kind the plugin does not offer', () => {
    expect(renderLaunchLink(telegram, 'open', { phone: '+8613800138000' })).toMatchObject({ ok: false, code: 'no_template' });
  });

  it('re-checks the rendered link even for a manifest that skipped validation', () => {
    const hostile: Links = { allowedHosts: ['t.me'], launch: { web: [{ url: 'https://evil.example/{handle}', needs: ['handle'] }] } };
    expect(renderLaunchLink(hostile, 'web', { handle: 'x' })).toMatchObject({ ok: false, code: 'host_not_allowed' });
    const script: Links = { allowedHosts: [], launch: { chat: [{ url: 'javascript:alert({handle})', needs: ['handle'] }] } };
    expect(renderLaunchLink(script, 'chat', { handle: 'x' })).toMatchObject({ ok: false, code: 'scheme_not_allowed' });
  });

  it('tells from needs alone whether a template is usable', () => {
    expect(templateUsable({ needs: ['team', 'id'] }, { team: 'T1', id: 'U1' })).toBe(true);
    expect(templateUsable({ needs: ['team', 'id'] }, { team: 'T1' })).toBe(false);
    expect(templateUsable({ needs: ['phoneDigits'] }, { phone: '+8613800138000' })).toBe(true);
  });
});
