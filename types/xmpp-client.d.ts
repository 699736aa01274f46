// The small part of @xmpp/client (which ships no types) that the Prosody benchmark uses.
declare module '@xmpp/client' {
  export interface XmlElement {
    name: string;
    attrs: Record<string, string | undefined>;
    is(name: string): boolean;
    getChildText(name: string): string | null;
  }
  /** XEP-0198 stream management: 'ack' when the server confirmed it handled an outbound stanza. */
  export interface StreamManagement {
    on(event: 'ack' | 'fail', listener: (stanza: XmlElement) => void): void;
  }
  export interface XmppClient {
    readonly streamManagement: StreamManagement;
    on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
    on(event: 'online', listener: (address: unknown) => void): void;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: XmlElement): Promise<void>;
  }
  /** `credentials`: the library's hook to pick the SASL mechanism (it prefers SCRAM over PLAIN). */
  export type Authenticate = (credentials: { username: string; password: string }, mechanism: string) => Promise<void>;
  export function client(
    options: { service: string; domain: string; resource?: string } & ({ username: string; password: string } | { credentials: (authenticate: Authenticate, mechanisms: string[]) => Promise<void> }),
  ): XmppClient;
  export function xml(name: string, attrs?: Record<string, string>, ...children: (XmlElement | string)[]): XmlElement;
}
