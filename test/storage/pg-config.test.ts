import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('DATABASE_URL', () => {
  it('is off by default: the file store stays the default', () => {
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('takes a postgres:// or postgresql:// URL', () => {
    for (const url of [
      'postgres://advisor:secret@db.internal:5432/advisor',
      'postgresql://advisor@localhost/advisor?sslmode=require',
    ])
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });

  it('refuses anything else, naming the setting without echoing the password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://advisor:s3cret@db/advisor' })).toThrow(
      /DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL \(got "mysql:\/\/advisor:\*\*\*@db\/advisor"\)/,
    );
  });
});
