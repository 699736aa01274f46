import { randomUUID } from 'node:crypto';
import type { IdentityLimits } from '../../config.js';
import type { Clock } from '../../platform/clock.js';
import { generateOtp, generateToken, hashToken, type Keyring } from '../../platform/crypto.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import { ApiError, tooManyRequests } from '../../http/api-error.js';
import { parsePhone } from '#common/phone/phone.js';
import type { StartVerificationResponse } from '#common/contract/identity.js';
import type { SmsGateway } from '../sms/sms-gateway.js';
import type { IdentityRepository, VerificationRecord } from './identity.repository.js';

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
 * answers cannot tell anyone who uses Switchboard. The limits (IdentityLimits) hold back whoever asks
 * and guesses, per address and per verification; none of them lets a stranger keep the number's owner
 * from getting and using a code.
 */
export class VerificationService {
  constructor(
    private readonly deps: {
      repo: IdentityRepository;
      sms: SmsGateway;
      limiter: RateLimiter;
      keyring: Keyring;
      clock: Clock;
      limits: IdentityLimits;
      log: Logger;
    },
  ) {}

  async start(input: { phone: string; region?: string | undefined }, ip: string): Promise<StartVerificationResponse> {
    const { repo, limiter, limits, clock, keyring } = this.deps;
    const phone = normalisePhoneOrThrow(input.phone, input.region);
    const byIp = await limiter.hit(`sms:ip:${ip}`, limits.sendsPerIpPerHour, hourMs);
    if (!byIp.allowed) throw tooManyRequests('too_many_requests', 'too many codes requested from this address', byIp.retryAfterMs);

    // A verification belongs to the address that asked for it: another address asking for the same
    // number gets a verification of its own, so nobody can spend (or guess on) the owner's.
    const requesterHash = keyring.keyedHash('verification-requester', ip);
    const now = clock.now();
    const open = await repo.findOpenVerification(phone, requesterHash, now);
    if (open) return this.resend(open, ip, now);

    await this.assertPhoneQuota(phone, ip);
    const code = generateOtp();
    const verification: VerificationRecord = {
      id: randomUUID(),
      phone,
      codeHash: this.codeHash(phone, code),
      createdAt: now,
      expiresAt: now + limits.codeTtlMs,
      sends: 1,
      lastSentAt: now,
      checksUsed: 0,
      consumedAt: null,
      requesterHash,
    };
    await repo.createVerification(verification);
    await this.deliver(verification, code);
    return this.answer(verification.id, verification.expiresAt, 1, now);
  }

  async check(verificationId: string, code: string, ip: string): Promise<{ ticket: string }> {
    const { repo, limiter, limits, clock } = this.deps;
    const byIp = await limiter.hit(`check:ip:${ip}`, limits.checksPerIpPerHour, hourMs);
    if (!byIp.allowed) throw tooManyRequests('too_many_requests', 'too many checks from this address', byIp.retryAfterMs);

    const now = clock.now();
    // The check is charged before the code is compared: parallel guesses cannot share one reading of the count.
    const verification = await repo.reserveCheck(verificationId, now, limits.maxChecksPerVerification);
    if (!verification) throw await this.whyNoCheck(verificationId, now);

    const matches = this.deps.keyring.verifyKeyedHash(this.codePurpose(verification.phone), code, verification.codeHash);
    if (!matches) {
      const attemptsLeft = Math.max(0, limits.maxChecksPerVerification - verification.checksUsed);
      throw new ApiError(400, 'invalid_code', 'the code is not right', { attemptsLeft });
    }
    if (!(await repo.consumeVerification(verification.id, now))) {
      throw new ApiError(410, 'expired', 'this code was already used; ask for a new one');
    }
    const ticket = generateToken();
    await repo.createTicket(hashToken(ticket), verification.phone, now + limits.ticketTtlMs);
    return { ticket };
  }

  /** Why no check could be reserved: unknown, used or expired, or out of checks until a new code is sent. */
  private async whyNoCheck(verificationId: string, now: number): Promise<ApiError> {
    const verification = await this.deps.repo.findVerification(verificationId);
    if (!verification) return new ApiError(404, 'not_found', 'no such verification');
    if (verification.consumedAt !== null || verification.expiresAt <= now) {
      return new ApiError(410, 'expired', 'this code has expired or was already used; ask for a new one');
    }
    const readyAt = verification.lastSentAt + this.cooldownAfter(verification.sends);
    const retryAfterMs = verification.sends >= this.deps.limits.maxSendsPerVerification ? verification.expiresAt - now : readyAt - now;
    return new ApiError(429, 'too_many_attempts', 'too many wrong codes; ask for a new one', {
      attemptsLeft: 0,
      retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    });
  }

  private async resend(open: VerificationRecord, ip: string, now: number): Promise<StartVerificationResponse> {
    const { limits, repo } = this.deps;
    if (open.sends >= limits.maxSendsPerVerification) {
      throw tooManyRequests('too_many_requests', 'no more codes for this number now; try again later', open.expiresAt - now);
    }
    const readyAt = open.lastSentAt + this.cooldownAfter(open.sends);
    if (readyAt > now) throw tooManyRequests('resend_too_soon', 'a code was just sent; wait before asking again', readyAt - now);
    await this.assertPhoneQuota(open.phone, ip);
    const code = generateOtp();
    const expiresAt = now + limits.codeTtlMs;
    // The new code comes with a fresh budget of checks: a verification spent on wrong guesses is not dead.
    await repo.recordResend(open.id, this.codeHash(open.phone, code), now, expiresAt);
    await this.deliver({ ...open, lastSentAt: now, expiresAt }, code);
    return this.answer(open.id, expiresAt, open.sends + 1, now);
  }

  /**
   * Per (number, address) a daily cap; per number from all addresses a daily cap past which only an
   * address's first code of the day still goes out, so the owner asking from their own address is
   * always served even when someone else spent the number's quota.
   */
  private async assertPhoneQuota(phone: string, ip: string): Promise<void> {
    const { limiter, limits } = this.deps;
    const byPair = await limiter.hit(`sms:phone-ip:${phone}:${ip}`, limits.sendsPerPhonePerAddressPerDay, dayMs);
    if (!byPair.allowed) throw tooManyRequests('too_many_requests', 'too many codes sent to this number from this address today', byPair.retryAfterMs);
    const byPhone = await limiter.hit(`sms:phone:${phone}`, limits.sendsPerPhonePerDay, dayMs);
    if (!byPhone.allowed && byPair.count > 1) {
      throw tooManyRequests('too_many_requests', 'too many codes sent to this number today', byPhone.retryAfterMs);
    }
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
