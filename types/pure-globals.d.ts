// Web-standard globals that every runtime we ship on (Node, Electron, browsers) provides.
// Declared here so pure code can use them without pulling in DOM or Node typings.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: string;
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

// The fetch API as the shared HTTP client (common/contract/http-client.ts) uses it: Node 18+, Electron and
// browsers all provide it natively.
declare class URLSearchParams {
  set(name: string, value: string): void;
  toString(): string;
}
declare class URL {
  constructor(url: string, base?: string | URL);
  readonly href: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly origin: string;
  readonly searchParams: URLSearchParams;
  toString(): string;
}
interface AbortSignal {
  readonly aborted: boolean;
}
declare const AbortSignal: { timeout(milliseconds: number): AbortSignal };
interface Blob {
  readonly size: number;
  readonly type: string;
}
interface Headers {
  get(name: string): string | null;
}
interface Response {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: Headers;
  text(): Promise<string>;
  blob(): Promise<Blob>;
}
declare function fetch(input: URL, init: { method: string; headers: Record<string, string>; body?: string | Blob | Uint8Array<ArrayBuffer> | undefined; signal: AbortSignal }): Promise<Response>;
