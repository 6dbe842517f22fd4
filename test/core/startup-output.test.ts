import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type BannerInfo, startupBanner } from '../../src/banner.js';
import { createLogger, prettyLogs } from '../../src/logger.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

describe('log format', () => {
  it('is readable on a terminal and JSON otherwise, unless chosen', () => {
    expect(prettyLogs('auto', true)).toBe(true);
    expect(prettyLogs('auto', false)).toBe(false);
    expect(prettyLogs('json', true)).toBe(false);
    expect(prettyLogs('pretty', false)).toBe(true);
  });

  it('writes readable lines in New Zealand time, fields after the message', () => {
    const out = sink();
    const logger = createLogger('info', out.stream, { pretty: true, colour: false });
    logger.info({ caseId: 'SC-2026-0001' }, 'case raised');
    logger.debug('not at info');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO: case raised \{"caseId":"SC-2026-0001"\}$/);
    expect(out.text()).not.toContain('"level"');
  });

  it('writes one JSON object a line when not pretty', () => {
    const out = sink();
    createLogger('info', out.stream).info({ caseId: 'SC-2026-0001' }, 'case raised');
    expect(JSON.parse(out.text())).toMatchObject({
      level: 30,
      msg: 'case raised',
      caseId: 'SC-2026-0001',
      app: 'sister-city-advisor',
    });
  });
});

describe('start-up banner', () => {
  const base: BannerInfo = {
    url: 'http://127.0.0.1:3978/',
    exposed: false,
    escalation: { contactsFile: './config/contacts.yaml' },
    dataDir: '/srv/advisor/data',
    knowledgeDir: '/srv/advisor/knowledge',
    entries: 64,
  };

  it('says where the chat is, what is on and off, and where data is kept', () => {
    const text = startupBanner(base);
    expect(text).toContain(
      'Sister City Advisor is ready. Open http://127.0.0.1:3978/ in your browser.',
    );
    expect(text).toMatch(/Web chat +http:\/\/127\.0\.0\.1:3978\/\n/);
    expect(text).toMatch(/Slack +off \(set SLACK_BOT_TOKEN to turn it on\)/);
    expect(text).toMatch(/Teams +off \(set TEAMS_ENABLED=true to turn it on\)/);
    expect(text).toMatch(/LLM answers +off/);
    expect(text).toMatch(
      /Cases +sent to the security contacts in \.\/config\/contacts\.yaml; deadlines skip public holidays \(set REGION/,
    );
    expect(text).toMatch(/Data +\/srv\/advisor\/data\n/);
    expect(text).toMatch(/Knowledge +\/srv\/advisor\/knowledge \(64 entries\)/);
  });

  it('names the surfaces that are on, the region and an exposed web chat', () => {
    const text = startupBanner({
      ...base,
      exposed: true,
      slack: { mode: 'http', url: 'http://0.0.0.0:3978/slack/events' },
      teams: { url: 'http://0.0.0.0:3978/api/messages', authenticated: false },
      llm: { model: 'gpt-4o-mini' },
      escalation: { contactsFile: 'contacts.yaml', region: 'Wellington Province' },
    });
    expect(text).toContain('no login: put it behind your own access control');
    expect(text).toMatch(/Slack +on, events at http:\/\/0\.0\.0\.0:3978\/slack\/events/);
    expect(text).toMatch(/Teams +on, messages at .*\/api\/messages \(no Microsoft app id/);
    expect(text).toMatch(/LLM answers +on, gpt-4o-mini/);
    expect(text).toContain("public holidays and Wellington Province's anniversary day");
    expect(startupBanner({ ...base, slack: { mode: 'socket' } })).toMatch(/Slack +on, Socket Mode/);
    expect(startupBanner({ ...base, escalation: undefined })).toMatch(
      /Cases +recorded only, nobody is notified/,
    );
  });
});
