/**
 * The real stack behind Slack, offline: a temporary data directory and contacts file, the
 * advisor, the Slack adapter (real Bolt) pointed at a loopback Web API stub, and the shared
 * WebServer with POST /slack/events mounted as src/main.ts mounts it. Plus a request signer
 * and helpers that send what Slack sends. No vitest imports: the benchmark uses this too.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/index.js';
import { WebInbox } from '../../adapters/web/inbox.js';
import { WebServer } from '../../adapters/web/server.js';
import { type Advisor, createAdvisor } from '../../src/app.js';
import { type Clock, fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { Notifier, Platform } from '../../src/model.js';
import { SlackApiStub } from './stub.js';

export const FIXTURE_KNOWLEDGE = fileURLToPath(new URL('../fixtures/knowledge', import.meta.url));
export const SIGNING_SECRET = 'test-signing-secret';
export const TEAM = 'T1';
export const CONTACT = 'UCONTACT1';
export const BACKUP = 'UBACKUP01';
export const REPORTER = 'UAROHA01';
export const STRANGER = 'UOTHER001';

/** The security contacts the stack uses: a primary and a backup, by Slack user id. */
export const CONTACTS_YAML = `primary:
  name: Sam
  slack: ${CONTACT}
backup:
  name: Bo
  slack: ${BACKUP}
ackWorkingHours: 4
reminderMinutes: 60
`;

/** A running stack: advisor, Slack adapter, web server and the Web API stub. */
export interface SlackStack {
  stub: SlackApiStub;
  advisor: Advisor;
  adapter: SlackAdapter;
  clock: Clock & { advance(ms: number): void };
  dataDir: string;
  /** The shared web server, to mount more routes on (as src/main.ts mounts Teams). */
  web: WebServer;
  /** The shared web server's base URL (HTTP mode only). */
  url: URL;
  slack: SlackSender;
  close(): Promise<void>;
}

/** Starts the whole stack. HTTP mode unless `appToken` is given (then Socket Mode, not started). */
export async function startSlackStack(
  opts: {
    appToken?: string;
    env?: Record<string, string>;
    contactsYaml?: string;
    /** A Web API stub to share with other stacks (replicas); the caller closes it. */
    stub?: SlackApiStub;
    /** How long the adapter waits for the store's answer on an event id (ms). */
    seenTimeoutMs?: number;
  } = {},
): Promise<SlackStack> {
  const stub = opts.stub ?? (await SlackApiStub.start());
  const dataDir = await mkdtemp(join(tmpdir(), 'sca-slack-'));
  const contactsFile = join(dataDir, 'contacts.yaml');
  await writeFile(contactsFile, opts.contactsYaml ?? CONTACTS_YAML);
  const config = loadConfig({
    KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
    DATA_DIR: join(dataDir, 'data'),
    CONTACTS_FILE: contactsFile,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: stub.apiUrl,
    ...opts.env,
  });
  const logger = silentLogger();
  const clock = fixedClock('2026-11-27T01:00:00Z');
  const inbox = new WebInbox();
  const notifiers = new Map<Platform, Notifier>([['web', inbox]]);
  const advisor = await createAdvisor(config, logger, { clock, notifiers });
  const adapter = createSlackAdapter({
    bot: advisor.bot,
    logger,
    // As src/main.ts wires it: event ids are checked in the store every replica shares.
    firstSeen: (key: string) => advisor.store.firstSeen(key),
    ...(opts.seenTimeoutMs === undefined ? {} : { seenTimeoutMs: opts.seenTimeoutMs }),
    settings: {
      botToken: config.SLACK_BOT_TOKEN ?? 'xoxb-test',
      signingSecret: config.SLACK_SIGNING_SECRET,
      apiUrl: config.SLACK_API_URL,
      botId: 'B0BOT',
      botUserId: 'U0BOT',
      ...(opts.appToken ? { appToken: opts.appToken, autoReconnect: false } : {}),
    },
  });
  notifiers.set('slack', adapter.notifier);
  const web = new WebServer({ bot: advisor.bot, inbox, logger, health: () => ({}) });
  const { handle } = adapter;
  if (handle)
    web.mount({ method: 'POST', path: '/slack/events', handler: (req, res) => handle(req, res) });
  const url = await web.listen(0, '127.0.0.1');
  return {
    stub,
    advisor,
    adapter,
    clock,
    dataDir,
    web,
    url,
    slack: new SlackSender(new URL('/slack/events', url), SIGNING_SECRET),
    async close() {
      await adapter.stop();
      await web.close();
      await advisor.close();
      if (!opts.stub) await stub.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Slack's request signature: v0=hex(HMAC-SHA256(secret, "v0:<ts>:<body>")). */
export function signature(secret: string, timestamp: string | number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Headers Slack would send with a body, timestamped now (Bolt checks the real clock). */
export function signedHeaders(
  secret: string,
  body: string,
  contentType: string,
  at = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(at),
    'x-slack-signature': signature(secret, at, body),
  };
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
let counter = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${++counter}`;

/** One HTTP answer from the bot. */
export interface SlackResponse {
  status: number;
  text: string;
  ms: number;
}

/** Sends signed Events API callbacks, slash commands and interactions to /slack/events. */
export class SlackSender {
  constructor(
    readonly url: URL,
    private readonly secret: string,
  ) {}

  /** POSTs a raw body; `headers` override the signed ones (to forge or replay). */
  async raw(
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
  ): Promise<SlackResponse> {
    const started = performance.now();
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { ...signedHeaders(this.secret, body, contentType), ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - started };
  }

  /** The JSON body of an Events API callback. */
  eventBody(event: Record<string, unknown>, eventId = nextId('Ev')): string {
    return JSON.stringify({
      token: 'legacy-token',
      team_id: TEAM,
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event,
    });
  }

  /** An Events API callback. */
  event(
    event: Record<string, unknown>,
    opts: { eventId?: string; headers?: Record<string, string> } = {},
  ): Promise<SlackResponse> {
    return this.raw(this.eventBody(event, opts.eventId), JSON_TYPE, opts.headers);
  }

  /** A direct message from a user to the bot (message.im). */
  dm(user: string, text: string, opts: { eventId?: string } = {}): Promise<SlackResponse> {
    const ts = `${Date.now() / 1000}`;
    return this.event(
      {
        type: 'message',
        channel_type: 'im',
        channel: `D${user.slice(1)}`,
        user,
        team: TEAM,
        text,
        ts,
        event_ts: ts,
        client_msg_id: nextId('m'),
      },
      opts,
    );
  }

  /** The form body of a slash command. */
  commandBody(command: string, user: string, text = ''): string {
    return new URLSearchParams({
      token: 'legacy-token',
      team_id: TEAM,
      team_domain: 'council',
      channel_id: 'C0GENERAL',
      channel_name: 'general',
      user_id: user,
      user_name: user.toLowerCase(),
      command,
      text,
      api_app_id: 'A0APP',
      trigger_id: nextId('trig.'),
      response_url: `${this.url.origin}/commands/response`,
    }).toString();
  }

  command(command: string, user: string, text = ''): Promise<SlackResponse> {
    return this.raw(this.commandBody(command, user, text), FORM);
  }

  /** An interaction payload (block_actions, view_submission), form-encoded as `payload=<JSON>`. */
  interaction(payload: Record<string, unknown>): Promise<SlackResponse> {
    return this.raw(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM);
  }
}

/** A unique trigger id, as Slack gives each interaction. */
export const triggerId = () => nextId('trig.');
