import type { ServerConfig } from '../../config.js';
import { KannelGateway } from './kannel-gateway.js';
import { OutboxGateway } from './outbox-gateway.js';
import type { SmsGateway } from './sms-gateway.js';
import { TwilioGateway } from './twilio-gateway.js';

export function createSmsGateway(sms: ServerConfig['sms'], print?: (line: string) => void): SmsGateway {
  switch (sms.provider) {
    case 'twilio':
      if (!sms.twilio) throw new Error('twilio settings missing');
      return new TwilioGateway(sms.twilio);
    case 'kannel':
      if (!sms.kannel) throw new Error('kannel settings missing');
      return new KannelGateway(sms.kannel);
    case 'outbox':
      return new OutboxGateway(print ? { print } : {});
  }
}
