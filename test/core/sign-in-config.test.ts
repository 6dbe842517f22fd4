/** The sign-in settings, checked together, and the start-up rule for an exposed HOST. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWebExposure, loadConfig } from '../../src/config.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

const OIDC = {
  OIDC_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0',
  OIDC_CLIENT_ID: '00000000-1111-2222-3333-444444444444',
  OIDC_CLIENT_SECRET: 'client-secret-value',
  PUBLIC_URL: 'https://advisor.council.govt.nz/',
  SESSION_SECRET: 'x'.repeat(32),
};

describe('sign-in settings', () => {
  it('accepts a complete set and trims PUBLIC_URL', () => {
    const c = loadConfig(OIDC);
    expect(c.PUBLIC_URL).toBe('https://advisor.council.govt.nz');
    expect(c.ALLOW_UNAUTHENTICATED_WEB).toBe(false);
  });

  it('names each missing setting', () => {
    const message = (() => {
      try {
        loadConfig({ OIDC_ISSUER: OIDC.OIDC_ISSUER });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/OIDC_CLIENT_ID is missing/);
    expect(message).toMatch(/OIDC_CLIENT_SECRET is missing/);
    expect(message).toMatch(/PUBLIC_URL is missing/);
    expect(message).toMatch(
      /SESSION_SECRET must be at least 32 characters when sign-in is on \(got 0/,
    );
    expect(() => loadConfig({ ...OIDC, OIDC_ISSUER: undefined })).toThrow(/OIDC_ISSUER is missing/);
  });

  it('wants a long session secret, https away from this machine, and never shows secrets', () => {
    expect(() => loadConfig({ ...OIDC, SESSION_SECRET: 'short' })).toThrow(/got 5;/);
    expect(() => loadConfig({ ...OIDC, PUBLIC_URL: 'http://advisor.council.govt.nz' })).toThrow(
      /PUBLIC_URL must be https/,
    );
    expect(() => loadConfig({ ...OIDC, OIDC_ISSUER: 'http://idp.example/' })).toThrow(
      /OIDC_ISSUER must be https/,
    );
    expect(loadConfig({ ...OIDC, OIDC_ISSUER: 'http://127.0.0.1:9000' }).OIDC_ISSUER).toBeTruthy();
    try {
      loadConfig({ ...OIDC, SESSION_SECRET: 'secret-value', OIDC_CLIENT_SECRET: undefined });
    } catch (err) {
      expect((err as Error).message).not.toContain('secret-value');
    }
  });

  it('refuses a HOST beyond this machine without sign-in, unless told to allow it', () => {
    expect(() => checkWebExposure(loadConfig({ HOST: '0.0.0.0' }))).toThrow(
      /ALLOW_UNAUTHENTICATED_WEB=true/,
    );
    expect(() => checkWebExposure(loadConfig({ HOST: '127.0.0.1' }))).not.toThrow();
    expect(() => checkWebExposure(loadConfig({ HOST: '::1' }))).not.toThrow();
    expect(() =>
      checkWebExposure(loadConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED_WEB: 'true' })),
    ).not.toThrow();
    expect(() => checkWebExposure(loadConfig({ HOST: '0.0.0.0', ...OIDC }))).not.toThrow();
  });

  it('the real process will not start on 0.0.0.0 without sign-in, and says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sca-exposed-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
          DATA_DIR: join(dir, 'data'),
          HOST: '0.0.0.0',
          PORT: '0',
          ALLOW_UNAUTHENTICATED_WEB: '',
          OIDC_ISSUER: '',
          SLACK_BOT_TOKEN: '',
          TEAMS_ENABLED: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(1);
      expect(stderr).toMatch(/could not start \[config_invalid\]/);
      expect(stderr).toMatch(/HOST is 0\.0\.0\.0.*sign-in is off/s);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
