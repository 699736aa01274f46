import { randomUUID } from 'node:crypto';
import type { IdentityLimits } from '../../config.js';
import type { Clock } from '../../platform/clock.js';
import { generateOtp, generateToken, hashToken, type Keyring } from '../../platform/crypto.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import { ApiError, tooManyRequests } from '../../http/api-error.js';
import { parsePhone } from '../../../../common/phone/phone.js';
import type { StartVerificationResponse } from '../../../../common/contract/identity.js';
import type { SmsGateway } from '../sms/sms-gateway.js';
import type { IdentityRepository, VerificationRecord } from './identity.repository.js';
import type { PhoneGuard } from './phone-guard.js';

const hourMs = 60 * 60_000;
const dayMs = 24 * hourMs;

export function normalisePhoneOrThrow(phone: string, region: string | undefined): string {
  const parsed = parsePhone(phone, region);
  if (!parsed.ok) {
    const message =
      parsed.reason === 'region_required'
        ? 'a national number needs a region, e.g. "region": "CN"'
        : `not a valid phone number (${parsed.reason})`;
    throw new ApiError(400, 'invalid_phone', message, { reason: parsed.reason });
  }
  return parsed.e164;
}

/**
 * SMS one-time codes (M1). The service never looks at whether the number is registered, so its
 * answers cannot tell anyone who uses Switchboard.
 */
export class VerificationService {
  constructor(
    private readonly deps: {
      repo: IdentityRepository;
      sms: SmsGateway;
      limiter: RateLimiter;
      guard: PhoneGuard;
      keyring: Keyring;
      clock: Clock;
      limits: IdentityLimits;
      log: Logger;
    },
  ) {}

  async start(input: { phone: string; region?: string | undefined }, ip: string): Promise<StartVerificationResponse> {
    const { repo, limiter, limits, clock, guard } = this.deps;
    const phone = normalisePhoneOrThrow(input.phone, input.region);
    const byIp = await limiter.hit(`sms:ip:${ip}`, limits.sendsPerIpPerHour, hourMs);
    if (!byIp.allowed) throw tooManyRequests('too_many_requests', 'too many codes requested from this address', byIp.retryAfterMs);
    await guard.assertMayTry(phone);

    const now = clock.now();
    const open = await repo.findOpenVerification(phone, now);
    if (open) return this.resend(open, now);

    await this.assertPhoneQuota(phone);
    const code = generateOtp();
    const verification: VerificationRecord = {
      id: randomUUID(),
      phone,
      codeHash: this.codeHash(phone, code),
      createdAt: now,
      expiresAt: now + limits.codeTtlMs,
      sends: 1,
      lastSentAt: now,
      wrongChecks: 0,
      consumedAt: null,
    };
    await repo.createVerification(verification);
    await this.deliver(verification, code);
    return this.answer(verification.id, verification.expiresAt, 1, now);
  }

  async check(verificationId: string, code: string, ip: string): Promise<{ ticket: string }> {
    const { repo, limiter, limits, clock, guard } = this.deps;
    const byIp = await limiter.hit(`check:ip:${ip}`, limits.checksPerIpPerHour, hourMs);
    if (!byIp.allowed) throw tooManyRequests('too_many_requests', 'too many checks from this address', byIp.retryAfterMs);

    const verification = await repo.findVerification(verificationId);
    if (!verification) throw new ApiError(404, 'not_found', 'no such verification');
    const now = clock.now();
    if (verification.consumedAt !== null || verification.expiresAt <= now) {
      throw new ApiError(410, 'expired', 'this code has expired or was already used; ask for a new one');
    }
    if (verification.wrongChecks >= limits.maxChecksPerVerification) {
      throw new ApiError(429, 'too_many_attempts', 'too many wrong codes; ask for a new one', { attemptsLeft: 0 });
    }
    await guard.assertMayTry(verification.phone);

    const matches = this.deps.keyring.verifyKeyedHash(this.codePurpose(verification.phone), code, verification.codeHash);
    if (!matches) {
      const wrongChecks = await repo.recordWrongCheck(verification.id);
      await guard.recordFailure(verification.phone);
      const attemptsLeft = Math.max(0, limits.maxChecksPerVerification - wrongChecks);
      throw new ApiError(400, 'invalid_code', 'the code is not right', { attemptsLeft });
    }
    if (!(await repo.consumeVerification(verification.id, now))) {
      throw new ApiError(410, 'expired', 'this code was already used; ask for a new one');
    }
    await guard.recordSuccess(verification.phone);
    const ticket = generateToken();
    await repo.createTicket(hashToken(ticket), verification.phone, now + limits.ticketTtlMs);
    return { ticket };
  }

  private async resend(open: VerificationRecord, now: number): Promise<StartVerificationResponse> {
    const { limits, repo } = this.deps;
    if (open.sends >= limits.maxSendsPerVerification) {
      throw tooManyRequests('too_many_requests', 'no more codes for this number now; try again later', open.expiresAt - now);
    }
    const readyAt = open.lastSentAt + this.cooldownAfter(open.sends);
    if (readyAt > now) throw tooManyRequests('resend_too_soon', 'a code was just sent; wait before asking again', readyAt - now);
    await this.assertPhoneQuota(open.phone);
    const code = generateOtp();
    const expiresAt = now + limits.codeTtlMs;
    await repo.recordResend(open.id, this.codeHash(open.phone, code), now, expiresAt);
    await this.deliver({ ...open, lastSentAt: now, expiresAt }, code);
    return this.answer(open.id, expiresAt, open.sends + 1, now);
  }

  private async assertPhoneQuota(phone: string): Promise<void> {
    const byPhone = await this.deps.limiter.hit(`sms:phone:${phone}`, this.deps.limits.sendsPerPhonePerDay, dayMs);
    if (!byPhone.allowed) throw tooManyRequests('too_many_requests', 'too many codes sent to this number today', byPhone.retryAfterMs);
  }

  private async deliver(verification: VerificationRecord, code: string): Promise<void> {
    const minutes = Math.round(this.deps.limits.codeTtlMs / 60_000);
    const body = `Your Switchboard code is ${code}. It expires in ${minutes} minutes. Never share it.`;
    try {
      await this.deps.sms.send(verification.phone, body);
    } catch (error) {
      // The code never reached the phone: close the verification so the next request starts afresh.
      await this.deps.repo.consumeVerification(verification.id, this.deps.clock.now());
      this.deps.log.error({ provider: this.deps.sms.name, reason: (error as Error).message }, 'sms delivery failed');
      throw new ApiError(503, 'unavailable', 'the code could not be sent; try again shortly');
    }
  }

  /** Cooldown before the next send, growing with each send: 30 s, 60 s, then 120 s. */
  private cooldownAfter(sends: number): number {
    const cooldowns = this.deps.limits.resendCooldownsMs;
    return cooldowns[Math.min(sends - 1, cooldowns.length - 1)] ?? 0;
  }

  private answer(id: string, expiresAt: number, sends: number, now: number): StartVerificationResponse {
    const resendIn = sends >= this.deps.limits.maxSendsPerVerification ? Math.ceil((expiresAt - now) / 1000) : this.cooldownAfter(sends) / 1000;
    return { verificationId: id, expiresIn: Math.ceil((expiresAt - now) / 1000), resendIn };
  }

  private codePurpose(phone: string): string {
    return `otp:${phone}`;
  }

  private codeHash(phone: string, code: string): string {
    return this.deps.keyring.keyedHash(this.codePurpose(phone), code);
  }
}
