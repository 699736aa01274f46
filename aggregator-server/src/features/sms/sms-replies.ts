import type { SmsLanguage } from './sms-commands.js';

/**
 * Every text the server sends a phone, in English and Chinese. Short: each SMS costs, and a phone
 * without data shows only text. None of them says whether a number belongs to a user, except to a
 * phone signed in to an account (which may ask whom it can reach, like the app).
 */
const signInFormat = { en: 'account:switchboard;username:<your number>;password:<password>', zh: '账号：switchboard;用户名：<手机号>;密码：<密码>' };

export const replies = {
  signedIn: (language: SmsLanguage, account: string) =>
    language === 'zh'
      ? `已登录 Switchboard（${account}）。发送“TO 号码 内容”给用户发消息，直接回复发给上一位联系人。LOGOUT 退出，HELP 帮助。`
      : `Signed in to Switchboard (${account}). Send "TO <number> <text>" to message a user; a plain reply goes to your last contact. LOGOUT to sign out, HELP for help.`,
  wrongCredentials: (language: SmsLanguage) =>
    language === 'zh' ? '用户名或密码不正确。' : 'The username or password is not right.',
  tooManyAttempts: (language: SmsLanguage, minutes: number) =>
    language === 'zh' ? `尝试次数过多，请 ${minutes} 分钟后再试。` : `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  malformedSignIn: (language: SmsLanguage) =>
    language === 'zh' ? `登录格式：${signInFormat.zh}` : `To sign in, send: ${signInFormat.en}`,
  help: (language: SmsLanguage) =>
    language === 'zh'
      ? 'Switchboard 短信：TO 号码 内容（或 @号码 内容）发消息；直接回复发给上一位联系人；LOGOUT 退出；STOP 退订。'
      : 'Switchboard by SMS: TO <number> <text> (or @<number> <text>) sends; a plain reply goes to your last contact; LOGOUT signs out; STOP opts out.',
  /** For a phone that is not signed in: the same whoever owns the number. */
  notSignedIn: (language: SmsLanguage) =>
    language === 'zh'
      ? `Switchboard：用短信聊天请先登录，发送 ${signInFormat.zh}。回复 STOP 退订。`
      : `Switchboard: to chat by SMS, sign in first: ${signInFormat.en}. Reply STOP to opt out.`,
  loggedOut: (language: SmsLanguage) => (language === 'zh' ? '已退出 Switchboard。' : 'Signed out of Switchboard.'),
  malformedSend: (language: SmsLanguage) => (language === 'zh' ? '格式：TO 号码 内容' : 'Format: TO <number> <text>'),
  noCorrespondent: (language: SmsLanguage) =>
    language === 'zh' ? '还没有联系人。请用“TO 号码 内容”开始。' : 'No conversation yet. Start with TO <number> <text>.',
  notAUser: (language: SmsLanguage, number: string) =>
    language === 'zh' ? `${number} 没有使用 Switchboard。` : `${number} does not use Switchboard.`,
  invalidNumber: (language: SmsLanguage, number: string) =>
    language === 'zh' ? `无法识别号码 ${number}。` : `${number} is not a phone number I can use.`,
  notDelivered: (language: SmsLanguage) => (language === 'zh' ? '消息未能发送。' : 'The message could not be sent.'),
  slowDown: (language: SmsLanguage) => (language === 'zh' ? '发送太快了，请稍后再试。' : 'You are sending very fast. Try again in a moment.'),
  optedOut: (language: SmsLanguage) =>
    language === 'zh' ? '已退订，您将不再收到 Switchboard 的短信。回复 START 恢复。' : 'You will get no more SMS from Switchboard. Reply START to receive them again.',
  optedIn: (language: SmsLanguage) =>
    language === 'zh' ? '已恢复接收 Switchboard 短信。回复 STOP 退订。' : 'You will receive SMS from Switchboard again. Reply STOP to opt out.',
};

/** The SMS a person who is not a user gets: who wrote, what, and where to answer for free. */
export function fallbackFrame(language: SmsLanguage, senderPhone: string, link: string | undefined): { before: string; after: string } {
  if (language === 'zh') {
    return { before: `${senderPhone} 通过 Switchboard 发来：`, after: `\n${link === undefined ? '安装 Switchboard 免费回复。' : `免费回复：${link}`} 回复TD退订` };
  }
  return { before: `${senderPhone} via Switchboard: `, after: `\n${link === undefined ? 'Get Switchboard to reply for free.' : `Reply free: ${link}`} Reply STOP to opt out` };
}

/** A user with no device online gets this when the sender asked for an SMS notice. */
export function noticeText(language: SmsLanguage, senderPhone: string): string {
  return language === 'zh'
    ? `${senderPhone} 在 Switchboard 上给你发了消息，打开应用查看。回复TD退订`
    : `${senderPhone} sent you a message on Switchboard. Open the app to read it. Reply STOP to opt out`;
}

/**
 * A message relayed to a phone signed in by SMS: `[+8613800138000] text`, or in a group
 * `[Family · +8613800138000] text`, so a reply is written knowing who will read it.
 */
export function relayText(senderPhone: string, text: string, groupTitle?: string): string {
  return groupTitle === undefined ? `[${senderPhone}] ${text}` : `[${groupTitle} · ${senderPhone}] ${text}`;
}
