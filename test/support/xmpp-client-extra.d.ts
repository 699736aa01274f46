// More of @xmpp/client (which ships no types) than types/xmpp-client.d.ts declares: what the XMPP
// person of the interworking tests uses. Ambient module declarations of one name merge.
declare module '@xmpp/client' {
  interface XmlElement {
    getChild(name: string, xmlns?: string): XmlElement | undefined;
    getChildElements(): XmlElement[];
    toString(): string;
  }
  interface XmppClient {
    status: string;
    on(event: 'offline' | 'disconnect', listener: () => void): void;
  }
}
