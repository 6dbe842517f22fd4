import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Bot, createBot } from './bot.js';
import { type Checklist, loadChecklist } from './checklist/definition.js';
import { ChecklistFlow, type ChecklistSettings } from './checklist/flow.js';
import { type Clock, fileClock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { Curation, CuratorDigest, UnansweredRecorder } from './curation/index.js';
import { type SemanticIndex, semanticFromConfig } from './embeddings/index.js';
import { type CaseStore, FileCaseStore } from './escalation/case-store.js';
import { type Contacts, type Curator, loadContacts } from './escalation/contacts.js';
import { CaseConversation } from './escalation/conversation.js';
import { type Escalator, RecordingEscalator } from './escalation/escalator.js';
import { holidaysFor } from './escalation/holidays.js';
import { CaseService } from './escalation/service.js';
import { type Knowledge, loadKnowledge, withYamlCache } from './knowledge/index.js';
import { countingCases, type LimitSettings, UsageLimits } from './limits.js';
import {
  type EntryPicker,
  type LlmAnswerer,
  llmFromConfig,
  pickerFromConfig,
} from './llm/index.js';
import type { Metrics } from './metrics.js';
import type { Notifier, Platform } from './model.js';
import { BUILD_CACHE } from './paths.js';
import { type AnswerModel, DEFAULT_MODEL, Retriever, withThreshold } from './retrieval/index.js';
import { Scheduler } from './scheduler.js';
import { runShutdown } from './shutdown.js';
import type { InboxStore } from './storage/inbox.js';
import { FileStore, type Store } from './storage/index.js';

/** The checklist files every knowledge folder must have. */
export const CHECKLIST_FILES = ['pretrip.yaml', 'debrief.yaml', 'report.yaml'] as const;

/** Knowledge plus the checklists, all validated. */
export interface Content {
  knowledge: Knowledge;
  checklists: Map<string, Checklist>;
}

/** Loads and validates everything under the knowledge folder; throws `knowledge_invalid` naming what to fix. */
export async function loadContent(
  dir: string,
  cacheDirs: readonly string[] = [],
  /** The security contacts file, read with the knowledge when escalation is on. */
  contactsFile?: string,
): Promise<Content & { contacts?: Contacts }> {
  // Parsed YAML is reused between runs when it is unchanged (see withYamlCache), the contacts
  // file's too: a start with nothing changed never loads the YAML parser.
  return withYamlCache(cacheDirs, async () => {
    const knowledge = await loadKnowledge(dir);
    const ids = new Set(knowledge.byId.keys());
    const [loaded, contacts] = await Promise.all([
      Promise.all(CHECKLIST_FILES.map((file) => loadChecklist(dir, file, ids))),
      contactsFile ? loadContacts(contactsFile) : undefined,
    ]);
    const checklists = new Map<string, Checklist>(loaded.map((c) => [c.id, c]));
    return { knowledge, checklists, ...(contacts ? { contacts } : {}) };
  });
}

/**
 * The fitted answer model, with the threshold `ANSWER_THRESHOLD` sets instead when it is set (for
 * guidance with or without curated declines alike).
 */
export function answerModel(threshold: number | undefined): AnswerModel {
  return threshold === undefined ? DEFAULT_MODEL : withThreshold(DEFAULT_MODEL, threshold);
}

/** Where start-up caches are read from: the data folder's own, then the build's. */
export function cacheDirs(config: Pick<Config, 'DATA_DIR'>): string[] {
  return [join(config.DATA_DIR, 'cache'), BUILD_CACHE];
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
  /** Cases for the security contact, when escalation is on. */
  cases?: CaseService;
  /** A prebuilt retriever (benchmarks time the index build on its own). */
  retriever?: Retriever;
  /** Optional LLM rewrites of confident answers. */
  llm?: LlmAnswerer;
  /** Optional dense ranking from an embeddings endpoint. */
  semantic?: SemanticIndex;
  /** Optional model pick of an entry when lexical retrieval is unsure. */
  picker?: EntryPicker;
  /** Per-user limits; benchmarks and unit tests that wire parts directly may leave them off. */
  limits?: LimitSettings;
  /** Answer counts and latency. */
  metrics?: Metrics;
  /** Keeps unanswered questions for curators, when RECORD_UNANSWERED is on. */
  unanswered?: UnansweredRecorder;
}

/** Builds the bot from its parts: the one place that wires retrieval, checklists and escalation together. */
export function assembleBot(p: BotParts): Bot {
  const limits = p.limits ? new UsageLimits(p.limits, p.clock) : undefined;
  const opener = p.escalator ?? p.cases ?? new RecordingEscalator(p.store, p.clock);
  const escalator = limits ? countingCases(opener, limits) : opener;
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
    ...(p.llm ? { llm: p.llm } : {}),
    ...(p.semantic ? { semantic: p.semantic } : {}),
    ...(p.picker ? { picker: p.picker } : {}),
    ...(limits ? { limits } : {}),
    ...(p.metrics ? { metrics: p.metrics } : {}),
    ...(p.unanswered ? { unanswered: p.unanswered } : {}),
    cases: new CaseConversation({
      store: p.store,
      clock: p.clock,
      logger: p.logger,
      knowledge: p.knowledge,
      escalator,
      cases: p.cases,
    }),
  });
}

