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
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

const send = process.send?.bind(process);
if (send === undefined) {
  process.stderr.write('sandbox-runner must be started by the plugin host (no IPC channel)\n');
  process.exit(2);
}
const [pluginDir, mainFile, pluginId] = process.argv.slice(2);
const METHODS = ['importContacts', 'lookupIdentity', 'refreshToken'];
const MAX_LOG = 2000;

const post = (message) => {
  try {
    send(message);
  } catch {
    send({ type: 'log', level: 'error', message: 'a message to the host could not be serialised' });
  }
};
// Whatever the plugin threw (a hostile value may throw again on every property read) becomes a plain error.
const errorOf = (error, fallbackCode) => {
  try {
    const code = typeof error?.code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(error.code) ? error.code : fallbackCode;
    return { code, message: String(error?.message ?? error).slice(0, MAX_LOG) };
  } catch {
    return { code: fallbackCode, message: 'the plugin threw something that cannot be described' };
  }
};

// Answers to requests the plugin made through ctx (fetch, secrets, token), by request id.
const pending = new Map();
let nextRequestId = 1;
function request(callId, message) {
  const requestId = nextRequestId++;
  return new Promise((resolve, reject) => {
    pending.set(requestId, { resolve, reject });
    post({ ...message, callId, requestId });
  });
}

function contextFor(callId) {
  const signal = { aborted: false };
  const fetchThroughHost = async (url, init) => {
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
      get: async (key) => (await request(callId, { type: 'secret', op: 'get', key: String(key) })) ?? undefined,
      set: async (key, value) => void (await request(callId, { type: 'secret', op: 'set', key: String(key), value: String(value) })),
      delete: async (key) => void (await request(callId, { type: 'secret', op: 'delete', key: String(key) })),
    }),
    accessToken: async () => (await request(callId, { type: 'access_token' })) ?? undefined,
    signal,
  });
}

function plainInit(init) {
  const out = {};
  if (init.method !== undefined) out.method = String(init.method).toUpperCase();
  if (init.headers !== undefined) out.headers = Object.fromEntries(Object.entries(init.headers).map(([name, value]) => [String(name), String(value)]));
  if (init.body !== undefined) out.body = String(init.body);
  return out;
}

// Timers without Node's Timeout objects, so nothing of Node's internals is reachable from the plugin.
const timers = new Map();
let nextTimer = 1;
const sandboxGlobals = {
  console: Object.freeze({
    log: (...parts) => post({ type: 'log', level: 'log', message: parts.map(String).join(' ').slice(0, MAX_LOG) }),
    warn: (...parts) => post({ type: 'log', level: 'warn', message: parts.map(String).join(' ').slice(0, MAX_LOG) }),
    error: (...parts) => post({ type: 'log', level: 'error', message: parts.map(String).join(' ').slice(0, MAX_LOG) }),
  }),
  setTimeout: (callback, ms) => {
    const id = nextTimer++;
    timers.set(id, setTimeout(() => (timers.delete(id), callback()), Number(ms) || 0));
    return id;
  },
  clearTimeout: (id) => {
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
const modules = new Map();

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
async function link(specifier, referencing) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
    throw Object.assign(new Error(`import "${specifier}" is denied: plugins may import only their own files`), { code: 'import_denied' });
  }
  const from = new URL(referencing.identifier);
  return loadModule(path.resolve(path.dirname(from.pathname), specifier));
}

let adapter;
try {
  const main = loadModule(path.join(root, mainFile));
  await main.link(link);
  await main.evaluate();
  adapter = main.namespace.default;
  if (adapter === null || typeof adapter !== 'object') throw Object.assign(new Error('main must export default an object implementing the adapter'), { code: 'no_adapter' });
} catch (error) {
  post({ type: 'load_failed', error: errorOf(error, 'load_error') });
  process.exit(3);
}

process.on('message', (message) => {
  if (message?.type === 'answer') {
    const waiter = pending.get(message.requestId);
    if (waiter === undefined) return;
    pending.delete(message.requestId);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    return;
  }
  if (message?.type === 'call') void run(message);
});

async function run({ callId, method, args }) {
  try {
    if (typeof adapter[method] !== 'function') throw Object.assign(new Error(`the plugin does not implement ${method}`), { code: 'not_implemented' });
    const value = await adapter[method](contextFor(callId), ...args);
    // A round trip through JSON drops functions and prototypes and refuses cycles before the host sees anything.
    post({ type: 'result', callId, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
  } catch (error) {
    post({ type: 'failed', callId, error: errorOf(error, 'plugin_error') });
  }
}

// A stray rejection in plugin code is the plugin's bug, not a reason to lose its other calls.
process.on('unhandledRejection', (reason) => post({ type: 'log', level: 'error', message: `unhandled rejection: ${String(reason?.message ?? reason).slice(0, MAX_LOG)}` }));

post({ type: 'ready', methods: METHODS.filter((name) => typeof adapter[name] === 'function') });
