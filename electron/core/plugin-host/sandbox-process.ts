import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginHostError } from './errors.js';
import { sandboxMessageSchema, type AdapterMethod, type HostMessage, type SandboxMessage } from './protocol.js';

export const DEFAULT_RUNNER = fileURLToPath(new URL('./sandbox-runner.mjs', import.meta.url));

/** `auto` uses a Linux network namespace when the kernel allows unprivileged ones; `required` refuses to start without. */
export type NetworkIsolation = 'auto' | 'off' | 'required';

export interface SandboxSpec {
  pluginId: string;
  pluginDir: string;
  main: string;
  maxOldSpaceMb: number;
  startTimeoutMs: number;
  networkIsolation: NetworkIsolation;
  runnerPath: string;
}

export interface SandboxEvents {
  message(message: SandboxMessage): void;
  /** The sandbox said something outside the protocol; it has already been killed. */
  protocolError(detail: string): void;
  exit(description: string): void;
}

let namespaceSupport: boolean | undefined;

/** Whether `unshare --user --net` works here (Linux with unprivileged user namespaces). Probed once. */
export function networkNamespaceAvailable(): boolean {
  if (namespaceSupport === undefined) {
    namespaceSupport =
      process.platform === 'linux' && spawnSync('unshare', ['--user', '--map-root-user', '--net', 'true'], { timeout: 3000, stdio: 'ignore' }).status === 0;
  }
  return namespaceSupport;
}

/**
 * One plugin's sandbox: a Node process started with the permission model (reads only the runner and the
 * plugin folder; no writes, child processes, workers or native addons), code generation from strings
 * disabled, a small heap, an empty environment and, where possible, its own empty network namespace.
 */
export class SandboxProcess {
  readonly child: ChildProcess;
  readonly networkIsolated: boolean;
  private stderrTail = '';
  private exited = false;

  private constructor(spec: SandboxSpec, events: SandboxEvents) {
    const pluginRoot = realpathSync(spec.pluginDir);
    // The permission model takes comma-separated lists, so a comma in a path would widen the grant.
    if (pluginRoot.includes(',') || spec.runnerPath.includes(',')) {
      throw new PluginHostError('plugin_load_failed', `the plugin folder path must not contain a comma: ${pluginRoot}`);
    }
    const nodeFlags = [
      '--experimental-permission',
      `--allow-fs-read=${spec.runnerPath}`,
      `--allow-fs-read=${pluginRoot}${path.sep}`,
      '--disallow-code-generation-from-strings',
      '--disable-proto=delete',
      '--experimental-vm-modules',
      '--no-warnings',
      `--max-old-space-size=${spec.maxOldSpaceMb}`,
    ];
    const isolate = spec.networkIsolation !== 'off' && networkNamespaceAvailable();
    if (spec.networkIsolation === 'required' && !isolate) {
      throw new PluginHostError('plugin_load_failed', 'network isolation is required but unprivileged network namespaces are not available here');
    }
    this.networkIsolated = isolate;
    this.child = fork(spec.runnerPath, [pluginRoot, spec.main, spec.pluginId], {
      cwd: pluginRoot,
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
      ...(isolate
        ? { execPath: 'unshare', execArgv: ['--user', '--map-root-user', '--net', '--', process.execPath, ...nodeFlags] }
        : { execArgv: nodeFlags }),
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-600);
    });
    this.child.on('message', (raw: unknown) => {
      const parsed = sandboxMessageSchema.safeParse(raw);
      if (parsed.success) return events.message(parsed.data);
      const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(message)').join(', ');
      this.kill();
      events.protocolError(`a message outside the protocol (${where})`);
    });
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      const tail = this.stderrTail.trim().split('\n').filter((line) => line.trim() !== '').slice(-3).join(' | ');
      events.exit(`exited with ${signal ?? `code ${code}`}${tail ? `: ${tail}` : ''}`);
    });
    this.child.once('error', (error) => {
      this.exited = true;
      events.exit(`could not run: ${error.message}`);
    });
  }

  /** Starts the sandbox and waits for the plugin to load; resolves with the adapter methods it implements. */
  static start(spec: SandboxSpec, events: SandboxEvents): Promise<{ sandbox: SandboxProcess; methods: AdapterMethod[] }> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const sandbox: SandboxProcess = new SandboxProcess(spec, {
        message(message) {
          if (settled) return events.message(message);
          if (message.type === 'ready') return settle(() => resolve({ sandbox, methods: message.methods }));
          if (message.type === 'load_failed') {
            sandbox.kill();
            return settle(() => reject(new PluginHostError('plugin_load_failed', `${spec.pluginId}: ${message.error.message}`, message.error.code)));
          }
          if (message.type === 'log') return events.message(message);
          sandbox.kill();
          settle(() => reject(new PluginHostError('plugin_protocol_error', `${spec.pluginId} sent ${message.type} before it was ready`)));
        },
        protocolError(detail) {
          if (settled) return events.protocolError(detail);
          settle(() => reject(new PluginHostError('plugin_protocol_error', `${spec.pluginId}: ${detail}`)));
        },
        exit(description) {
          if (settled) return events.exit(description);
          settle(() => reject(new PluginHostError('plugin_load_failed', `${spec.pluginId}'s sandbox ${description}`)));
        },
      });
      const timer = setTimeout(() => {
        sandbox.kill();
        settle(() => reject(new PluginHostError('plugin_load_failed', `${spec.pluginId} did not load within ${spec.startTimeoutMs} ms`)));
      }, spec.startTimeoutMs);
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  send(message: HostMessage): void {
    if (this.exited || !this.child.connected) return;
    this.child.send(message, (error) => {
      // The sandbox went away between the check and the write; its exit event reports that.
      if (error) this.kill();
    });
  }

  /** SIGKILL: a plugin that hangs in a loop would never see a gentler signal. */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Resolves once the process is gone. */
  stopped(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
}
