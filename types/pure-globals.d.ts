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
