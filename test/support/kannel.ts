import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireService, tcpReachable } from './services.js';
import { freePorts } from './free-ports.js';

/**
 * A private, real Kannel for one test file: Debian's `kannel` (bearerbox, smsbox) and `kannel-extras`
 * (fakesmsc, the fake phone network that receives what Kannel sends). Everything listens on loopback
 * on ports picked at runtime, with a config and credentials of its own in a temporary directory.
 */

const searchPath = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];

function findExecutable(name: string, extra: string[] = []): string | undefined {
  for (const candidate of [...searchPath.map((dir) => path.join(dir, name)), ...extra]) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function binaries(): { bearerbox?: string; smsbox?: string; fakesmsc?: string } {
  return {
    bearerbox: findExecutable('bearerbox'),
    smsbox: findExecutable('smsbox'),
    fakesmsc: findExecutable('fakesmsc', ['/usr/lib/kannel/test/fakesmsc']),
  };
}

/** What the tests need, for the skip (or CI failure) message. */
export const kannelBinaries = 'bearerbox, smsbox (apt: kannel) and /usr/lib/kannel/test/fakesmsc (apt: kannel-extras)';

/** requireService semantics: skips on a laptop without Kannel, fails under SWITCHBOARD_REQUIRE_SERVICES=1. */
export function kannelAvailable(): Promise<boolean> {
  return requireService(`Kannel: ${kannelBinaries}`, async () => Object.values(binaries()).every(Boolean));
}

/**
 * One SMS as the fake phone network received it. A part of a concatenated SMS carries its user data
 * header in `udh` and its payload in `bytes` (fakesmsc shows such parts as `udh`, without the coding).
 */
export type ReceivedSms = { from: string; to: string; coding: string; text: string; udh?: Buffer; bytes?: Buffer };

/** How a test's Kannel treats SMS beyond sending: inbound SMS to the server, Chinese text, long texts. */
export type KannelOptions = {
  /**
   * The server's inbound URL for `sms-service` `post-url` (Kannel appends nothing: the URL carries the
   * escapes `%p` sender, `%P` receiver, `%T` time, `%I` message id; the text is the POST body).
   */
  inboundUrl?: string;
  /** The SMSC's largest SMS in octets: with 140 Kannel splits long texts into concatenated parts. */
  maxSmsOctets?: number;
};

export type Kannel = {
  sendsmsUrl: string;
  username: string;
  password: string;
  /** Every SMS the fake SMSC received so far, oldest first. */
  received(): ReceivedSms[];
  /** The first received SMS (already there or still to come) that matches. */
  waitForSms(predicate: (sms: ReceivedSms) => boolean, timeoutMs?: number): Promise<ReceivedSms>;
  /**
   * Every whole SMS the phones received so far, oldest first: the parts of a concatenated SMS joined
   * (in `parts`, as they came) once all of them arrived.
   */
  messages(): (ReceivedSms & { parts: ReceivedSms[] })[];
  /** The first whole SMS (already there or still to come) that matches. */
  waitForMessage(predicate: (sms: ReceivedSms & { parts: ReceivedSms[] }) => boolean, timeoutMs?: number): Promise<ReceivedSms & { parts: ReceivedSms[] }>;
  /** The last lines Kannel's processes wrote, for failure messages. */
  logs(): string;
  /**
   * A phone sends an SMS (UCS-2, as a phone sends Chinese; GSM text when it is plain ASCII) through the
   * fake SMSC. The fake SMSC takes one client at a time, so the listening fakesmsc is replaced by one that
   * sends this message and then stays connected to receive.
   */
  phoneSends(from: string, to: string, text: string): Promise<void>;
  stop(): Promise<void>;
};

/** `%XX` and `+` (space) as Kannel's octstr_url_encode writes them, back to bytes. */
function urlDecodeBytes(value: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const char = value[i] ?? '';
    if (char === '%' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (char === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/**
 * fakesmsc logs each SMS it receives (on stderr, as a DEBUG line) as
 * `Got message N: <FROM TO TYPE DATA>`: TYPE `text` carries the text as is, `ucs-2` URL-encoded UTF-16BE,
 * `data` URL-encoded bytes.
 */
export function parseFakesmscLine(line: string): ReceivedSms | undefined {
  const match = /Got message \d+: <(\S+) (\S+) (\S+) ?(.*)>\s*$/.exec(line);
  if (!match) return undefined;
  const [, from = '', to = '', coding = '', data = ''] = match;
  let text = data;
  if (coding === 'udh') {
    const [udh = '', , payload = ''] = data.split(' ');
    const bytes = urlDecodeBytes(payload);
    return { from, to, coding, text: bytes.toString('latin1'), udh: urlDecodeBytes(udh), bytes };
  }
  if (coding === 'ucs-2') {
    const bytes = urlDecodeBytes(data);
    text = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  } else if (coding === 'data') {
    text = urlDecodeBytes(data).toString('latin1');
  }
  return { from, to, coding, text };
}

/**
 * The text of one part's payload. fakesmsc does not say a part's coding: UCS-2 is recognised by a zero
 * byte (any ASCII character) or by not being printable UTF-8, which Chinese UCS-2 never is in practice.
 */
export function partText(bytes: Buffer): string {
  if (!bytes.includes(0)) {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      const printable = [...text].every((char) => char === '\n' || char.charCodeAt(0) >= 0x20);
      if (printable) return text;
    } catch {
      // not UTF-8: UCS-2
    }
  }
  return Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
}

/** Joins concatenated parts (UDH IEI 0 with an 8-bit reference) into whole messages, in arrival order. */
export function assembleSms(received: ReceivedSms[]): (ReceivedSms & { parts: ReceivedSms[] })[] {
  const whole: (ReceivedSms & { parts: ReceivedSms[] })[] = [];
  const pending = new Map<string, ReceivedSms[]>();
  for (const sms of received) {
    const udh = sms.udh;
    if (!udh || udh[1] !== 0x00 || udh.length < 6) {
      whole.push({ ...sms, parts: [sms] });
      continue;
    }
    const total = udh[4] ?? 0;
    const key = `${sms.from}|${sms.to}|${udh[3] ?? 0}|${total}`;
    const parts = [...(pending.get(key) ?? []), sms];
    if (parts.length < total) {
      pending.set(key, parts);
      continue;
    }
    pending.delete(key);
    const ordered = [...parts].sort((a, b) => (a.udh?.[5] ?? 0) - (b.udh?.[5] ?? 0));
    whole.push({ from: sms.from, to: sms.to, coding: 'concatenated', text: ordered.map((part) => partText(part.bytes ?? Buffer.alloc(0))).join(''), parts: ordered });
  }
  return whole;
}

type Proc = { name: string; child: ChildProcess; exited: Promise<void>; exitCode(): number | null | undefined };

const startTimeoutMs = 10_000;

async function startOnce(options: KannelOptions): Promise<Kannel> {
  const bin = binaries();
  if (!bin.bearerbox || !bin.smsbox || !bin.fakesmsc) throw new Error(`Kannel is not installed: ${kannelBinaries}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-kannel-'));
  const [adminPort, smsboxPort, sendsmsPort, smscPort] = (await freePorts(4)) as [number, number, number, number];
  const adminPassword = randomBytes(12).toString('hex');
  const username = 'switchboard';
  const password = randomBytes(12).toString('hex');
  const configPath = path.join(dir, 'kannel.conf');
  fs.writeFileSync(
    configPath,
    [
      'group = core',
      `admin-port = ${adminPort}`,
      `admin-password = ${adminPassword}`,
      'admin-interface = 127.0.0.1',
      `smsbox-port = ${smsboxPort}`,
      'box-allow-ip = "127.0.0.1"',
      '',
      'group = smsc',
      'smsc = fake',
      'smsc-id = FAKE',
      `port = ${smscPort}`,
      'connect-allow-ip = 127.0.0.1',
      ...(options.maxSmsOctets === undefined ? [] : [`max-sms-octets = ${options.maxSmsOctets}`]),
      '',
      'group = smsbox',
      'bearerbox-host = 127.0.0.1',
      `sendsms-port = ${sendsmsPort}`,
      'sendsms-interface = 127.0.0.1',
      // Chinese (UCS-2) from phones reaches the service as UTF-8.
      'mo-recode = true',
      '',
      'group = sendsms-user',
      `username = ${username}`,
      `password = ${password}`,
      // Long texts go out as up to 10 concatenated parts.
      'max-messages = 10',
      'concatenation = true',
      '',
      ...(options.inboundUrl === undefined
        ? []
        : [
            'group = sms-service',
            'keyword = default',
            `post-url = "${options.inboundUrl}${options.inboundUrl.includes('?') ? '&' : '?'}from=%p&to=%P&ts=%T&id=%I"`,
            // The server answers by sendsms; nothing in the HTTP answer is sent back.
            'max-messages = 0',
            '',
          ]),
    ].join('\n'),
  );

  const procs: Proc[] = [];
  const logLines: string[] = [];
  const smsLines: string[] = [];
  const received: ReceivedSms[] = [];
  let sentCount = 0;
  let waiters: { predicate: (sms: ReceivedSms) => boolean; resolve: (sms: ReceivedSms) => void }[] = [];

  const remember = (name: string, line: string) => {
    logLines.push(`[${name}] ${line}`);
    if (logLines.length > 400) logLines.splice(0, logLines.length - 400);
  };

  const launch = (name: string, file: string, args: string[]): Proc => {
    const child = spawn(file, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let code: number | null | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (exitCode, signal) => {
        code = exitCode;
        remember(name, `exited (${signal ?? exitCode})`);
        resolve();
      });
      child.once('error', (error) => {
        code = -1;
        remember(name, `failed to start: ${error.message}`);
        resolve();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          remember(name, line);
          if (name !== 'fakesmsc') continue;
          if (/fakesmsc: sent message/.test(line)) sentCount += 1;
          const sms = parseFakesmscLine(line);
          if (!sms) continue;
          smsLines.push(line);
          received.push(sms);
          waiters = waiters.filter((waiter) => {
            if (!waiter.predicate(sms)) return true;
            waiter.resolve(sms);
            return false;
          });
        }
      });
    }
    const proc = { name, child, exited, exitCode: () => code };
    procs.push(proc);
    return proc;
  };

  // If the test worker dies, Kannel must not outlive it.
  const killNow = () => {
    for (const { child } of procs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killNow);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await Promise.all(
        procs.map(async ({ child, exited }) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 300);
          await exited;
          clearTimeout(timer);
        }),
      );
      process.removeListener('exit', killNow);
      fs.rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const fakesmsc = bin.fakesmsc;
  /** The fakesmsc connected to the fake SMSC: the phone side, receiving what Kannel sends. */
  let phone: Proc | undefined;

  const statusUrl = `http://127.0.0.1:${adminPort}/status.txt?password=${adminPassword}`;
  const status = async (): Promise<string> => {
    try {
      const response = await fetch(statusUrl, { signal: AbortSignal.timeout(500) });
      return response.ok ? await response.text() : '';
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + startTimeoutMs;
  const waitUntil = async (what: string, ready: () => Promise<boolean>) => {
    for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
      if (await ready()) return;
      const dead = procs.find((proc) => proc.exitCode() !== undefined);
      if (dead) throw new Error(`Kannel ${dead.name} exited while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`Kannel: no ${what} within ${startTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };

  try {
    // -v 1: info and above on stderr; bearerbox's debug output is of no use here.
    launch('bearerbox', bin.bearerbox, ['-v', '1', configPath]);
    await waitUntil('bearerbox admin port', async () => (await status()).includes('FAKE[FAKE]'));
    // -m 0: send nothing from the phone side, keep running and log every SMS received.
    // fakesmsc gives up at once if the fake SMSC is not listening yet: then it is started again.
    const launchPhone = () => launch('fakesmsc', fakesmsc, ['-H', '127.0.0.1', '-r', String(smscPort), '-m', '0', '0 0 text unused']);
    phone = launchPhone();
    launch('smsbox', bin.smsbox, ['-v', '1', configPath]);
    await waitUntil('SMSC online and smsbox connected', async () => {
      if (phone === undefined || phone.exitCode() !== undefined) {
        if (phone) procs.splice(procs.indexOf(phone), 1);
        phone = launchPhone();
        return false;
      }
      const text = await status();
      return /FAKE\[FAKE\][^\n]*\(online/.test(text) && /^\s*smsbox:/m.test(text);
    });
    await waitUntil('sendsms port', () => tcpReachable('127.0.0.1', sendsmsPort, 200));
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${logLines.slice(-40).join('\n')}`, { cause: error });
  }

  return {
    sendsmsUrl: `http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms`,
    username,
    password,
    received: () => [...received],
    waitForSms(predicate, timeoutMs = 5000) {
      const seen = received.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter.resolve !== done);
          reject(new Error(`fakesmsc received no matching SMS within ${timeoutMs} ms; got:\n${smsLines.join('\n') || '(nothing)'}`));
        }, timeoutMs);
        const done = (sms: ReceivedSms) => {
          clearTimeout(timer);
          resolve(sms);
        };
        waiters.push({ predicate, resolve: done });
      });
    },
    messages: () => assembleSms(received),
    async waitForMessage(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = assembleSms(received).find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`fakesmsc received no matching SMS within ${timeoutMs} ms; got:\n${smsLines.join('\n') || '(nothing)'}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    logs: () => logLines.join('\n'),
    async phoneSends(from, to, text) {
      const current = phone;
      if (current) {
        if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill('SIGTERM');
        await current.exited;
        procs.splice(procs.indexOf(current), 1);
      }
      const plain = /^[\x20-\x7e]*$/.test(text);
      const data = plain ? text : [...Buffer.from(text, 'utf16le').swap16()].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
      const sentBefore = sentCount;
      const sender = launch('fakesmsc', fakesmsc, ['-H', '127.0.0.1', '-r', String(smscPort), '-i', '0.01', '-m', '1', `${from} ${to} ${plain ? 'text' : 'ucs2'} ${data}`]);
      phone = sender;
      const deadline = Date.now() + 5000;
      while (sentCount === sentBefore) {
        if (sender.exitCode() !== undefined || Date.now() > deadline) throw new Error(`fakesmsc did not send the message:\n${logLines.slice(-20).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop,
  };
}

/**
 * Starts bearerbox, then fakesmsc, then smsbox, and waits until the SMSC is online and sendsms answers.
 * A second try with new ports covers the small race between picking a free port and Kannel binding it.
 */
export async function startKannel(options: KannelOptions = {}): Promise<Kannel> {
  try {
    return await startOnce(options);
  } catch (first) {
    try {
      return await startOnce(options);
    } catch (second) {
      throw new Error(`Kannel did not start twice.\nfirst: ${(first as Error).message}\nsecond: ${(second as Error).message}`, { cause: second });
    }
  }
}
