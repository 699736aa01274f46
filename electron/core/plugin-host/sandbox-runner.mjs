// The sandbox process of one plugin. Plain JavaScript with Node built-ins only, on purpose: the Node
// permission model lets this process read nothing but this file and the plugin's folder, so no
// TypeScript loader (and no node_modules) can be involved. It is untrusted in the host's eyes: the
// host checks every message and does every privileged thing (network, keychain) itself.
//
// The plugin's code runs in a fresh vm context whose globals are an allow-list (no process, require,
// fetch, timers objects, Buffer), its imports are linked here to files inside its folder only, and
// dynamic import() has no callback, so `import('node:net')` fails. vm is not a security boundary on its
// own; the process flags (--experimental-permission, --disallow-code-generation-from-strings, empty
// env, a network namespace where available) are what remains if the plugin escapes it.
/* global URLSearchParams, TextEncoder, TextDecoder, atob, btoa, clearTimeout */
// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

const send = process.send?.bind(process);
if (send === undefined) {
  process.stderr.write('sandbox-runner must be started by the plugin host (no IPC channel)\n');
  process.exit(2);
}
const [pluginDir = '', mainFile = '', pluginId = ''] = process.argv.slice(2);
const METHODS = ['importContacts', 'lookupIdentity', 'refreshToken'];
const MAX_LOG = 2000;

/** @typedef {{ code: string, message: string }} PlainError */
/** @typedef {{ method?: unknown, headers?: Record<string, unknown>, body?: unknown }} FetchInit */
/** @typedef {{ status: number, headers: Record<string, string>, body: string }} FetchAnswer */
/**
 * What the host sends; checked field by field below, since nothing here trusts its shape blindly.
 * @typedef {{ type?: unknown, requestId?: unknown, ok?: unknown, value?: unknown, error?: PlainError, callId?: unknown, method?: unknown, args?: unknown }} HostMessage
 */
/** @typedef {Record<string, unknown>} Adapter */

/** @param {Record<string, unknown>} message */
const post = (message) => {
  if (send === undefined) return;
  try {
    send(message);
  } catch {
    send({ type: 'log', level: 'error', message: 'a message to the host could not be serialised' });
  }
};
// Whatever the plugin threw (a hostile value may throw again on every property read) becomes a plain error.
/**
 * @param {any} error anything a plugin may throw
 * @param {string} fallbackCode
 * @returns {PlainError}
 */
const errorOf = (error, fallbackCode) => {
  try {
    const code = typeof error?.code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(error.code) ? error.code : fallbackCode;
    return { code, message: String(error?.message ?? error).slice(0, MAX_LOG) };
  } catch {
    return { code: fallbackCode, message: 'the plugin threw something that cannot be described' };
  }
};

// Answers to requests the plugin made through ctx (fetch, secrets, token), by request id.
/** @type {Map<number, { resolve(value: any): void, reject(error: Error): void }>} */
const pending = new Map();
let nextRequestId = 1;
/**
 * @param {unknown} callId
 * @param {Record<string, unknown>} message
 * @returns {Promise<any>}
 */
function request(callId, message) {
  const requestId = nextRequestId++;
  return new Promise((resolve, reject) => {
    pending.set(requestId, { resolve, reject });
    post({ ...message, callId, requestId });
  });
}

/** @param {unknown} callId */
function contextFor(callId) {
  const signal = { aborted: false };
  /**
   * @param {unknown} url
   * @param {FetchInit} [init]
   */
  const fetchThroughHost = async (url, init) => {
    /** @type {FetchAnswer} */
    const answer = await request(callId, { type: 'fetch', url: String(url), ...(init === undefined ? {} : { init: plainInit(init) }) });
    return {
      status: answer.status,
      ok: answer.status >= 200 && answer.status < 300,
      headers: Object.freeze({ ...answer.headers }),
      text: async () => answer.body,
      json: async () => JSON.parse(answer.body),
    };
  };
  return Object.freeze({
    pluginId,
    fetch: fetchThroughHost,
    secrets: Object.freeze({
      get: async (/** @type {unknown} */ key) => (await request(callId, { type: 'secret', op: 'get', key: String(key) })) ?? undefined,
      set: async (/** @type {unknown} */ key, /** @type {unknown} */ value) => void (await request(callId, { type: 'secret', op: 'set', key: String(key), value: String(value) })),
      delete: async (/** @type {unknown} */ key) => void (await request(callId, { type: 'secret', op: 'delete', key: String(key) })),
    }),
    accessToken: async () => (await request(callId, { type: 'access_token' })) ?? undefined,
    signal,
  });
}

/** @param {FetchInit} init */
function plainInit(init) {
  /** @type {{ method?: string, headers?: Record<string, string>, body?: string }} */
  const out = {};
  if (init.method !== undefined) out.method = String(init.method).toUpperCase();
  if (init.headers !== undefined) out.headers = Object.fromEntries(Object.entries(init.headers).map(([name, value]) => [String(name), String(value)]));
  if (init.body !== undefined) out.body = String(init.body);
  return out;
}

