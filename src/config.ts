import { existsSync } from 'node:fs';
import { z } from 'zod';
import { AdvisorError, ErrorCode } from './errors.js';
import { findRegion, regionList } from './escalation/holidays.js';

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

/** A true/false setting that also accepts 1/0, yes/no and on/off. */
function bool(fallback: 'true' | 'false') {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      message: 'must be true or false',
    })
    .default(fallback)
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
}

/** Every setting, with its default. `.env.example` documents each one. */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3978),
  DATA_DIR: z.string().min(1).default('./data'),
  /** PostgreSQL for conversations, records and cases (src/storage/pg); unset keeps them in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  KNOWLEDGE_DIR: z.string().min(1).default('./knowledge'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Readable log lines on a terminal (`auto`), always (`pretty`), or JSON always (`json`). */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  MAX_MESSAGE_CHARS: z.coerce.number().int().min(100).max(20000).default(2000),
  PRETRIP_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  PRETRIP_ESCALATE_WARNINGS: z.coerce.number().int().min(1).max(50).default(3),
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  ESCALATION_ENABLED: bool('true'),
  CONTACTS_FILE: z.string().min(1).default('./config/contacts.yaml'),
  CASE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(730),
  /** The council's region: its anniversary day is not a working day for case deadlines. */
  REGION: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      // The region list comes from date-holidays, loaded only when REGION is set.
      if (v !== undefined && !findRegion(v))
        ctx.addIssue({
          code: 'custom',
          message: `must be a New Zealand region that date-holidays knows: ${regionList().join(', ')} (or its code, such as WGN)`,
        });
    }),

  // Limits per user (src/limits.ts), and how long idle conversation state is kept.
  MAX_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(30),
  MAX_CHECKLISTS_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(10),
  MAX_CASES_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(5),
  /** Conversation state (a checklist in progress, a pending question) idle this long is dropped. */
  CONVERSATION_IDLE_DAYS: z.coerce.number().int().min(1).max(365).default(30),

  // The curator's loop (src/curation).
  /** Keep the text of questions the bot could not answer (redacted, no user id) for curators. */
  RECORD_UNANSWERED: bool('false'),
  /** Recorded questions are purged this many days after they were asked. */
  UNANSWERED_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(90),

  // Slack (adapters/slack). With a bot token and an app token: Socket Mode. With a bot token
  // and a signing secret: HTTP mode on this server at /slack/events.
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token starting xoxb-')
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token starting xapp-')
    .optional(),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .default('https://slack.com/api/'),
  /** A private channel for case notifications when a contact has no Slack user id. */
  SLACK_NOTIFY_CHANNEL: z
    .string()
    .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel id (C... or G...)')
    .optional(),

  // Microsoft Teams (adapters/teams), under botbuilder's standard names.
  TEAMS_ENABLED: bool('false'),
  MicrosoftAppId: z.string().optional(),
  MicrosoftAppPassword: z.string().optional(),
  MicrosoftAppTenantId: z.string().optional(),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  /** A Teams channel conversation id for case notifications when a contact has no stored conversation. */
  TEAMS_NOTIFY_CHANNEL: z.string().optional(),

  // Optional LLM answers (src/llm), off unless LLM_BASE_URL is set.
  LLM_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(15_000),
  /** Send case data and personal details to the model. Off: emails and phone numbers are redacted. */
  LLM_SEND_PERSONAL_DATA: bool('false'),
  LLM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(6),
  /** When lexical retrieval is unsure, the model may pick the entry from a closed list. Needs LLM_BASE_URL. */
  LLM_PICK_ENTRY: bool('true'),

  // Optional dense retrieval (src/embeddings), off unless EMBEDDINGS_BASE_URL is set.
  EMBEDDINGS_BASE_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .optional(),
  EMBEDDINGS_API_KEY: z.string().optional(),
  EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().min(200).max(60_000).default(5_000),

  // Metrics (GET /metrics in the Prometheus format), off unless one of these is set.
  /** Serves /metrics on the main server to requests with `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII with no spaces')
    .min(16, 'must be at least 16 characters (try: openssl rand -hex 32)')
    .optional(),
  /** Serves /metrics without a token on a separate port, bound to 127.0.0.1 only. */
  METRICS_PORT: port.optional(),
});

/** Settings whose values are never repeated in an error message. */
const SECRETS = new Set([
  'METRICS_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'MicrosoftAppPassword',
  'LLM_API_KEY',
  'EMBEDDINGS_API_KEY',
]);

/** Validated settings. */
export type Config = z.infer<typeof ConfigSchema>;

/**
 * Reads and validates settings once. This is the only place that reads `process.env`.
 * A bad value throws an AdvisorError (`config_invalid`) that names the setting.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value means "not set", so `PORT=` in .env falls back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = ConfigSchema.safeParse(cleaned);
  if (parsed.success) {
    const c = parsed.data;
    const problems: string[] = [];
    if (c.SLACK_BOT_TOKEN && !c.SLACK_APP_TOKEN && !c.SLACK_SIGNING_SECRET) {
      problems.push(
        '  - SLACK_BOT_TOKEN is set, so also set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)',
      );
    }
    if ((c.SLACK_APP_TOKEN || c.SLACK_SIGNING_SECRET) && !c.SLACK_BOT_TOKEN) {
      problems.push('  - SLACK_BOT_TOKEN is missing: Slack needs the bot token (xoxb-...) too');
    }
    if (c.MicrosoftAppId && !c.MicrosoftAppPassword && c.MicrosoftAppType !== 'UserAssignedMSI') {
      problems.push('  - MicrosoftAppPassword is missing: it is needed with MicrosoftAppId');
    }
    if (c.CONVERSATION_IDLE_DAYS < c.PRETRIP_EXPIRY_DAYS) {
      problems.push(
        `  - CONVERSATION_IDLE_DAYS (${c.CONVERSATION_IDLE_DAYS}) is shorter than PRETRIP_EXPIRY_DAYS (${c.PRETRIP_EXPIRY_DAYS}): a checklist would be dropped before it expires. Raise CONVERSATION_IDLE_DAYS or lower PRETRIP_EXPIRY_DAYS`,
      );
    }
    if (c.METRICS_PORT && c.METRICS_PORT === c.PORT) {
      problems.push(
        `  - METRICS_PORT (${c.METRICS_PORT}) is the same as PORT: give the metrics listener a port of its own`,
      );
    }
    if (problems.length)
      throw new AdvisorError(ErrorCode.ConfigInvalid, `Invalid settings:\n${problems.join('\n')}`);
    return c;
  }
  const lines = parsed.error.issues.map((i) => {
    const name = String(i.path[0] ?? 'setting');
    // A URL's password (DATABASE_URL) and secret settings are not echoed to a terminal or a log.
    const got = String(env[name] ?? '').replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
    const shown = SECRETS.has(name) ? `${got.length} characters, not shown` : `"${got}"`;
    return `  - ${name}: ${i.message} (got ${shown})`;
  });
  throw new AdvisorError(ErrorCode.ConfigInvalid, `Invalid settings:\n${lines.join('\n')}`);
}

/** Loads `.env` into the environment if the file exists; real environment variables win. */
export function loadDotEnv(path = '.env'): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}
