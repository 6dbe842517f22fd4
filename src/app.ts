import type { Logger } from 'pino';
import { type Bot, createBot } from './bot.js';
import { type Checklist, loadChecklist } from './checklist/definition.js';
import { ChecklistFlow, type ChecklistSettings } from './checklist/flow.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { type Escalator, RecordingEscalator } from './escalation/escalator.js';
import { type Knowledge, loadKnowledge } from './knowledge/index.js';
import type { Notifier, Platform } from './model.js';
import { Retriever } from './retrieval/index.js';
import { Scheduler } from './scheduler.js';
import { FileStore, type Store } from './storage/index.js';

/** The checklist files every knowledge folder must have. */
export const CHECKLIST_FILES = ['pretrip.yaml', 'debrief.yaml'] as const;

/** Knowledge plus the checklists, all validated. */
export interface Content {
  knowledge: Knowledge;
  checklists: Map<string, Checklist>;
}

/** Loads and validates everything under the knowledge folder; throws `knowledge_invalid` naming what to fix. */
export async function loadContent(dir: string): Promise<Content> {
  const knowledge = await loadKnowledge(dir);
  const ids = new Set(knowledge.byId.keys());
  const checklists = new Map<string, Checklist>();
  for (const file of CHECKLIST_FILES) {
    const c = await loadChecklist(dir, file, ids);
    checklists.set(c.id, c);
  }
  return { knowledge, checklists };
}

/** Everything the bot is built from. */
export interface BotParts extends Content {
  store: Store;
  logger: Logger;
  clock: Clock;
  maxMessageChars: number;
  settings: ChecklistSettings;
  /** Defaults to recording requests in storage. */
  escalator?: Escalator;
  /** A prebuilt retriever (benchmarks time the index build on its own). */
  retriever?: Retriever;
}

/** Builds the bot from its parts: the one place that wires retrieval, checklists and escalation together. */
export function assembleBot(p: BotParts): Bot {
  const escalator = p.escalator ?? new RecordingEscalator(p.store, p.clock);
  const checklists = new ChecklistFlow({
    ...p.settings,
    checklists: p.checklists,
    knowledge: p.knowledge,
    store: p.store,
    clock: p.clock,
    escalator,
    logger: p.logger,
  });
  return createBot({
    knowledge: p.knowledge,
    retriever: p.retriever ?? new Retriever(p.knowledge),
    store: p.store,
    logger: p.logger,
    clock: p.clock,
    maxMessageChars: p.maxMessageChars,
    checklists,
  });
}

/** The platform-neutral parts of a running advisor. */
export interface Advisor {
  bot: Bot;
  knowledge: Knowledge;
  store: Store;
  scheduler: Scheduler;
  close(): Promise<void>;
}

/** Loads knowledge, opens storage and builds the bot. Fails fast with a coded error. */
export async function createAdvisor(
  config: Config,
  logger: Logger,
  opts: { clock?: Clock; store?: Store; notifiers?: Map<Platform, Notifier> } = {},
): Promise<Advisor> {
  const content = await loadContent(config.KNOWLEDGE_DIR);
  const store = opts.store ?? (await FileStore.open(config.DATA_DIR));
  const clock = opts.clock ?? systemClock;
  const bot = assembleBot({
    ...content,
    store,
    logger,
    clock,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    settings: {
      expiryDays: config.PRETRIP_EXPIRY_DAYS,
      escalateWarnings: config.PRETRIP_ESCALATE_WARNINGS,
    },
  });
  const scheduler = new Scheduler({ store, clock, logger, notifiers: opts.notifiers ?? new Map() });
  logger.info(
    { entries: content.knowledge.entries.length, checklists: [...content.checklists.keys()] },
    'knowledge loaded',
  );
  return {
    bot,
    knowledge: content.knowledge,
    store,
    scheduler,
    close: async () => {
      await scheduler.stop();
      await store.close();
    },
  };
}
