import { readFileSync } from 'node:fs';
import type { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The parts of a Slack app manifest this app uses, as strict zod objects so a typo fails.
 * The assignment below makes tsc prove the schema fits @slack/web-api's Manifest type.
 */
/** The bot scopes and events the app needs, no more. */
const SCOPES = [
  'app_mentions:read',
  'chat:write',
  'commands',
  'im:history',
  'im:read',
  'im:write',
  'users:read',
] as const;
const EVENTS = ['app_home_opened', 'app_mention', 'message.im'] as const;

const Url = z.url({ protocol: /^https$/ });
const ManifestSchema = z.strictObject({
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().max(140),
    background_color: z.string().regex(/^#[0-9a-f]{6}$/i),
  }),
  features: z.strictObject({
    app_home: z.strictObject({
      home_tab_enabled: z.literal(true),
      messages_tab_enabled: z.literal(true),
      messages_tab_read_only_enabled: z.boolean(),
    }),
    bot_user: z.strictObject({
      display_name: z.string().min(1).max(80),
      always_online: z.boolean(),
    }),
    slash_commands: z.array(
      z.strictObject({
        command: z.string().regex(/^\/[a-z-]+$/),
        url: Url.optional(),
        description: z.string().max(2000),
        should_escape: z.boolean(),
      }),
    ),
  }),
  oauth_config: z.strictObject({
    scopes: z.strictObject({
      bot: z.array(z.enum(SCOPES)),
    }),
  }),
  settings: z.strictObject({
    event_subscriptions: z.strictObject({
      request_url: Url.optional(),
      bot_events: z.array(z.enum(EVENTS)),
    }),
    interactivity: z.strictObject({ is_enabled: z.literal(true), request_url: Url.optional() }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});
type Parsed = z.infer<typeof ManifestSchema>;
// Compile-time check: a manifest that passes the schema is a valid Slack Manifest type.
const _fits = (m: Parsed): webApi.AppsManifestCreateArguments['manifest'] => m;

const load = (file: string) =>
  ManifestSchema.parse(
    parse(readFileSync(new URL(`../../manifest/slack/${file}`, import.meta.url), 'utf8')),
  );

describe('Slack manifests', () => {
  it.each(['manifest.yaml', 'manifest.http.yaml'])(
    '%s has the bot user, App Home, /pretrip, scopes and events',
    (file) => {
      const m = load(file);
      expect(_fits(m).display_information).toBeDefined();
      expect(m.features.slash_commands.map((c) => c.command)).toEqual(['/pretrip']);
      expect([...m.oauth_config.scopes.bot].sort()).toEqual(SCOPES);
      expect([...m.settings.event_subscriptions.bot_events].sort()).toEqual(EVENTS);
    },
  );

  it('uses Socket Mode in manifest.yaml, with no request URLs', () => {
    const m = load('manifest.yaml');
    expect(m.settings.socket_mode_enabled).toBe(true);
    expect(m.settings.event_subscriptions.request_url).toBeUndefined();
    expect(m.features.slash_commands[0]?.url).toBeUndefined();
  });

  it('sends everything to /slack/events in the HTTP-mode manifest', () => {
    const m = load('manifest.http.yaml');
    expect(m.settings.socket_mode_enabled).toBe(false);
    for (const url of [
      m.settings.event_subscriptions.request_url,
      m.settings.interactivity.request_url,
      m.features.slash_commands[0]?.url,
    ]) {
      expect(new URL(url ?? '').pathname).toBe('/slack/events');
    }
  });

  it('rejects a typo in a manifest', () => {
    const broken = parse(
      readFileSync(new URL('../../manifest/slack/manifest.yaml', import.meta.url), 'utf8'),
    );
    broken.features.bot_user.displayname = 'x';
    expect(ManifestSchema.safeParse(broken).success).toBe(false);
  });
});
