import type { z } from 'zod';
import { isE164, parsePhone } from '#common/phone/phone.js';
import type { PluginManifest } from '#common/plugin-manifest/index.js';
import type { ImportedContact, TokenSet } from '#plugins/sdk/adapter.js';
import { credentialAccount, pluginDataAccount, VaultError, type CredentialSecret, type Vault } from '../vault/index.js';
import { PluginHostError, PluginRequestError } from './errors.js';
import { DEFAULT_FETCH_LIMITS, hostFetch, type HostFetchLimits } from './host-fetch.js';
import {
  importedContactsSchema,
  lookupResultSchema,
  tokenSetSchema,
  type AdapterMethod,
  type FetchAnswer,
  type SandboxMessage,
} from './protocol.js';
import { DEFAULT_RUNNER, SandboxProcess, type NetworkIsolation } from './sandbox-process.js';

export interface PluginHostOptions {
  plugin: { id: string; dir: string; manifest: PluginManifest };
  vault: Vault;
  /** Per call, from sending it to the answer; on expiry the sandbox is killed. Default 30 s. */
  callTimeoutMs?: number;
  startTimeoutMs?: number;
  maxOldSpaceMb?: number;
  networkIsolation?: NetworkIsolation;
  /** Lets a bound instance on loopback be reached over http (local stand-ins, a developer's own server). */
  plainHttpOnLoopback?: boolean;
  fetchLimits?: HostFetchLimits;
  /** The plugin's console output, with every token and secret value the host handed it blanked out. */
  onLog?(entry: { pluginId: string; level: 'log' | 'warn' | 'error'; message: string }): void;
  /** A sandbox script other than ours: lets tests stand in a compromised sandbox to exercise the host's defences. */
  runnerPath?: string;
}

export interface CallOptions {
  /** The bound account (`credential:<plugin>:<accountId>`) whose token and instance the call uses. */
  accountId?: string;
}

export interface ContactsImport {
  contacts: ImportedContact[];
  /** Numbers the plugin returned that are not valid E.164: dropped, counted so the UI can say so. */
  droppedPhones: number;
}

export interface PluginHostStatus {
  running: boolean;
  pid: number | undefined;
  networkIsolated: boolean;
  crashes: number;
}

interface InFlightCall {
  method: AdapterMethod;
  accountId: string | undefined;
  credential?: Promise<CredentialSecret | undefined>;
  resolve(value: unknown): void;
  reject(error: PluginHostError): void;
  timer: NodeJS.Timeout;
}

const CRASH_WINDOW_MS = 60_000;
const CRASHES_BEFORE_PAUSE = 3;

/**
 * Runs one plugin's code (`main`) in its own sandbox process and is the plugin's only way out: every
 * fetch is checked against the manifest's allowedHosts here, every secret lands in the vault under the
 * plugin's own namespace, and every answer is validated before the app sees it. A crash, a hang or
 * nonsense from the sandbox fails the call with a code; the next call starts a fresh sandbox.
 */
export class PluginHost {
  private sandbox: SandboxProcess | undefined;
  private starting: Promise<{ sandbox: SandboxProcess; methods: AdapterMethod[] }> | undefined;
  private methods: AdapterMethod[] = [];
  private readonly calls = new Map<number, InFlightCall>();
  private nextCallId = 1;
  private crashTimes: number[] = [];
  private stoppedForGood = false;
  /** Bumped whenever a sandbox is given up, so late events of a dead sandbox never touch its successor's calls. */
  private generation = 0;
  /** Values handed to the plugin that must never come back out through its logs. */
  private readonly handedOut = new Set<string>();

  constructor(private readonly options: PluginHostOptions) {}

  get pluginId(): string {
    return this.options.plugin.id;
  }

  status(): PluginHostStatus {
    return {
      running: this.sandbox?.alive === true,
      pid: this.sandbox?.alive === true ? this.sandbox.child.pid : undefined,
      networkIsolated: this.sandbox?.networkIsolated ?? false,
      crashes: this.crashTimes.length,
    };
  }

  async importContacts(options: CallOptions = {}): Promise<ContactsImport> {
    const raw = await this.call('importContacts', [], options, importedContactsSchema);
    let droppedPhones = 0;
    const contacts = raw.map((contact): ImportedContact => {
      const phones = [...new Set(contact.phones.flatMap((phone) => {
        const parsed = parsePhone(phone);
        if (parsed.ok) return [parsed.e164];
        droppedPhones += 1;
        return [];
      }))];
      return { ...(contact.displayName === undefined ? {} : { displayName: contact.displayName }), phones, identity: contact.identity };
    });
    return { contacts, droppedPhones };
  }

  async lookupIdentity(phone: string, options: CallOptions = {}): Promise<ImportedContact['identity'] | undefined> {
    if (!isE164(phone)) throw new PluginHostError('invalid_argument', `lookupIdentity takes an E.164 number, not ${JSON.stringify(phone)}`);
    return (await this.call('lookupIdentity', [phone], options, lookupResultSchema)) ?? undefined;
  }

