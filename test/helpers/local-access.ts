/** A test double of the web access rules: the viewer names themselves with ?as=, kept in a cookie. */
/**
 * A stand-in `WebAccess` for local mode, until the OpenID Connect implementation replaces it at
 * merge: like the web chat's role picker, the viewer says who they are (`?as=<web id>`, kept in
 * a cookie for the pages that follow), and the role comes from the ids listed in the contacts
 * file. It proves nothing about identity, so `src/main.ts` mounts the consoles with it only when
 * the server listens on this machine alone.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Viewer, WebAccess, WebRole } from '../../adapters/web/access.js';
import { HttpError, SECURITY_HEADERS, sendError } from '../../adapters/web/http.js';

const COOKIE = 'sca_local_user';
const ID = /^[A-Za-z0-9._@:-]{1,128}$/;

/** Web chat ids per role, from the contacts file. */
export interface LocalRoles {
  curator: ReadonlySet<string>;
  contact: ReadonlySet<string>;
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><html lang="en-NZ"><head><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="/console/console.css"></head><body><main id="main"><h1>${title}</h1><p>${text}</p></main></body></html>`;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Local mode: the viewer is whoever `?as=` or the cookie names. */
export class LocalWebAccess implements WebAccess {
  readonly signInRequired = false;
  readonly loginPath = '/';
  private readonly secret = randomBytes(32);

  constructor(private readonly roles: LocalRoles) {}

  private idOf(req: IncomingMessage): string | undefined {
    const asked = new URL(req.url ?? '/', 'http://local').searchParams.get('as');
    if (asked !== null) return ID.test(asked) ? asked : undefined;
    const cookie = String(req.headers.cookie ?? '')
      .split(/;\s*/)
      .find((c) => c.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1);
    const id = cookie ? decodeURIComponent(cookie) : undefined;
    return id && ID.test(id) ? id : undefined;
  }

  async viewer(req: IncomingMessage): Promise<Viewer | undefined> {
    const id = this.idOf(req);
    if (!id) return undefined;
    const roles = new Set<WebRole>();
    if (this.roles.curator.has(id)) roles.add('curator');
    if (this.roles.contact.has(id)) roles.add('contact');
    return { id, roles, signedIn: false };
  }

  csrfToken(viewer: Viewer): string {
    return createHmac('sha256', this.secret).update(viewer.id).digest('base64url');
  }

  checkCsrf(req: IncomingMessage, viewer: Viewer): void {
    const given = Buffer.from(String(req.headers['x-csrf-token'] ?? ''));
    const want = Buffer.from(this.csrfToken(viewer));
    if (given.length !== want.length || !timingSafeEqual(given, want))
      throw new HttpError(
        403,
        'csrf',
        'This request is missing its security token. Reload the page.',
      );
  }

  async require(
    req: IncomingMessage,
    res: ServerResponse,
    role: WebRole | 'any',
    kind: 'page' | 'api',
  ): Promise<Viewer | undefined> {
    const viewer = await this.viewer(req);
    if (viewer && new URL(req.url ?? '/', 'http://local').searchParams.has('as'))
      res.setHeader(
        'set-cookie',
        `${COOKIE}=${encodeURIComponent(viewer.id)}; Path=/console; HttpOnly; SameSite=Strict`,
      );
    const allowed = viewer && (role === 'any' || viewer.roles.has(role));
    if (allowed) return viewer;
    const who =
      role === 'curator'
        ? 'curators'
        : role === 'contact'
          ? 'security contacts'
          : 'signed-in staff';
    if (kind === 'api') {
      sendError(
        res,
        viewer
          ? new HttpError(403, 'forbidden', `This is for ${who} only.`)
          : new HttpError(401, 'unauthorized', 'Say who you are first.'),
      );
    } else if (!viewer) {
      page(
        res,
        403,
        'Who are you?',
        `This page is for ${who}. In local mode, open it with ?as= and your web chat id, as listed in the contacts file.`,
      );
    } else {
      page(
        res,
        403,
        'Not available',
        `This page is for ${who} only. Ask whoever looks after the contacts file to add you.`,
      );
    }
    return undefined;
  }
}
