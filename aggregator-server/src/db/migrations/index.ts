import type { Migration } from 'kysely/migration';
import * as identity from './0001-identity.js';
import * as contactsPrivacy from './0002-contacts-privacy.js';
import * as accounts from './0004-accounts.js';
import * as identityHardening from './0005-identity-hardening.js';
import * as discoveryCharges from './0010-discovery-charges.js';
import * as boundAccountInstance from './0011-bound-account-instance.js';
import * as opaqueRefs from './0012-opaque-refs.js';
import * as messages from './0025-messages.js';
import * as attachments from './0026-attachments.js';
import * as publishedIdentities from './0015-published-identities.js';
import * as keyExchange from './0035-key-exchange.js';
import * as webSessions from './0020-web-sessions.js';
import * as interworking from './0080-interworking.js';
import * as profilesPosts from './0060-profiles-posts.js';
import * as sms from './0050-sms.js';
import * as messageSenderDevice from './0090-message-sender-device.js';
import * as groupAdds from './0091-group-adds.js';
import * as postgresSendBatch from './0092-postgres-send-batch.js';
import * as postgresDirectOpening from './0094-postgres-direct-opening.js';
import * as postCountsVersion from './0095-post-counts-version.js';

/** Numbered migrations, applied in name order. Append only: never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001-identity': identity,
  '0002-contacts-privacy': contactsPrivacy,
  '0004-accounts': accounts,
  '0005-identity-hardening': identityHardening,
  '0010-discovery-charges': discoveryCharges,
  '0011-bound-account-instance': boundAccountInstance,
  '0012-opaque-refs': opaqueRefs,
  '0025-messages': messages,
  '0026-attachments': attachments,
  '0015-published-identities': publishedIdentities,
  '0035-key-exchange': keyExchange,
  '0020-web-sessions': webSessions,
  '0080-interworking': interworking,
  '0060-profiles-posts': profilesPosts,
  '0050-sms': sms,
  '0090-message-sender-device': messageSenderDevice,
  '0091-group-adds': groupAdds,
  '0092-postgres-send-batch': postgresSendBatch,
  '0094-postgres-direct-opening': postgresDirectOpening,
  '0095-post-counts-version': postCountsVersion,
};