/** The platform-neutral parts of a running advisor. */
export interface Advisor {
  bot: Bot;
  knowledge: Knowledge;
  store: Store;
  scheduler: Scheduler;
  /** Present when escalation is on. */
  cases?: CaseService;
  /**
   * This advisor's metrics; an adapter decides whether to serve them. Absent when neither
   * METRICS_TOKEN nor METRICS_PORT is set: nothing would serve them, so nothing counts, and
   * prom-client (with its event-loop and GC watchers) is not even loaded.
   */
  metrics: Metrics | undefined;
  /**
   * Where the web chat keeps its messages when replicas share a database (PostgreSQL); absent
   * for the file store, whose single process keeps them in memory.
   */
  inboxStore?: InboxStore;
  /** This process's name on claims, unique among replicas. */
  owner: string;
  /** What curators see: knowledge health and unanswered questions. */
  curation: Curation;
  /** Keeps unanswered questions (a no-op unless RECORD_UNANSWERED is on). */
  unanswered: UnansweredRecorder;
  /** The curators in the contacts file (empty when there are none, or escalation is off). */
  curators: Curator[];
  /** Resolves when the store answers a cheap read; rejects with the reason when it does not. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Loads knowledge, opens storage and builds the bot. Fails fast with a coded error. */
export async function createAdvisor(
  config: Config,
  logger: Logger,
  opts: {
    clock?: Clock;
    store?: Store;
    caseStore?: CaseStore;
    notifiers?: Map<Platform, Notifier>;
    /** Add Node's process metrics (CPU, memory, event loop) to the registry. */
    processMetrics?: boolean;
  } = {},
): Promise<Advisor> {
  // Contacts are checked before the data directory is locked, so a config error changes nothing.
  const content = await loadContent(
    config.KNOWLEDGE_DIR,
    cacheDirs(config),
    config.ESCALATION_ENABLED ? config.CONTACTS_FILE : undefined,
  );
  const contacts = content.contacts;
  // Storage: PostgreSQL when DATABASE_URL is set (the cases share its pool), else DATA_DIR. The
  // PostgreSQL modules (and the pg client) load only then.
  const pgModules =
    !opts.store && config.DATABASE_URL
      ? await Promise.all([
          import('./storage/pg/index.js'),
          import('./escalation/pg-case-store.js'),
          import('./storage/pg/inbox.js'),
        ])
      : undefined;
  const pg =
    pgModules && config.DATABASE_URL
      ? await pgModules[0].PgStore.open(config.DATABASE_URL)
      : undefined;
  if (pgModules && config.DATABASE_URL)
    logger.info({ database: pgModules[0].describeUrl(config.DATABASE_URL) }, 'storage: PostgreSQL');
  const store = opts.store ?? pg ?? (await FileStore.open(config.DATA_DIR));
  const clock = opts.clock ?? (config.CLOCK_FILE ? fileClock(config.CLOCK_FILE) : systemClock);
  // Unique among replicas (a restarted process gets a new name), so claims are told apart.
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const inboxStore = pg && pgModules ? new pgModules[2].PgInboxStore(pg.pool, logger) : undefined;
  const notifiers = opts.notifiers ?? new Map<Platform, Notifier>();
  const caseStore = contacts
    ? (opts.caseStore ??
      (pg && pgModules
        ? new pgModules[1].PgCaseStore(pg.pool)
        : await FileCaseStore.open(config.DATA_DIR)))
    : undefined;
  const metrics =
    config.METRICS_TOKEN || config.METRICS_PORT !== undefined
      ? new (await import('./metrics.js')).Metrics({
          store,
          cases: caseStore,
          clock,
          logger,
          checklistExpiryDays: config.PRETRIP_EXPIRY_DAYS,
          processMetrics: opts.processMetrics,
        })
      : undefined;
  const cases =
    contacts && caseStore
      ? new CaseService({
          cases: caseStore,
          store,
          contacts,
          notifiers,
          clock,
          logger,
          metrics,
          holidays: holidaysFor(config.REGION),
          exclusive: (name, fn) => store.exclusive(name, fn),
          owner,
          claimLeaseMs: config.CLAIM_LEASE_MS,
        })
      : undefined;
  const llm = llmFromConfig(config, { clock, logger, metrics });
  if (llm) logger.info({ model: config.LLM_MODEL }, 'LLM answers are on');
  const picker = pickerFromConfig(config, { clock, logger });
  const semantic = semanticFromConfig(config, {
    entries: content.knowledge.entries,
    clock,
    logger,
  });
  if (semantic) logger.info({ model: config.EMBEDDINGS_MODEL }, 'semantic retrieval is on');
  const unanswered = new UnansweredRecorder({
    store,
    clock,
    logger,
    settings: {
      enabled: config.RECORD_UNANSWERED,
      retentionDays: config.UNANSWERED_RETENTION_DAYS,
    },
  });
  // On start-up too, so a bot that was off for a while does not show expired questions.
  await unanswered
    .purge()
    .catch((err: unknown) => logger.error({ err }, 'purging unanswered questions failed'));
  if (config.RECORD_UNANSWERED)
    logger.info(
      { retentionDays: config.UNANSWERED_RETENTION_DAYS },
      'unanswered questions are recorded (redacted) for curators',
    );
  const curators = contacts?.curators ?? [];
  const curation = new Curation({
    store,
    knowledge: content.knowledge,
    clock,
    recorder: unanswered,
  });
  const digest = curators.length
    ? new CuratorDigest({
        store,
        knowledge: content.knowledge,
        clock,
        logger,
        notifiers,
        curators,
        recording: config.RECORD_UNANSWERED,
      })
    : undefined;
  if (!content.knowledge.declines?.length)
    logger.warn(
      { file: join(config.KNOWLEDGE_DIR, 'out-of-scope.yaml') },
      'The knowledge has no curated examples of declined questions, so the bot decides what to answer without comparing questions with them: expect fewer right answers. Add out-of-scope.yaml to the knowledge folder (start from the shipped one).',
    );
  const bot = assembleBot({
    ...content,
    retriever: new Retriever(content.knowledge, answerModel(config.ANSWER_THRESHOLD), undefined, [
      join(config.DATA_DIR, 'cache'),
      BUILD_CACHE,
    ]),
    unanswered,
    store,
    logger,
    clock,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    settings: {
      expiryDays: config.PRETRIP_EXPIRY_DAYS,
      escalateWarnings: config.PRETRIP_ESCALATE_WARNINGS,
    },
    cases,
    ...(llm ? { llm } : {}),
    ...(semantic ? { semantic } : {}),
    ...(picker ? { picker } : {}),
    metrics,
    limits: {
      messagesPerMinute: config.MAX_MESSAGES_PER_MINUTE,
      checklistsPerHour: config.MAX_CHECKLISTS_PER_HOUR,
      casesPerHour: config.MAX_CASES_PER_HOUR,
    },
  });
  const scheduler = new Scheduler({
    store,
    clock,
    logger,
    notifiers,
    cases,
    retentionDays: config.CASE_RETENTION_DAYS,
    conversationIdleDays: config.CONVERSATION_IDLE_DAYS,
    metrics,
    owner,
    claimLeaseMs: config.CLAIM_LEASE_MS,
    curation: { recorder: unanswered, ...(digest ? { digest } : {}) },
  });
  logger.info(
    { entries: content.knowledge.entries.length, checklists: [...content.checklists.keys()] },
    'knowledge loaded',
  );
  return {
    bot,
    knowledge: content.knowledge,
    store,
    scheduler,
    cases,
    metrics,
    ...(inboxStore ? { inboxStore } : {}),
    owner,
    curation,
    unanswered,
    curators,
    ready: () => store.ready(),
    // Each step is logged and passed over if it fails, so the store is always flushed.
    close: async () => {
      await runShutdown(
        [
          // Finishes a tick in progress, then releases this process's job and outbox claims.
          { name: 'scheduler', run: () => scheduler.stop() },
          { name: 'llm', run: () => llm?.close() },
          { name: 'picker', run: () => picker?.close() },
          { name: 'embeddings', run: () => semantic?.close() },
          { name: 'unanswered', run: () => unanswered.idle() },
          { name: 'storage', run: () => store.close() },
        ],
        logger,
      );
    },
  };
}
