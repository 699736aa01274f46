import type { RequestHandler } from 'express';
import type { ContactLimits } from '../../config.js';
import { tooManyRequests } from '../../http/api-error.js';
import { earlyAuthOf } from '../../http/mount-route.js';
import { declaredBodyBytes } from '../../http/body-limits.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';

const dayMs = 24 * 60 * 60_000;

/**
 * Address-book uploads are the one large body. Each signed-in upload is charged its size against the
 * user's daily byte budget before the body is read, so uploads the server then refuses (too large, not
 * JSON, invalid) cost the sender as much as accepted ones and cannot be repeated for free. Mounted after
 * requireAuth and before the JSON parser.
 */
export function addressBookUploadBudget(deps: { limiter: RateLimiter; limits: ContactLimits }): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'PUT' && req.method !== 'PATCH') return next();
    const { limiter, limits } = deps;
    const bytes = Math.max(1, declaredBodyBytes(req.headers, limits.maxUploadBytes));
    const decision = await limiter.hit(`upload-bytes:user:${earlyAuthOf(req).user.id}`, limits.uploadBytesPerUserPerDay, dayMs, bytes);
    if (!decision.allowed) {
      // The connection is closed after the answer: the unread body is not worth receiving.
      res.setHeader('connection', 'close');
      throw tooManyRequests('too_many_requests', 'too many address-book uploads today; try again later', decision.retryAfterMs);
    }
    next();
  };
}
