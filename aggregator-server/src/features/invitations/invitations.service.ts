import type { InvitationRequest } from '#common/contract/invitations.js';
import type { Keyring } from '../../platform/crypto.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import { ApiError, tooManyRequests } from '../../http/api-error.js';
import type { AuthContext } from '../identity/session.service.js';
import type { SmsGateway } from '../sms/sms-gateway.js';

const dayMs = 24 * 60 * 60_000;

export interface InvitationLimits {
  /** Invitations one user may send per day. */
  perInviterPerDay: number;
  /** Invitations one number may receive per day, from everyone together: nobody is flooded. */
  perNumberPerDay: number;
}

export const defaultInvitationLimits: InvitationLimits = { perInviterPerDay: 20, perNumberPerDay: 1 };

/** The SMS, in the inviter's language, naming the inviter by number (the receiver knows numbers, not accounts). */
export function invitationText(language: InvitationRequest['language'], inviterPhone: string, link: string | undefined): string {
  if (language === 'zh-CN') return `${inviterPhone} 邀请你使用 Switchboard：一眼看到联系人此刻在用哪些聊天应用。${link === undefined ? '' : `下载：${link}`}`;
  return `${inviterPhone} invites you to Switchboard: see which messaging apps your contacts use right now.${link === undefined ? '' : ` Get it at ${link}`}`;
}

/**
 * Invitations (issue 12 item 3). Both limits are charged before the SMS goes out, the number's under a
 * keyed hash so the limiter's keys reveal no numbers. The answer is the same for users and non-users.
 */
export class InvitationsService {
  constructor(
    private readonly deps: { sms: SmsGateway; limiter: RateLimiter; keyring: Keyring; publicUrl: string | undefined; limits: InvitationLimits },
  ) {}

  async invite(auth: AuthContext, request: InvitationRequest): Promise<{ sent: true }> {
    const inviterPhone = auth.user.phone;
    if (request.phone === inviterPhone) throw new ApiError(422, 'validation_failed', 'this is your own number');
    const byInviter = await this.deps.limiter.hit(`invite:user:${auth.user.id}`, this.deps.limits.perInviterPerDay, dayMs);
    if (!byInviter.allowed) throw tooManyRequests('too_many_requests', 'too many invitations today', byInviter.retryAfterMs);
    const byNumber = await this.deps.limiter.hit(`invite:number:${this.deps.keyring.phoneHash(request.phone)}`, this.deps.limits.perNumberPerDay, dayMs);
    if (!byNumber.allowed) throw tooManyRequests('too_many_requests', 'this number was invited today already', byNumber.retryAfterMs);
    await this.deps.sms.send(request.phone, invitationText(request.language, inviterPhone, this.deps.publicUrl));
    return { sent: true };
  }
}
