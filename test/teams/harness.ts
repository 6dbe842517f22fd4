import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTeamsAdapter,
  type TeamsEndpoint,
  type TeamsSettings,
} from '../../adapters/teams/index.js';
import { type Advisor, createAdvisor } from '../../src/app.js';
import { type Clock, fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { Notifier, Platform } from '../../src/model.js';
import { ConnectorStub } from './connector.js';

/** The small fixture knowledge folder. */
export const FIXTURE_KNOWLEDGE = fileURLToPath(new URL('../fixtures/knowledge', import.meta.url));
/** The tenant every test activity comes from. */
export const TENANT = 'tenant-0001';
/** The bot's Teams account. */
export const BOT = { id: '28:bot-app-id', name: 'Sister City Advisor' };
/** The configured primary security contact's Teams account. */
export const CONTACT = { id: '29:contact-primary', name: 'Sam Security' };
/** The configured backup contact's Teams account. */
export const BACKUP = { id: '29:contact-backup', name: 'Bea Backup' };

/** A real advisor, our Teams handler on a loopback HTTP server, and a connector stub. */
export interface TeamsHarness {
  url: URL;
  advisor: Advisor;
  teams: TeamsEndpoint;
  stub: ConnectorStub;
  dataDir: string;
  clock: Clock & { advance(ms: number): void };
  /** POSTs a body to /api/messages; returns status and parsed JSON body (or null). */
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts everything; `settings` and `authOverrides` go to createTeamsAdapter. */
export async function startTeams(
  opts: {
    settings?: TeamsSettings;
    authOverrides?: Record<string, string>;
    env?: Record<string, string>;
    stub?: ConnectorStub;
  } = {},
): Promise<TeamsHarness> {
  const stub = opts.stub ?? (await new ConnectorStub().start());
  const dataDir = await mkdtemp(join(tmpdir(), 'sca-teams-'));
  const contactsFile = join(dataDir, 'contacts.yaml');
  await writeFile(
    contactsFile,
    `primary:\n  name: ${CONTACT.name}\n  teams: "${CONTACT.id}"\nbackup:\n  name: ${BACKUP.name}\n  teams: "${BACKUP.id}"\nackWorkingHours: 4\nreminderMinutes: 60\n`,
  );
  const config = loadConfig({
    KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
    DATA_DIR: dataDir,
    CONTACTS_FILE: contactsFile,
    ...opts.env,
  });
  const logger = silentLogger();
  // A Wednesday morning in New Zealand, inside working hours.
  const clock = fixedClock('2026-11-24T21:00:00Z');
  const notifiers = new Map<Platform, Notifier>();
  const advisor = await createAdvisor(config, logger, { clock, notifiers });
  const teams = await createTeamsAdapter({
    bot: advisor.bot,
    logger,
    dataDir,
    settings: opts.settings ?? {},
    ...(opts.authOverrides ? { authOverrides: opts.authOverrides } : {}),
  });
  notifiers.set('teams', teams.notifier);
  const server: Server = createServer((req, res) => {
    if (req.url === teams.path) void teams.handle(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`);
  return {
    url,
    advisor,
    teams,
    stub,
    dataDir,
    clock,
    async post(body, headers = {}) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await teams.close();
      await advisor.close();
      if (!opts.stub) await stub.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
const nextId = () => `${Date.now()}${String(++seq).padStart(4, '0')}`;

/** Builds Teams activities addressed to the stub connector. */
export function activities(serviceUrl: string) {
  const base = (user: { id: string; name: string }) => ({
    id: nextId(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: user.id, name: user.name, aadObjectId: `aad-${user.id}` },
    recipient: BOT,
    channelData: { tenant: { id: TENANT } },
  });
  const personalConv = (user: { id: string }) => ({
    id: `a:personal-${user.id}`,
    conversationType: 'personal',
    tenantId: TENANT,
  });
  return {
    /** A message typed in the user's personal chat with the bot. */
    text: (user: { id: string; name: string }, text: string) => ({
      ...base(user),
      type: 'message',
      conversation: personalConv(user),
      text,
    }),
    /** An Action.Submit press on the card with id `replyToId`. */
    submit: (
      user: { id: string; name: string },
      replyToId: string,
      value: Record<string, unknown>,
      channel?: string,
    ) => ({
      ...base(user),
      type: 'message',
      replyToId,
      conversation: channel
        ? { id: channel, conversationType: 'channel', isGroup: true, tenantId: TENANT }
        : personalConv(user),
      value,
    }),
    /** A channel post that @mentions the bot. */
    mention: (user: { id: string; name: string }, channel: string, text: string) => {
      const b = base(user);
      const at = `<at>${BOT.name}</at>`;
      return {
        ...b,
        type: 'message',
        conversation: {
          id: `${channel};messageid=${b.id}`,
          conversationType: 'channel',
          isGroup: true,
          tenantId: TENANT,
        },
        channelData: { tenant: { id: TENANT }, channel: { id: channel }, team: { id: 'team-1' } },
        text: `${at} ${text}`,
        entities: [{ type: 'mention', mentioned: BOT, text: at }],
      };
    },
    /** The bot installed in the user's personal scope. */
    install: (user: { id: string; name: string }) => ({
      ...base(user),
      type: 'conversationUpdate',
      conversation: personalConv(user),
      membersAdded: [{ id: BOT.id }],
    }),
    /** The bot added to a team (its General channel). */
    addToTeam: (user: { id: string; name: string }, channel: string) => ({
      ...base(user),
      type: 'conversationUpdate',
      conversation: { id: channel, conversationType: 'channel', isGroup: true, tenantId: TENANT },
      channelData: { tenant: { id: TENANT }, team: { id: channel } },
      membersAdded: [{ id: BOT.id }],
    }),
  };
}
