/**
 * The knowledge console over real HTTP, with the local-mode access stand-in: only curators get
 * in, values are escaped, and the CSV export is quoted and safe to open in a spreadsheet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleServer } from '../helpers/console.js';

let s: Awaited<ReturnType<typeof startConsoleServer>>;
beforeAll(async () => {
  s = await startConsoleServer();
});
afterAll(async () => {
  await s.close();
  await s.cleanup();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, s.url), { headers, redirect: 'manual' });

describe('the knowledge console', () => {
  it('is for curators only: nobody and non-curators get a clear 403 page, and no data', async () => {
    for (const path of [
      '/console/knowledge',
      '/console/knowledge?as=aroha',
      '/console/knowledge?as=sec',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(403);
      const html = await res.text();
      expect(html).toMatch(/for curators/);
      expect(html).not.toContain('drone');
    }
    const csv = await get('/console/knowledge/unanswered.csv?as=aroha');
    expect(csv.status).toBe(403);
    expect(await csv.text()).not.toContain('drone');
  });

  it('shows a curator the health and the grouped questions, escaped, with the CSP', async () => {
    const res = await get('/console/knowledge?as=cara');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/<script|\sstyle=|\son\w+=/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Gifts, koha and hospitality');
    expect(html).toMatch(/<td>3<\/td><td><ul class="examples">/);
    expect(html).toContain('Declined: 1');
    // The cookie set by ?as= lets the next page (the CSV link) through.
    const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect((await get('/console/knowledge', { cookie })).status).toBe(200);
    const declinedOnly = await (
      await get('/console/knowledge?outcome=declined', { cookie })
    ).text();
    expect(declinedOnly).toContain('1 group of similar questions');
    expect(declinedOnly).not.toContain('drone');
  });

  it('exports the groups as CSV, quoted, with formula-looking cells neutralised', async () => {
    const res = await get('/console/knowledge/unanswered.csv?as=cara');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('unanswered-all.csv');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'count,first_asked,last_asked,closest_entry_id,closest_entry_title,closest_score,no_guidance,declined,declined_kinds,example_1,example_2,example_3',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^3,2026-11-27T14:00:00\+13:00,/);
    expect(lines[1]).toContain(`"'=1+2 can we fly a drone, at the ""festival""?"`);
  });
});
