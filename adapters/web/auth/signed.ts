import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { Clock } from '../../../src/clock.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/**
 * Signed, expiring values for cookies: `v1.<payload>.<HMAC-SHA256>`, each part base64url. The
 * expiry (`exp`, seconds since 1970) is inside the signed payload, so it cannot be stretched.
 * Anything forged, tampered, expired or of the wrong shape reads as nothing.
 */
export class Signer {
  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
  ) {}

  private mac(purpose: string, body: string): Buffer {
    return createHmac('sha256', this.secret).update(`${purpose}\n${body}`).digest();
  }

  /** Signs `value` for `purpose` (a session and a login cannot stand in for each other), valid `seconds`. */
  sign(purpose: string, value: object, seconds: number): string {
    const exp = Math.floor(this.clock.now().getTime() / 1000) + seconds;
    const body = `v1.${b64(JSON.stringify({ ...value, exp }))}`;
    return `${body}.${this.mac(purpose, body).toString('base64url')}`;
  }

  /** The value if the signature is right, it has not expired and it fits `schema`; else undefined. */
  verify<T extends { exp: number }>(
    purpose: string,
    token: string | undefined,
    schema: z.ZodType<T>,
  ): T | undefined {
    if (!token || token.length > 4096) return undefined;
    const dot = token.lastIndexOf('.');
    if (dot < 0 || !token.startsWith('v1.')) return undefined;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(purpose, body);
    // timingSafeEqual needs equal lengths; the length of a MAC is no secret.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body.slice(3), 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return undefined;
    return parsed.data.exp * 1000 > this.clock.now().getTime() ? parsed.data : undefined;
  }
}