  async refreshToken(refreshToken: string, options: CallOptions = {}): Promise<TokenSet> {
    if (refreshToken === '') throw new PluginHostError('invalid_argument', 'refreshToken needs a refresh token');
    this.handedOut.add(refreshToken);
    return this.call('refreshToken', [refreshToken], options, tokenSetSchema);
  }

  /** Kills the sandbox; calls still running fail with `host_stopped`. The host can be used again unless `final`. */
  async stop(options: { final?: boolean } = {}): Promise<void> {
    if (options.final === true) this.stoppedForGood = true;
    const sandbox = this.sandbox;
    this.generation++;
    this.sandbox = undefined;
    this.failAll(new PluginHostError('host_stopped', `${this.pluginId}'s host was stopped`));
    sandbox?.kill();
    await sandbox?.stopped();
  }

  private async call<Schema extends z.ZodType>(method: AdapterMethod, args: unknown[], options: CallOptions, schema: Schema): Promise<z.output<Schema>> {
    if (this.stoppedForGood) throw new PluginHostError('host_stopped', `${this.pluginId}'s host was stopped`);
    if (this.options.plugin.manifest.main === undefined) throw new PluginHostError('not_implemented', `${this.pluginId} has no code ("main")`);
    this.refuseDuringCrashLoop();
    const sandbox = await this.ensureSandbox();
    if (!this.methods.includes(method)) throw new PluginHostError('not_implemented', `${this.pluginId} does not implement ${method}`);
    const callId = this.nextCallId++;
    const timeoutMs = this.options.callTimeoutMs ?? 30_000;
    const raw = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A plugin stuck in a synchronous loop cannot be interrupted any other way.
        this.calls.delete(callId);
        reject(new PluginHostError('plugin_timeout', `${this.pluginId}.${method} did not finish within ${timeoutMs} ms; its sandbox was restarted`));
        this.recycle(sandbox, new PluginHostError('plugin_crashed', `${this.pluginId}'s sandbox was restarted because another call timed out`));
      }, timeoutMs);
      this.calls.set(callId, { method, accountId: options.accountId, resolve, reject, timer });
      sandbox.send({ type: 'call', callId, method, args });
    });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(result)'}: ${issue.message}`).join('; ');
      throw new PluginHostError('invalid_result', `${this.pluginId}.${method} answered in the wrong shape (${where})`);
    }
    return parsed.data;
  }

  private refuseDuringCrashLoop(): void {
    const now = Date.now();
    this.crashTimes = this.crashTimes.filter((at) => now - at < CRASH_WINDOW_MS);
    if (this.crashTimes.length >= CRASHES_BEFORE_PAUSE) {
      const waitSeconds = Math.ceil((CRASH_WINDOW_MS - (now - (this.crashTimes[0] ?? now))) / 1000);
      throw new PluginHostError('plugin_crash_loop', `${this.pluginId} crashed ${this.crashTimes.length} times within a minute; try again in ${waitSeconds} s`);
    }
  }

  private async ensureSandbox(): Promise<SandboxProcess> {
    if (this.sandbox?.alive === true) return this.sandbox;
    // Concurrent first calls share one start; each caller records the outcome.
    const starting = (this.starting ??= this.startSandbox());
    try {
      const { sandbox, methods } = await starting;
      if (this.stoppedForGood) {
        sandbox.kill();
        throw new PluginHostError('host_stopped', `${this.pluginId}'s host was stopped`);
      }
      this.sandbox = sandbox;
      this.methods = methods;
      return sandbox;
    } catch (error) {
      if (this.starting === starting) this.crashTimes.push(Date.now());
      throw error;
    } finally {
      if (this.starting === starting) this.starting = undefined;
    }
  }

  private startSandbox(): Promise<{ sandbox: SandboxProcess; methods: AdapterMethod[] }> {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    return SandboxProcess.start(
      {
        pluginId: this.pluginId,
        pluginDir: this.options.plugin.dir,
        main: this.options.plugin.manifest.main ?? '',
        maxOldSpaceMb: this.options.maxOldSpaceMb ?? 64,
        startTimeoutMs: this.options.startTimeoutMs ?? 10_000,
        networkIsolation: this.options.networkIsolation ?? 'auto',
        runnerPath: this.options.runnerPath ?? DEFAULT_RUNNER,
      },
      {
        message: (message) => current() && this.onMessage(message),
        protocolError: (detail) => current() && this.onSandboxGone(new PluginHostError('plugin_protocol_error', `${this.pluginId}: ${detail}; the sandbox was killed`)),
        exit: (description) => current() && this.onSandboxGone(new PluginHostError('plugin_crashed', `${this.pluginId}'s sandbox ${description}`)),
      },
    );
  }

  private onSandboxGone(error: PluginHostError): void {
    if (this.calls.size > 0 || error.code === 'plugin_protocol_error') this.crashTimes.push(Date.now());
    this.generation++;
    this.sandbox = undefined;
    this.failAll(error);
  }

  private recycle(sandbox: SandboxProcess, errorForOthers: PluginHostError): void {
    this.crashTimes.push(Date.now());
    this.generation++;
    if (this.sandbox === sandbox) this.sandbox = undefined;
    this.failAll(errorForOthers);
    sandbox.kill();
  }

  private failAll(error: PluginHostError): void {
    for (const [callId, call] of this.calls) {
      clearTimeout(call.timer);
      this.calls.delete(callId);
      call.reject(error);
    }
  }

  private onMessage(message: SandboxMessage): void {
    switch (message.type) {
      case 'log':
        this.options.onLog?.({ pluginId: this.pluginId, level: message.level, message: this.redact(message.message) });
        return;
      case 'ready':
      case 'load_failed':
        return this.protocolViolation(`${message.type} after start`);
      case 'result':
      case 'failed': {
        const call = this.calls.get(message.callId);
        if (call === undefined) return; // A late answer to a call that already timed out.
        this.calls.delete(message.callId);
        clearTimeout(call.timer);
        if (message.type === 'result') call.resolve(message.value);
        else if (message.error.code === 'not_implemented') call.reject(new PluginHostError('not_implemented', message.error.message));
        else call.reject(new PluginHostError('plugin_error', `${this.pluginId}.${call.method} failed: ${this.redact(message.error.message)}`, message.error.code));
        return;
      }
      case 'fetch':
      case 'secret':
      case 'access_token': {
        const call = this.calls.get(message.callId);
        // Requests belong to a running call: a sandbox cannot act on its own between calls.
        if (call === undefined) return this.protocolViolation(`a ${message.type} request outside any running call`);
        void this.serve(message, call);
        return;
      }
    }
  }

  private protocolViolation(detail: string): void {
    const sandbox = this.sandbox;
    this.onSandboxGone(new PluginHostError('plugin_protocol_error', `${this.pluginId} broke the protocol (${detail}); the sandbox was killed`));
    sandbox?.kill();
  }

  private async serve(message: Extract<SandboxMessage, { type: 'fetch' | 'secret' | 'access_token' }>, call: InFlightCall): Promise<void> {
    const sandbox = this.sandbox;
    try {
      let value: FetchAnswer | string | null;
      if (message.type === 'fetch') {
        const credential = await this.credentialOf(call);
        const instance = credential?.type === 'oauth2' ? credential.instance : undefined;
        value = await hostFetch(message.url, message.init, {
          allowedHosts: this.options.plugin.manifest.allowedHosts,
          ...(instance === undefined ? {} : { instance }),
          plainHttpOnLoopback: this.options.plainHttpOnLoopback === true,
        }, this.options.fetchLimits ?? DEFAULT_FETCH_LIMITS);
      } else if (message.type === 'access_token') {
        const credential = await this.credentialOf(call);
        value = credential?.type === 'oauth2' ? credential.accessToken : null;
      } else {
        value = await this.secret(message.op, message.key, message.value);
      }
      if (typeof value === 'string') this.handedOut.add(value);
      sandbox?.send({ type: 'answer', requestId: message.requestId, ok: true, value });
    } catch (error) {
      const known = error instanceof PluginRequestError ? error : error instanceof VaultError ? new PluginRequestError('vault_error', `the keychain refused: ${error.code}`) : undefined;
      const code = known?.code ?? 'fetch_failed';
      sandbox?.send({ type: 'answer', requestId: message.requestId, ok: false, error: { code, message: known?.message ?? 'the host could not serve the request' } });
    }
  }

  private credentialOf(call: InFlightCall): Promise<CredentialSecret | undefined> {
    const accountId = call.accountId;
    if (accountId === undefined || this.options.plugin.manifest.auth.type === 'none') return Promise.resolve(undefined);
    call.credential ??= this.options.vault.getSecret(credentialAccount(this.pluginId, accountId));
    return call.credential;
  }

  private async secret(op: 'get' | 'set' | 'delete', key: string, value: string | undefined): Promise<string | null> {
    let account;
    try {
      account = pluginDataAccount(this.pluginId, key);
    } catch (error) {
      throw new PluginRequestError('invalid_secret_key', error instanceof Error ? error.message : String(error));
    }
    if (op === 'get') return (await this.options.vault.getSecret(account))?.value ?? null;
    if (op === 'set') {
      if (value === undefined) throw new PluginRequestError('invalid_secret_key', 'secrets.set needs a value');
      this.handedOut.add(value);
      await this.options.vault.setSecret(account, { value });
    } else {
      await this.options.vault.deleteSecret(account);
    }
    return null;
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of this.handedOut) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
    return out;
  }
}