// Timers without Node's Timeout objects, so nothing of Node's internals is reachable from the plugin.
/** @type {Map<number, ReturnType<typeof setTimeout>>} */
const timers = new Map();
let nextTimer = 1;
const sandboxGlobals = {
  console: Object.freeze({
    log: (/** @type {unknown[]} */ ...parts) => post({ type: 'log', level: 'log', message: parts.map(String).join(' ').slice(0, MAX_LOG) }),
    warn: (/** @type {unknown[]} */ ...parts) => post({ type: 'log', level: 'warn', message: parts.map(String).join(' ').slice(0, MAX_LOG) }),
    error: (/** @type {unknown[]} */ ...parts) => post({ type: 'log', level: 'error', message: parts.map(String).join(' ').slice(0, MAX_LOG) }),
  }),
  setTimeout: (/** @type {() => void} */ callback, /** @type {unknown} */ ms) => {
    const id = nextTimer++;
    timers.set(id, setTimeout(() => (timers.delete(id), callback()), Number(ms) || 0));
    return id;
  },
  clearTimeout: (/** @type {number} */ id) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
  },
  URL,
  URLSearchParams,
  TextEncoder,
  TextDecoder,
  atob,
  btoa,
};
const context = vm.createContext(sandboxGlobals, { name: `plugin:${pluginId}`, codeGeneration: { strings: false, wasm: false } });

const root = fs.realpathSync(pluginDir);
/** @type {Map<string, vm.SourceTextModule>} */
const modules = new Map();

/** @param {string} file */
function loadModule(file) {
  const real = fs.realpathSync(file);
  if (!real.startsWith(root + path.sep)) throw Object.assign(new Error(`${file} leads outside the plugin folder`), { code: 'import_denied' });
  const known = modules.get(real);
  if (known !== undefined) return known;
  const module = new vm.SourceTextModule(fs.readFileSync(real, 'utf8'), {
    context,
    identifier: pathToFileURL(real).href,
    initializeImportMeta: (meta) => (meta.url = pathToFileURL(real).href),
  });
  modules.set(real, module);
  return module;
}

// Only relative imports of files inside the plugin folder; no packages, no built-ins.
/**
 * @param {string} specifier
 * @param {vm.Module} referencing
 */
async function link(specifier, referencing) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
    throw Object.assign(new Error(`import "${specifier}" is denied: plugins may import only their own files`), { code: 'import_denied' });
  }
  const from = new URL(referencing.identifier);
  return loadModule(path.resolve(path.dirname(from.pathname), specifier));
}

/** @type {Adapter} */
let adapter = {};
try {
  const main = loadModule(path.join(root, mainFile));
  await main.link(link);
  await main.evaluate();
  /** @type {unknown} */
  const exported = /** @type {{ default?: unknown }} */ (main.namespace).default;
  if (exported === null || typeof exported !== 'object') throw Object.assign(new Error('main must export default an object implementing the adapter'), { code: 'no_adapter' });
  adapter = /** @type {Adapter} */ (exported);
} catch (error) {
  post({ type: 'load_failed', error: errorOf(error, 'load_error') });
  process.exit(3);
}

process.on('message', (/** @type {HostMessage | undefined} */ message) => {
  if (message?.type === 'answer') {
    const waiter = typeof message.requestId === 'number' ? pending.get(message.requestId) : undefined;
    if (waiter === undefined || typeof message.requestId !== 'number') return;
    pending.delete(message.requestId);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(Object.assign(new Error(message.error?.message), { code: message.error?.code }));
    return;
  }
  if (message?.type === 'call') void run(message);
});

/** @param {HostMessage} call */
async function run({ callId, method, args }) {
  try {
    const implementation = typeof method === 'string' ? adapter[method] : undefined;
    if (typeof implementation !== 'function') throw Object.assign(new Error(`the plugin does not implement ${String(method)}`), { code: 'not_implemented' });
    const value = await implementation.call(adapter, contextFor(callId), ...(Array.isArray(args) ? args : []));
    // A round trip through JSON drops functions and prototypes and refuses cycles before the host sees anything.
    post({ type: 'result', callId, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
  } catch (error) {
    post({ type: 'failed', callId, error: errorOf(error, 'plugin_error') });
  }
}

// A stray rejection in plugin code is the plugin's bug, not a reason to lose its other calls.
process.on('unhandledRejection', (/** @type {any} */ reason) => post({ type: 'log', level: 'error', message: `unhandled rejection: ${String(reason?.message ?? reason).slice(0, MAX_LOG)}` }));

post({ type: 'ready', methods: METHODS.filter((name) => typeof adapter[name] === 'function') });
