import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWebAccess, type WebAccessSetup } from '../../adapters/web/auth/index.js';
import { mountCaseConsole } from '../../adapters/web/console/cases.js';
import { knowledgeConsoleRoutes } from '../../adapters/web/console/knowledge.js';
import { WebInbox } from '../../adapters/web/inbox.js';
import { WebServer } from '../../adapters/web/server.js';
import { type Advisor, createAdvisor } from '../../src/app.js';
import { type Clock, fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';

/** The small fixture knowledge folder used by unit and API tests. */
export const FIXTURE_KNOWLEDGE = fileURLToPath(new URL('../fixtures/knowledge', import.meta.url));
/** The shipped knowledge folder. */
export const SHIPPED_KNOWLEDGE = fileURLToPath(new URL('../../knowledge', import.meta.url));

/** A running web server over a real advisor, with a temporary data directory on disk. */
export interface TestServer {
  url: URL;
  advisor: Advisor;
  inbox: WebInbox;
  web: WebServer;
  dataDir: string;
  clock: Clock & { advance(ms: number): void };
  /** POSTs JSON to a path and returns status and parsed body. */
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts the real web server on 127.0.0.1:0 with the given knowledge folder. */
export async function startTestServer(
  opts: {
    knowledgeDir?: string;
    env?: Record<string, string>;
    /** The web access (sign-in); default: local mode knowing the advisor's contacts. */
    access?: (advisor: Advisor) => WebAccessSetup;
    /** Mount the security contact's console. */
    caseConsole?: boolean;
    /** Mount the curator's knowledge console (after the case console, as src/main.ts does). */
    knowledgeConsole?: boolean;
    /** Listen on this port (sign-in needs PUBLIC_URL known in advance). */
    port?: number;
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sca-test-'));
  const config = loadConfig({
    KNOWLEDGE_DIR: opts.knowledgeDir ?? FIXTURE_KNOWLEDGE,
    DATA_DIR: dataDir,
    ...opts.env,
  });
  const logger = silentLogger();
  const clock = fixedClock('2026-11-27T01:00:00Z');
  const inbox = new WebInbox();
  const advisor = await createAdvisor(config, logger, {
    clock,
    notifiers: new Map([['web', inbox]]),
  });
  const setup =
    opts.access?.(advisor) ??
    createWebAccess({ clock, logger, contacts: () => advisor.cases?.contacts });
  const web = new WebServer({
    bot: advisor.bot,
    inbox,
    logger,
    health: () => ({ entries: advisor.knowledge.entries.length }),
    access: setup.access,
  });
  for (const route of setup.routes) web.mount(route);
  if (opts.caseConsole && advisor.cases)
    mountCaseConsole(web, { cases: advisor.cases, clock, logger });
  if (opts.knowledgeConsole)
    for (const route of knowledgeConsoleRoutes({
      access: setup.access,
      curation: advisor.curation,
    }))
      web.mount(route);
  const url = await web.listen(opts.port ?? 0, '127.0.0.1');
  return {
    url,
    advisor,
    inbox,
    web,
    dataDir,
    clock,
    async post(path, body) {
      const res = await fetch(new URL(path, url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await web.close();
      await advisor.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
