/** The knowledge console on a real test server, with the local-mode access stand-in. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knowledgeConsoleRoutes } from '../../adapters/web/console/knowledge.js';
import { LocalWebAccess } from './local-access.js';
import { startTestServer, type TestServer } from './server.js';

export const CONTACTS_WITH_CURATORS = `primary:
  name: Sam Security
  web: sec
curators:
  - name: Cara Curator
    email: cara@council.govt.nz
    web: cara
`;

/** A test server with recording on, a curator (web id "cara"), and the console mounted. */
export async function startConsoleServer(): Promise<TestServer & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sca-contacts-'));
  const file = join(dir, 'contacts.yaml');
  await writeFile(file, CONTACTS_WITH_CURATORS);
  const s = await startTestServer({ env: { RECORD_UNANSWERED: 'true', CONTACTS_FILE: file } });
  const curator = new Set(s.advisor.curators.flatMap((c) => (c.web ? [c.web] : [])));
  const access = new LocalWebAccess({ curator, contact: new Set(['sec']) });
  for (const r of knowledgeConsoleRoutes({ access, curation: s.advisor.curation })) s.web.mount(r);
  const user = { platform: 'web' as const, id: 'aroha' };
  for (const text of [
    'Can we fly a drone at the festival? <script>alert(1)</script>',
    'can we fly drones at the festival',
    '=1+2 can we fly a drone, at the "festival"?',
    'Is the mayor a foreign agent?',
  ])
    await s.advisor.bot.handle({ user, conversation: { id: 'dm', kind: 'direct' }, text });
  await s.advisor.unanswered.idle();
  await s.advisor.store.addFeedback({
    at: '2026-11-26T00:00:00.000Z',
    user: 'u',
    entryId: 'gifts-koha',
    helpful: false,
  });
  return { ...s, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
