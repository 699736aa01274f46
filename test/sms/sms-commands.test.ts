import { describe, expect, it } from 'vitest';
import { parseSmsCommand } from '#server/features/sms/sms-commands.js';

describe('the SMS command grammar', () => {
  it.each([
    ['账号：switchboard;用户名：+8613800138000;密码：s3cret pass', 'zh', '+8613800138000', 's3cret pass'],
    ['账号：switchboard；用户名：13800138000；密码：s3cret', 'zh', '13800138000', 's3cret'],
    ['账号:switchboard;用户名:138 0013 8000;密码:p;a:ss', 'zh', '13800138000', 'p;a:ss'],
    [' 账号 ： Switchboard ， 用户名 ： ＋８６１３８００１３８０００ ， 密码 ： 全角密码 ', 'zh', '+8613800138000', '全角密码'],
    ['账号：switchboard\n用户名：c0ffee00-0000-4000-8000-000000000001\n密码：pw', 'zh', 'c0ffee00-0000-4000-8000-000000000001', 'pw'],
    ['account: switchboard; username: +44 7700 900123; password: hunter2!', 'en', '+447700900123', 'hunter2!'],
  ])('signs in: %s', (text, language, username, password) => {
    expect(parseSmsCommand(text)).toEqual({ kind: 'sign_in', language, username, password });
  });

  it.each([
    ['账号：switchboard;密码：x', 'zh'],
    ['账号：switchboard;用户名：13800138000', 'zh'],
    ['账号：other;用户名：13800138000;密码：x', 'zh'],
    ['account:switchboard;username:;password:x', 'en'],
    ['account:switchboard;username:1380;password:', 'en'],
  ])('explains a malformed sign-in: %s', (text, language) => {
    expect(parseSmsCommand(text)).toEqual({ kind: 'malformed_sign_in', language });
  });

  it('sends with TO, @ and 发给, with the language of the text', () => {
    expect(parseSmsCommand('TO +8613800138000 hello there')).toEqual({ kind: 'send', language: 'en', to: '+8613800138000', text: 'hello there' });
    expect(parseSmsCommand('to 138 0013 8000 你好')).toEqual({ kind: 'send', language: 'zh', to: '13800138000', text: '你好' });
    expect(parseSmsCommand('@13800138000 hi')).toEqual({ kind: 'send', language: 'en', to: '13800138000', text: 'hi' });
    expect(parseSmsCommand('＠１３８００１３８０００：你好')).toEqual({ kind: 'send', language: 'zh', to: '13800138000', text: '你好' });
    expect(parseSmsCommand('发给 13800138000 晚上见')).toEqual({ kind: 'send', language: 'zh', to: '13800138000', text: '晚上见' });
    expect(parseSmsCommand('TO +8613800138000 line one\nline two')).toMatchObject({ text: 'line one\nline two' });
    expect(parseSmsCommand('TO +86 138 0013 8000 5 apples！')).toEqual({ kind: 'send', language: 'en', to: '+8613800138000', text: '5 apples！' });
    expect(parseSmsCommand('TO 13800138000 5 apples')).toMatchObject({ to: '13800138000', text: '5 apples' });
    expect(parseSmsCommand('to 5pm then')).toEqual({ kind: 'text', language: 'en', text: 'to 5pm then' });
    expect(parseSmsCommand('TO 13800138000')).toEqual({ kind: 'malformed_send', language: 'en' });
    expect(parseSmsCommand('TO')).toEqual({ kind: 'malformed_send', language: 'en' });
    // "To" followed by words is a message, not a command.
    expect(parseSmsCommand('to be or not to be')).toEqual({ kind: 'text', language: 'en', text: 'to be or not to be' });
  });

  it('knows STOP, START, LOGOUT and HELP in English and Chinese, as whole messages only', () => {
    expect(parseSmsCommand(' Stop ')).toEqual({ kind: 'stop', language: 'en' });
    expect(parseSmsCommand('UNSUBSCRIBE')).toEqual({ kind: 'stop', language: 'en' });
    expect(parseSmsCommand('退订')).toEqual({ kind: 'stop', language: 'zh' });
    expect(parseSmsCommand('TD')).toEqual({ kind: 'stop', language: 'zh' });
    expect(parseSmsCommand('start')).toEqual({ kind: 'start', language: 'en' });
    expect(parseSmsCommand('订阅')).toEqual({ kind: 'start', language: 'zh' });
    expect(parseSmsCommand('LOGOUT')).toEqual({ kind: 'logout', language: 'en' });
    expect(parseSmsCommand('退出')).toEqual({ kind: 'logout', language: 'zh' });
    expect(parseSmsCommand('help')).toEqual({ kind: 'help', language: 'en' });
    expect(parseSmsCommand('帮助')).toEqual({ kind: 'help', language: 'zh' });
    expect(parseSmsCommand('？')).toEqual({ kind: 'help', language: 'zh' });
    expect(parseSmsCommand('please stop it')).toEqual({ kind: 'text', language: 'en', text: 'please stop it' });
    expect(parseSmsCommand('我想退订吗')).toEqual({ kind: 'text', language: 'zh', text: '我想退订吗' });
  });
});
