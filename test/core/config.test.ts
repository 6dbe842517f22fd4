import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isAdvisorError } from '../../src/errors.js';

describe('config', () => {
  it('has working defaults for a fresh clone', () => {
    expect(loadConfig({})).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3978,
      DATA_DIR: './data',
      KNOWLEDGE_DIR: './knowledge',
      LOG_LEVEL: 'info',
      MAX_MESSAGE_CHARS: 2000,
      PRETRIP_EXPIRY_DAYS: 14,
      PRETRIP_ESCALATE_WARNINGS: 3,
      SCHEDULER_INTERVAL_MS: 60_000,
      ESCALATION_ENABLED: true,
      CONTACTS_FILE: './config/contacts.yaml',
      CASE_RETENTION_DAYS: 730,
      SLACK_API_URL: 'https://slack.com/api/',
      TEAMS_ENABLED: false,
      LLM_MODEL: 'gpt-4o-mini',
      LLM_SEND_PERSONAL_DATA: false,
    });
    expect(loadConfig({}).SLACK_BOT_TOKEN).toBeUndefined();
    expect(loadConfig({}).LLM_BASE_URL).toBeUndefined();
  });

  it('takes an answer threshold between 0 and 1, and says what is wrong with any other', async () => {
    const { answerModel } = await import('../../src/app.js');
    const { DEFAULT_MODEL } = await import('../../src/retrieval/index.js');
    expect(loadConfig({}).ANSWER_THRESHOLD).toBeUndefined();
    expect(loadConfig({ ANSWER_THRESHOLD: '' }).ANSWER_THRESHOLD).toBeUndefined();
    expect(loadConfig({ ANSWER_THRESHOLD: '0.5' }).ANSWER_THRESHOLD).toBe(0.5);
    expect(() => loadConfig({ ANSWER_THRESHOLD: '1.5' })).toThrow(
      /ANSWER_THRESHOLD: must be below 1/,
    );
    expect(() => loadConfig({ ANSWER_THRESHOLD: '0' })).toThrow(
      /ANSWER_THRESHOLD: must be above 0/,
    );
    expect(() => loadConfig({ ANSWER_THRESHOLD: 'strict' })).toThrow(
      /ANSWER_THRESHOLD: must be a number/,
    );
    // Unset keeps the fitted model; set changes the threshold (with curated declines and without)
    // and nothing else.
    expect(answerModel(undefined)).toBe(DEFAULT_MODEL);
    const without = DEFAULT_MODEL.withoutRemit;
    if (!without) throw new Error('the fitted model has no trees for guidance without declines');
    expect(answerModel(0.5)).toEqual({
      ...DEFAULT_MODEL,
      threshold: 0.5,
      withoutRemit: { ...without, threshold: 0.5 },
    });
  });

  it('says which Slack setting is missing', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(
      /also set SLACK_APP_TOKEN \(Socket Mode\) or SLACK_SIGNING_SECRET/,
    );
    expect(() => loadConfig({ SLACK_APP_TOKEN: 'xapp-1' })).toThrow(/SLACK_BOT_TOKEN is missing/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user' })).toThrow(
      /SLACK_BOT_TOKEN: must be a bot token starting xoxb-/,
    );
    expect(
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-123' }).SLACK_BOT_TOKEN,
    ).toBe('xoxb-1');
  });

  it('has limits and an idle expiry by default, and checks the expiry against the checklist one', () => {
    expect(loadConfig({})).toMatchObject({
      MAX_MESSAGES_PER_MINUTE: 30,
      MAX_CHECKLISTS_PER_HOUR: 10,
      MAX_CASES_PER_HOUR: 5,
      CONVERSATION_IDLE_DAYS: 30,
    });
    expect(() => loadConfig({ MAX_CASES_PER_HOUR: '0' })).toThrow(
      /MAX_CASES_PER_HOUR: .*\(got "0"\)/,
    );
    expect(() => loadConfig({ CONVERSATION_IDLE_DAYS: '7' })).toThrow(
      /CONVERSATION_IDLE_DAYS \(7\) is shorter than PRETRIP_EXPIRY_DAYS \(14\)/,
    );
    expect(
      loadConfig({ CONVERSATION_IDLE_DAYS: '7', PRETRIP_EXPIRY_DAYS: '7' }).CONVERSATION_IDLE_DAYS,
    ).toBe(7);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3978);
  });

  it('names every bad setting and what it got', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: '99999', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(isAdvisorError(err, 'config_invalid')).toBe(true);
    expect((err as Error).message).toContain('PORT: must be between 0 and 65535 (got "99999")');
    expect((err as Error).message).toMatch(/LOG_LEVEL: .* \(got "loud"\)/);
  });
});

describe('documentation of settings', () => {
  it('lists every setting in .env.example and in the README', async () => {
    const { readFileSync } = await import('node:fs');
    const { ConfigSchema } = await import('../../src/config.js');
    const envExample = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const key of Object.keys(ConfigSchema.shape)) {
      expect(envExample, key).toMatch(new RegExp(`^${key}=`, 'm'));
      expect(readme, key).toContain(`\`${key}\``);
    }
  });
});
