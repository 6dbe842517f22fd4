import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { WebInbox } from '../../adapters/web/inbox.js';
import { WebServer } from '../../adapters/web/server.js';
import { type Advisor, type Content, createAdvisor, loadContent } from '../../src/app.js';
import { type Clock, fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

/** The instant the test server's clock starts at: 27 November 2026, 2 pm in New Zealand. */
export const START = '2026-11-27T01:00:00Z';
/** Today in NZ at START. */
export const TODAY = '2026-11-27';
export const DAY_MS = 24 * 60 * 60 * 1000;

let content: Promise<Content> | undefined;
/** The fixture knowledge and checklists, loaded once per file. */
export function fixtureContent(): Promise<Content> {
  content ??= loadContent(FIXTURE_KNOWLEDGE);
  return content;
}

/** The same register lookup the flow uses, so engine tests see what a user sees. */
export { registerLookup } from '../../src/checklist/flow.js';

/** A reply as POST /api/chat returns it. */
export interface ApiReply {
  kind: string;
  text: string;
  blocks: any[];
  actions: { id: string; label: string; value?: string; style?: string }[];
}

/** Anything that can POST to the JSON API. */
export interface Poster {
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
}

/** One user talking to the JSON API. */
export class Chat {
  constructor(
    private readonly server: Poster,
    readonly userId: string,
  ) {}

  private async send(body: object): Promise<ApiReply[]> {
    const res = await this.server.post('/api/chat', { userId: this.userId, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.replies;
  }

  say(text: string): Promise<ApiReply[]> {
    return this.send({ text });
  }

  press(id: string, value?: string): Promise<ApiReply[]> {
    return this.send({ action: value === undefined ? { id } : { id, value } });
  }

  /** Presses an option of a choice, as the web page does: `<stepId>=<value>`. */
  choose(stepId: string, value: string): Promise<ApiReply[]> {
    return this.press('checklist:answer', `${stepId}=${value}`);
  }
}

/** All reply texts joined, for matching. */
export const textOf = (replies: ApiReply[]): string => replies.map((r) => r.text).join('\n\n');

/**
 * "Step k of n" from the last reply, or undefined when it shows no step. "Step k of about n"
 * (while later answers can change the total) adds `about: true`.
 */
export function stepOf(
  replies: ApiReply[],
): { index: number; total: number; about?: true } | undefined {
  const m = /Step (\d+) of (about )?(\d+)/.exec(replies.at(-1)?.text ?? '');
  if (!m) return undefined;
  return { index: Number(m[1]), total: Number(m[3]), ...(m[2] ? { about: true as const } : {}) };
}

/** The step id the last reply asks about, read from its choice options (choice steps only). */
export function choiceStepOf(replies: ApiReply[]): string | undefined {
  const choice = replies.at(-1)?.blocks.find((b) => b.type === 'choice');
  return choice?.options[0]?.value.split('=')[0];
}

/** The text of the warning notice that explains a refused answer, if any. */
export function problemOf(replies: ApiReply[]): string | undefined {
  const b = replies.at(-1)?.blocks[0];
  return b?.type === 'notice' && b.tone === 'warning' ? b.text : undefined;
}

/** An answer: typed text, or a pressed option `[stepId, value]`. */
export type Answer = string | [stepId: string, value: string];

/** Gives answers one by one; every answer but the last must be accepted and lead to a next step. */
export async function answerAll(chat: Chat, answers: Answer[]): Promise<ApiReply[]> {
  let replies: ApiReply[] = [];
  for (const [i, a] of answers.entries()) {
    replies = typeof a === 'string' ? await chat.say(a) : await chat.choose(a[0], a[1]);
    expect(problemOf(replies), `answer ${i + 1} (${String(a)})`).toBeUndefined();
    if (i < answers.length - 1) expect(stepOf(replies), `answer ${i + 1}`).toBeDefined();
  }
  return replies;
}

/** Risky outbound answers: host pays, usual council laptop, level 4, information requested. */
export const RISKY_OUTBOUND: Answer[] = [
  'Overseas trip',
  'Sister-city anniversary with Suqian',
  '5/3/2027',
  '7/3/2027',
  'Suqian',
  'The foreign host',
  'No gifts expected',
  'My usual council laptop',
  'yes', // SafeTravel
  '4', // advisory level 4
  'yes', // MFAT
  'yes', // briefing
  'no', // officials
  'yes', // information requested
  'no', // agreements
  'no', // media
  'Jane Smith 021 555 0123',
  'skip', // debrief date (optional)
];

/** Safe outbound answers, mostly given with buttons; they raise no flags. */
export const SAFE_OUTBOUND: Answer[] = [
  ['visit-type', 'outbound'],
  'Anniversary visit to Kumagaya',
  '5/3/2027',
  '7/3/2027',
  'Kumagaya, Japan',
  ['who-pays', 'council'],
  ['gifts', 'none'],
  ['devices', 'loan-device'],
  ['safetravel', 'yes'],
  ['advisory-level', 'level-1'],
  ['mfat', 'yes'],
  ['briefing', 'yes'],
  ['officials', 'no'],
  ['info-requests', 'no'],
  ['agreements', 'no'],
  ['media', 'no'],
  'Jane Smith 021 555 0123',
  '12/3/2027',
];

/** A web server over a real advisor on a data directory the caller owns (kept on close). */
export interface OwnServer extends Poster {
  advisor: Advisor;
  inbox: WebInbox;
  close(): Promise<void>;
}

/** Starts the real web server on an existing data directory, like test/helpers/server.ts. */
export async function openServer(dataDir: string, clock: Clock = fixedClock(START)) {
  const config = loadConfig({
    KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
    DATA_DIR: dataDir,
    ESCALATION_ENABLED: 'false',
  });
  const logger = silentLogger();
  const inbox = new WebInbox();
  const advisor = await createAdvisor(config, logger, {
    clock,
    notifiers: new Map([['web', inbox]]),
  });
  const web = new WebServer({ bot: advisor.bot, inbox, logger, health: () => ({}) });
  const url = await web.listen(0, '127.0.0.1');
  const server: OwnServer = {
    advisor,
    inbox,
    async post(path, body) {
      const res = await fetch(new URL(path, url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await web.close();
      await advisor.close();
    },
  };
  return server;
}

/** A fresh temporary data directory. */
export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), prefix));
