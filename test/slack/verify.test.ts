/**
 * The checks /slack/events makes before Bolt, with a fixed clock: the timestamp window on both
 * sides, the signature, and bodies Bolt cannot dispatch.
 */
import { describe, expect, it } from 'vitest';
import { requestRefusal, timestampRefusal } from '../../adapters/slack/verify.js';
import { signature } from './harness.js';

const NOW_MS = Date.parse('2026-11-27T01:00:00Z');
const NOW = NOW_MS / 1000;
const SECRET = 'unit-test-secret';

describe('timestampRefusal', () => {
  it('accepts up to five minutes either way, and refuses a second more', () => {
    for (const skew of [0, 299, 300, -300, -299]) {
      expect(timestampRefusal(String(NOW + skew), NOW_MS), String(skew)).toBeUndefined();
    }
    expect(timestampRefusal(String(NOW + 301), NOW_MS)?.message).toMatch(/in the future/);
    expect(timestampRefusal(String(NOW - 301), NOW_MS)?.message).toMatch(/old/);
    expect(timestampRefusal(String(NOW + 301), NOW_MS)?.status).toBe(401);
  });

  it('reads the header as Bolt does, so Infinity and exponents cannot slip through', () => {
    for (const header of ['Infinity', '1e10', '0x7fffffff', `${NOW + 3600}.5`]) {
      expect(timestampRefusal(header, NOW_MS), header).toBeDefined();
    }
  });

  it('leaves a missing or non-numeric timestamp to the signature check', () => {
    expect(timestampRefusal(undefined, NOW_MS)).toBeUndefined();
    expect(timestampRefusal('yesterday', NOW_MS)).toBeUndefined();
  });
});

describe('requestRefusal', () => {
  const check = (body: string, at: number, contentType = 'application/json', secret = SECRET) =>
    requestRefusal({
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(at),
        'x-slack-signature': signature(secret, at, body),
      },
      body: Buffer.from(body),
      signingSecret: SECRET,
      nowMs: NOW_MS,
    });

  it('passes a signed event or slash command to Bolt', () => {
    expect(check('{"type":"event_callback","event":{}}', NOW)).toBeUndefined();
    expect(
      check('command=%2Fpretrip&text=', NOW, 'application/x-www-form-urlencoded'),
    ).toBeUndefined();
  });

  it('refuses a correctly signed request from 10 minutes ahead', () => {
    expect(check('{"type":"event_callback"}', NOW + 600)?.status).toBe(401);
  });

  it('refuses a bad signature with 401 before looking at the body', () => {
    expect(check('null', NOW, 'application/json', 'wrong-secret')?.status).toBe(401);
  });

  it('refuses signed bodies Bolt cannot dispatch with 400', () => {
    expect(check('null', NOW)?.code).toBe('bad_request');
    expect(check('[1]', NOW)?.code).toBe('bad_request');
    expect(check('{"type":5}', NOW)?.code).toBe('bad_request');
    expect(check('payload=null', NOW, 'application/x-www-form-urlencoded')?.code).toBe(
      'bad_request',
    );
    expect(check('{"type":', NOW)?.code).toBe('bad_body');
  });

  it("lets Slack's unsigned ssl_check through, as Bolt does", () => {
    const refusal = requestRefusal({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('ssl_check=1&token=x'),
      signingSecret: SECRET,
      nowMs: NOW_MS,
    });
    expect(refusal).toBeUndefined();
  });
});
