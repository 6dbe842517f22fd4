/**
 * What /slack/events checks before Bolt sees a request, in this order: the timestamp on both
 * sides of now (Bolt checks only the past), the signature (with Bolt's own check), then that
 * the body is something Bolt can dispatch. Every refusal is an HttpError, sent as JSON.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import { isValidSlackRequest } from '@slack/bolt';
import { HttpError } from './http.js';

/** Slack's rule: a request's timestamp is at most five minutes from now, either way. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

const FORM = 'application/x-www-form-urlencoded';

/**
 * The refusal for a request dated more than five minutes from `nowMs`, or undefined. It reads
 * the header as Bolt does (`Number`), so "Infinity" or "1e10" cannot slip past. A missing or
 * non-numeric timestamp fails the signature check instead.
 */
export function timestampRefusal(header: unknown, nowMs: number): HttpError | undefined {
  const at = Number(header);
  if (typeof header !== 'string' || Number.isNaN(at)) return undefined;
  const skew = at - Math.floor(nowMs / 1000);
  if (Math.abs(skew) <= MAX_CLOCK_SKEW_SECONDS) return undefined;
  return new HttpError(
    401,
    'unauthorized',
    `The request timestamp is more than five minutes ${skew > 0 ? 'in the future' : 'old'}.`,
  );
}

/** Parses a body exactly as Bolt 5.1 does: a form (whose `payload` is JSON) or JSON. */
function parseAsBolt(text: string, contentType: unknown): unknown {
  if (contentType !== FORM) return JSON.parse(text);
  const form = parseForm(text);
  return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
}

/**
 * Checks a request to /slack/events; undefined means hand it to Bolt. Slack's ssl_check needs
 * no signature (Bolt strips anything else from it). A signed body must be an object with a
 * string `type` or a slash `command`, as every Slack request is: Bolt 5.1 reads
 * `body.ssl_check` outside its try, so a signed `null` would reject a promise nobody handles
 * and stop the process, and an object of no known type waits 3 s for an ack, then gets 404.
 */
export function requestRefusal(opts: {
  headers: IncomingHttpHeaders;
  body: Buffer;
  signingSecret: string;
  nowMs: number;
}): HttpError | undefined {
  const { headers } = opts;
  const tooFar = timestampRefusal(headers['x-slack-request-timestamp'], opts.nowMs);
  if (tooFar) return tooFar;
  const text = opts.body.toString();
  const contentType = headers['content-type'];
  if (contentType === FORM && parseForm(text).ssl_check === '1') return undefined;
  const signed = isValidSlackRequest({
    signingSecret: opts.signingSecret,
    body: text,
    headers: {
      'x-slack-signature': String(headers['x-slack-signature'] ?? ''),
      'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
    },
    nowMilliseconds: opts.nowMs,
  });
  if (!signed)
    return new HttpError(401, 'unauthorized', 'The request is not signed with the signing secret.');
  let body: unknown;
  try {
    body = parseAsBolt(text, contentType);
  } catch {
    return new HttpError(400, 'bad_body', 'The request body is not valid JSON or form data.');
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof fields.type === 'string' || typeof fields.command === 'string') return undefined;
  return new HttpError(
    400,
    'bad_request',
    'Not a Slack request: expected an object with a "type", or a slash command.',
  );
}
