import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, SECURITY_HEADERS } from './http.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Options for a server-rendered page. */
export interface PageOptions {
  title: string;
  /** Already-escaped HTML for inside <main>. */
  body: string;
  /** Already-escaped HTML for the header's right-hand side (who is signed in, sign-out). */
  header?: string;
  /** Scripts and styles of our own, by path ('self' only). */
  scripts?: string[];
  styles?: string[];
  /** Origins forms may post to besides 'self' (the provider's sign-out page). */
  formTargets?: string[];
  status?: number;
  headers?: Record<string, string>;
}

/** The content security policy for a server-rendered page: our own files, forms to ourselves. */
export function pageCsp(formTargets: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    `form-action ${["'self'", ...formTargets].join(' ')}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sends a small, accessible HTML page with the security headers. */
export function sendPage(res: ServerResponse, o: PageOptions): void {
  const html = `<!doctype html>
<html lang="en-NZ">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} · Sister City Advisor</title>
<link rel="icon" href="data:,">
${(o.styles ?? []).map((s) => `<link rel="stylesheet" href="${esc(s)}">`).join('\n')}
${(o.scripts ?? []).map((s) => `<script type="module" src="${esc(s)}"></script>`).join('\n')}
</head>
<body>
<a class="skip-link" href="#main">Skip to the main content</a>
<header class="console-header"><p class="console-brand"><a href="/">Sister City Advisor</a></p>${o.header ?? ''}</header>
<main id="main" tabindex="-1">
${o.body}
</main>
</body>
</html>
`;
  res.writeHead(o.status ?? 200, {
    ...SECURITY_HEADERS,
    'content-security-policy': pageCsp(o.formTargets),
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(html),
    ...o.headers,
  });
  res.end(html);
}

/** A 303 See Other redirect (after a POST, or to sign in). */
export function redirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, 'cache-control': 'no-store', ...headers });
  res.end();
}

/** True when the request body is an HTML form (urlencoded). */
export function isForm(req: IncomingMessage): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(String(req.headers['content-type'] ?? ''));
}

/** Reads an urlencoded form body; anything else is a 415. */
export async function readForm(req: IncomingMessage, limit: number): Promise<URLSearchParams> {
  if (!isForm(req))
    throw new HttpError(415, 'unsupported_media_type', 'Send the form as a normal HTML form.');
  return new URLSearchParams((await readBody(req, limit)).toString('utf8'));
}
