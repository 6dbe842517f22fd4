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
  /**
   * How sure the bot must be to answer from the guidance (0-1). Unset: the threshold `npm run fit`
   * chose. Higher declines more and answers fewer questions the guidance covers.
   */
  ANSWER_THRESHOLD: z.coerce
    .number({ message: 'must be a number between 0 and 1' })
    .gt(0, 'must be above 0')
    .lt(1, 'must be below 1')
    .optional(),
  PRETRIP_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  PRETRIP_ESCALATE_WARNINGS: z.coerce.number().int().min(1).max(50).default(3),
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /**
   * With DATABASE_URL: how long a replica's claim on an outbox message or a scheduled job lasts.
   * A replica that dies holding one, its work is taken by another once this has passed.
   */
  CLAIM_LEASE_MS: z.coerce.number().int().min(5000).max(3_600_000).default(60_000),
  /**
   * For tests of several processes: a file holding an ISO time that every process reads as
   * "now" (re-read at most every 100 ms), so they share a fake clock. Never set in production.
   */
  CLOCK_FILE: z.string().min(1).optional(),
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

  // Sign-in to the web surface with OpenID Connect (adapters/web/auth), on when OIDC_ISSUER is set.
  /** The provider's issuer URL, e.g. https://login.microsoftonline.com/<tenant>/v2.0. */
  OIDC_ISSUER: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(300).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  /** The address people use to reach this server; the sign-in redirect is PUBLIC_URL/auth/callback. */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  /** Signs the session cookie (HMAC-SHA256). At least 32 characters. */
  SESSION_SECRET: z.string().optional(),
  /** Without sign-in, the web chat may listen beyond this machine only when this is true. */
  ALLOW_UNAUTHENTICATED_WEB: bool('false'),
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
  'OIDC_CLIENT_SECRET',
  'SESSION_SECRET',
]);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** True when HOST keeps the server on this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Problems with the sign-in settings, each naming the setting to fix. */
function signInProblems(c: Config): string[] {
  const problems: string[] = [];
  const any = c.OIDC_ISSUER || c.OIDC_CLIENT_ID || c.OIDC_CLIENT_SECRET;
  if (!any) return problems;
  if (!c.OIDC_ISSUER)
    problems.push("  - OIDC_ISSUER is missing: sign-in needs the provider's issuer URL");
  if (!c.OIDC_CLIENT_ID)
    problems.push('  - OIDC_CLIENT_ID is missing: sign-in needs the application (client) id');
  if (!c.OIDC_CLIENT_SECRET)
    problems.push('  - OIDC_CLIENT_SECRET is missing: sign-in needs the client secret');
  if (!c.PUBLIC_URL)
    problems.push(
      '  - PUBLIC_URL is missing: sign-in needs the address people use, e.g. https://advisor.council.govt.nz',
    );
  if (!c.SESSION_SECRET || c.SESSION_SECRET.length < 32)
    problems.push(
      `  - SESSION_SECRET must be at least 32 characters when sign-in is on (got ${c.SESSION_SECRET?.length ?? 0}; try: openssl rand -hex 32)`,
    );
  const insecure = (u: string | undefined) => {
    if (!u) return false;
    const url = new URL(u);
    return url.protocol === 'http:' && !isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''));
  };
  if (insecure(c.OIDC_ISSUER))
    problems.push(
      '  - OIDC_ISSUER must be https (http is accepted only on this machine, for tests)',
    );
  if (insecure(c.PUBLIC_URL))
    problems.push('  - PUBLIC_URL must be https (http is accepted only on this machine)');
  if (c.PUBLIC_URL && /[?#]/.test(c.PUBLIC_URL))
    problems.push('  - PUBLIC_URL must be a plain address without ? or #');
  return problems;
}

/**
 * Refuses a web surface without sign-in that listens beyond this machine, unless
 * ALLOW_UNAUTHENTICATED_WEB=true says it sits behind other access control. Called at start-up.
 */
export function checkWebExposure(c: Config): void {
  if (c.OIDC_ISSUER || isLoopbackHost(c.HOST) || c.ALLOW_UNAUTHENTICATED_WEB) return;
  throw new AdvisorError(
    ErrorCode.ConfigInvalid,
    `HOST is ${c.HOST}, which is reachable beyond this machine, but sign-in is off: anyone who can reach the web chat could say they are the security contact. Set OIDC_ISSUER (with OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, PUBLIC_URL and SESSION_SECRET) to turn sign-in on, set HOST=127.0.0.1, or, only if the server sits behind your own access control, set ALLOW_UNAUTHENTICATED_WEB=true.`,
  );
}

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
    problems.push(...signInProblems(c));
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
