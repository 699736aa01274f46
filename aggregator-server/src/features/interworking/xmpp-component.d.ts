// The part of @xmpp/component 0.13 (which ships no types) that the bridge uses: an XEP-0114 connection
// whose stanzas are ltx elements.
declare module '@xmpp/component' {
  export interface XmlElement {
    name: string;
    attrs: Record<string, string | undefined>;
    children: (XmlElement | string)[];
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): XmlElement | undefined;
    getChildren(name: string, xmlns?: string): XmlElement[];
    getChildElements(): XmlElement[];
    getChildText(name: string, xmlns?: string): string | null;
    getNS(): string | undefined;
    text(): string;
    toString(): string;
  }
  export type ComponentStatus = 'offline' | 'connecting' | 'connect' | 'opening' | 'open' | 'online' | 'closing' | 'close' | 'disconnecting' | 'disconnect';
  export interface XmppComponent {
    status: ComponentStatus;
    on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
    on(event: 'online' | 'offline' | 'disconnect', listener: () => void): void;
    on(event: 'status', listener: (status: ComponentStatus) => void): void;
    removeAllListeners(): void;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: XmlElement): Promise<void>;
    reconnect: { stop(): void };
    iqCaller: { request(element: XmlElement, timeoutMs?: number): Promise<XmlElement> };
  }
  export function component(options: { service: string; domain: string; password: string }): XmppComponent;
  export function xml(name: string, attrs?: Record<string, string | undefined>, ...children: (XmlElement | string | undefined)[]): XmlElement;
}
