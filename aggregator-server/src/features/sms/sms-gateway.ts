/** One interface for every way the server sends a text message. */
export interface SmsGateway {
  readonly name: 'outbox' | 'twilio' | 'kannel';
  /** Resolves once the provider accepted the message; rejects with SmsSendError otherwise. */
  send(to: string, body: string): Promise<void>;
}

export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly providerStatus?: number,
  ) {
    super(message);
  }
}
