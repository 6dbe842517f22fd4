import { existsSync } from 'node:fs';
import { z } from 'zod';
import { AdvisorError, ErrorCode } from './errors.js';

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

/** Every setting, with its default. `.env.example` documents each one. */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3978),
  DATA_DIR: z.string().min(1).default('./data'),
  KNOWLEDGE_DIR: z.string().min(1).default('./knowledge'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_MESSAGE_CHARS: z.coerce.number().int().min(100).max(20000).default(2000),
  PRETRIP_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  PRETRIP_ESCALATE_WARNINGS: z.coerce.number().int().min(1).max(50).default(3),
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  ESCALATION_ENABLED: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      message: 'must be true or false',
    })
    .default('true')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
  CONTACTS_FILE: z.string().min(1).default('./config/contacts.yaml'),
  CASE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(730),
});

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
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const name = String(i.path[0] ?? 'setting');
    return `  - ${name}: ${i.message} (got "${String(env[name] ?? '')}")`;
  });
  throw new AdvisorError(ErrorCode.ConfigInvalid, `Invalid settings:\n${lines.join('\n')}`);
}

/** Loads `.env` into the environment if the file exists; real environment variables win. */
export function loadDotEnv(path = '.env'): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}
