import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isAdvisorError } from '../../src/errors.js';

describe('config', () => {
  it('has working defaults for a fresh clone', () => {
    expect(loadConfig({})).toEqual({
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
    });
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
