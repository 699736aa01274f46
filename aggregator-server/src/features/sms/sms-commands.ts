/**
 * What a phone's SMS asks for (seed 004). The grammar, in Chinese and English:
 * - sign in: `账号：switchboard;用户名：<phone or user id>;密码：<password>` with full-width or ASCII colons
 *   and semicolons (`：` `:` `；` `;`, also `，` `,` and line breaks between fields), spaces tolerated, and
 *   the English keys `account`, `username`/`user`, `password`;
 * - `TO <number> <text>`, `@<number> <text>`, or `发给 <number> <text>`: a message to a user;
 * - `LOGOUT` / `退出` / `登出`, `HELP` / `帮助` / `?`;
 * - `STOP` and the usual carrier words, `退订` / `TD`, opt out; `START` / `UNSTOP` / `订阅` opt back in;
 * - anything else is a message to the last correspondent.
 * Keywords are whole messages (or a message's first word for TO), case-insensitive. The language of an
 * answer is the language of the command.
 */

export type SmsLanguage = 'en' | 'zh';

export type SmsCommand =
  | { kind: 'sign_in'; language: SmsLanguage; username: string; password: string }
  /** Looked like a sign-in (it names the account) but a field is missing. */
  | { kind: 'malformed_sign_in'; language: SmsLanguage }
  | { kind: 'send'; language: SmsLanguage; to: string; text: string }
  | { kind: 'malformed_send'; language: SmsLanguage }
  | { kind: 'logout'; language: SmsLanguage }
  | { kind: 'help'; language: SmsLanguage }
  | { kind: 'stop'; language: SmsLanguage }
  | { kind: 'start'; language: SmsLanguage }
  | { kind: 'text'; language: SmsLanguage; text: string };

const stopWords: Record<string, SmsLanguage> = {
  stop: 'en', stopall: 'en', unsubscribe: 'en', cancel: 'en', end: 'en', quit: 'en', optout: 'en',
  退订: 'zh', td: 'zh', 取消订阅: 'zh', 退订短信: 'zh',
};
const startWords: Record<string, SmsLanguage> = { start: 'en', unstop: 'en', subscribe: 'en', 订阅: 'zh', 恢复订阅: 'zh' };
const logoutWords: Record<string, SmsLanguage> = { logout: 'en', 'log out': 'en', signout: 'en', 'sign out': 'en', 退出: 'zh', 登出: 'zh', 注销: 'zh' };
const helpWords: Record<string, SmsLanguage> = { help: 'en', info: 'en', '?': 'en', 帮助: 'zh', '？': 'zh' };

const accountKeys = /^(账号|帐号|账户|account)$/i;
const usernameKeys = /^(用户名|用户|username|user|login)$/i;
const passwordKeys = /^(密码|password|pass)$/i;
const chineseKey = /[\u4e00-\u9fff]/;

/** Hanzi in a text: its writer reads Chinese. */
export function languageOfText(text: string): SmsLanguage {
  return chineseKey.test(text) ? 'zh' : 'en';
}

/** Full-width digits, plus and at-sign (a Chinese keyboard may type them) as ASCII. */
function halfWidth(text: string): string {
  return text.replace(/[\uff01-\uff5e]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/**
 * `key：value` pairs separated by `;`/`；`/`,`/`，`/line breaks. The password is the last field and is
 * taken to the end of the message (after trimming), so it may hold any punctuation but a leading space.
 */
function parseSignIn(text: string): SmsCommand | undefined {
  const firstKey = /^\s*(账号|帐号|账户|account)\s*[:：]/i.exec(text);
  if (!firstKey) return undefined;
  const language: SmsLanguage = chineseKey.test(firstKey[1] ?? '') ? 'zh' : 'en';
  const passwordAt = /[;；,，\n]\s*(密码|password|pass)\s*[:：]/i.exec(text);
  if (!passwordAt) return { kind: 'malformed_sign_in', language };
  const password = text.slice(passwordAt.index + passwordAt[0].length).trim();
  const fields = new Map<string, string>();
  for (const field of text.slice(0, passwordAt.index).split(/[;；,，\n]/)) {
    const match = /^\s*([^:：]+?)\s*[:：]\s*(.*?)\s*$/.exec(field);
    if (!match) continue;
    const key = match[1] ?? '';
    const value = match[2] ?? '';
    if (accountKeys.test(key)) fields.set('account', value);
    else if (usernameKeys.test(key)) fields.set('username', value);
    else if (passwordKeys.test(key)) return { kind: 'malformed_sign_in', language };
  }
  const given = halfWidth(fields.get('username') ?? '');
  // A number may be written with spaces, dashes or brackets; a user id is taken as it is.
  const username = /^[+\d\s()-]+$/.test(given) ? given.replace(/[\s()-]/g, '') : given;
  if ((fields.get('account') ?? '').toLowerCase() !== 'switchboard' || username === '' || password === '') {
    return { kind: 'malformed_sign_in', language };
  }
  return { kind: 'sign_in', language, username, password };
}

const digitCount = (value: string) => value.replace(/\D/g, '').length;

/**
 * `TO <number> <text>`. A number may be written in groups (`138 0013 8000`, `+86 138 0013 8000`) and in
 * full-width digits: groups are joined until they make 11 digits, so a text that starts with a number
 * ("TO 13800138000 5 apples") keeps it. The text is taken as written.
 */
function parseSend(text: string): SmsCommand | undefined {
  const keyword = /^\s*(TO|发给|发送给)(?:\s+|$)|^\s*[@＠]\s*/i.exec(text);
  if (!keyword) return undefined;
  const language: SmsLanguage = chineseKey.test(keyword[1] ?? '') ? 'zh' : 'en';
  const rest = text.slice(keyword[0].length);
  // Character for character the same length as `rest`, so positions carry over.
  const flat = halfWidth(rest);
  const first = /^\+?[\d()-]*\d[\d()-]*/.exec(flat);
  if (!first) return rest.trim() === '' ? { kind: 'malformed_send', language } : undefined;
  let number = first[0];
  let end = number.length;
  const group = /\s+([\d()-]*\d[\d()-]*)(?=\s|:|$)/y;
  while (digitCount(number) < 11) {
    group.lastIndex = end;
    const next = group.exec(flat);
    if (!next) break;
    number += next[1] ?? '';
    end = group.lastIndex;
  }
  // "to 5pm" is a message, not a number.
  if (!/^(\s|:|$)/.test(flat.slice(end))) return undefined;
  const body = rest.slice(end).replace(/^\s*[:：]?\s*/, '').trim();
  const bodyLanguage: SmsLanguage = language === 'zh' ? 'zh' : languageOfText(body);
  if (body === '') return { kind: 'malformed_send', language: bodyLanguage };
  return { kind: 'send', language: bodyLanguage, to: number.replace(/[()-]/g, ''), text: body };
}

export function parseSmsCommand(raw: string): SmsCommand {
  const text = raw.replace(/\r\n?/g, '\n');
  const word = halfWidth(text).trim().toLowerCase().replace(/\s+/g, ' ');
  const stop = stopWords[word];
  if (stop) return { kind: 'stop', language: stop };
  const start = startWords[word];
  if (start) return { kind: 'start', language: start };
  const logout = logoutWords[word];
  if (logout) return { kind: 'logout', language: logout };
  const help = helpWords[text.trim()] ?? helpWords[word];
  if (help) return { kind: 'help', language: help };
  const signIn = parseSignIn(text);
  if (signIn) return signIn;
  const send = parseSend(text);
  if (send) return send;
  return { kind: 'text', language: languageOfText(text), text: text.trim() };
}
