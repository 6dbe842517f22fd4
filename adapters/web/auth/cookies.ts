import type { IncomingMessage } from 'node:http';

/** The cookies a request carries, by name (the first of a repeated name wins). */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!jar.has(name)) jar.set(name, part.slice(eq + 1).trim());
  }
  return jar;
}

/** How a cookie is set. */
export interface CookieOptions {
  /** Seconds until it expires; 0 deletes it. */
  maxAge: number;
  secure: boolean;
  /** Lax by default: sent on a top-level GET from elsewhere (the provider's redirect back). */
  sameSite?: 'Lax' | 'Strict';
}

/** A Set-Cookie value: HttpOnly, Path=/, no Domain (so it stays with this host). */
export function setCookie(name: string, value: string, o: CookieOptions): string {
  return [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    `SameSite=${o.sameSite ?? 'Lax'}`,
    `Max-Age=${Math.max(0, Math.floor(o.maxAge))}`,
    ...(o.secure ? ['Secure'] : []),
  ].join('; ');
}
