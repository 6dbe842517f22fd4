import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http.js';

/**
 * Refuses a state-changing request that a browser says came from another site: an `Origin`
 * other than ours, or `Sec-Fetch-Site` other than same-origin. Scripts and tools that send
 * neither header pass here; the CSRF token is the other half of the check.
 */
export function checkSameOrigin(req: IncomingMessage, expectedOrigin: string): void {
  const site = req.headers['sec-fetch-site'];
  // A browser sets Sec-Fetch-Site itself and a page cannot change it. It is the better signal:
  // under "Referrer-Policy: no-referrer" a same-origin form post says "Origin: null".
  if (site === 'same-origin') return;
  if (site !== undefined && site !== 'none') throw crossSite();
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== expectedOrigin) throw crossSite();
}

function crossSite(): HttpError {
  return new HttpError(
    403,
    'cross_site',
    'This request came from another site, so it was refused. Use the page on this site.',
  );
}
