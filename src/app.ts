import type { Logger } from 'pino';
import { type Bot, createBot } from './bot.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { type Knowledge, loadKnowledge } from './knowledge/index.js';
import { Retriever } from './retrieval/index.js';
import { FileStore, type Store } from './storage/index.js';

/** The platform-neutral parts of a running advisor. */
export interface Advisor {
  bot: Bot;
  knowledge: Knowledge;
  store: Store;
  close(): Promise<void>;
}

/** Loads knowledge, opens storage and builds the bot. Fails fast with a coded error. */
export async function createAdvisor(
  config: Config,
  logger: Logger,
  opts: { clock?: Clock; store?: Store } = {},
): Promise<Advisor> {
  const knowledge = await loadKnowledge(config.KNOWLEDGE_DIR);
  const store = opts.store ?? (await FileStore.open(config.DATA_DIR));
  const bot = createBot({
    knowledge,
    retriever: new Retriever(knowledge),
    store,
    logger,
    clock: opts.clock ?? systemClock,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
  });
  logger.info({ entries: knowledge.entries.length }, 'knowledge loaded');
  return { bot, knowledge, store, close: () => store.close() };
}
