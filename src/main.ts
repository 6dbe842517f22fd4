/**
 * The composition root: the one file in src/ allowed to import adapters. It reads the
 * settings, builds the platform-neutral advisor and starts the surfaces.
 */
import { performance } from 'node:perf_hooks';
import { WebInbox } from '../adapters/web/inbox.js';
import { WebServer } from '../adapters/web/server.js';
import { createAdvisor } from './app.js';
import { loadConfig, loadDotEnv } from './config.js';
import { isAdvisorError } from './errors.js';
import { createLogger } from './logger.js';
import type { Notifier, Platform } from './model.js';

async function main(): Promise<void> {
  const started = performance.now();
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  // Platform SDKs are loaded only when their surface is on, so the web chat starts fast and
  // small; when one is on, its modules load while the knowledge is read and indexed.
  const slackModule = config.SLACK_BOT_TOKEN ? import('../adapters/slack/index.js') : undefined;
  const teamsModule = config.TEAMS_ENABLED ? import('../adapters/teams/index.js') : undefined;
  // A failed import is reported where it is awaited; until then it must not count as unhandled.
  slackModule?.catch(() => undefined);
  teamsModule?.catch(() => undefined);
  const inbox = new WebInbox();
  const notifiers = new Map<Platform, Notifier>([['web', inbox]]);
  const advisor = await createAdvisor(config, logger, { notifiers });
  advisor.scheduler.start(config.SCHEDULER_INTERVAL_MS);
  void advisor.scheduler.tick();
  const web = new WebServer({
    bot: advisor.bot,
    inbox,
    logger,
    health: () => ({
      entries: advisor.knowledge.entries.length,
      uptimeSeconds: Math.round(process.uptime()),
    }),
  });
  const slack =
    slackModule && config.SLACK_BOT_TOKEN
      ? (await slackModule).createSlackAdapter({
          bot: advisor.bot,
          logger,
          settings: {
            botToken: config.SLACK_BOT_TOKEN,
            signingSecret: config.SLACK_SIGNING_SECRET,
            appToken: config.SLACK_APP_TOKEN,
            apiUrl: config.SLACK_API_URL,
            notifyChannel: config.SLACK_NOTIFY_CHANNEL,
          },
        })
      : undefined;
  if (slack) {
    notifiers.set('slack', slack.notifier);
    const { handle } = slack;
    if (handle)
      web.mount({ method: 'POST', path: '/slack/events', handler: (req, res) => handle(req, res) });
  }
  const teams = teamsModule
    ? await (await teamsModule).createTeamsAdapter({
        bot: advisor.bot,
        logger,
        dataDir: config.DATA_DIR,
        settings: {
          appId: config.MicrosoftAppId,
          appPassword: config.MicrosoftAppPassword,
          tenantId: config.MicrosoftAppTenantId,
          appType: config.MicrosoftAppType,
          notifyChannel: config.TEAMS_NOTIFY_CHANNEL,
        },
      })
    : undefined;
  if (teams) {
    notifiers.set('teams', teams.notifier);
    web.mount({ method: 'POST', path: teams.path, handler: (req, res) => teams.handle(req, res) });
  }
  const url = await web.listen(config.PORT, config.HOST);
  if (!['127.0.0.1', 'localhost', '::1'].includes(config.HOST)) {
    logger.warn(
      { host: config.HOST },
      'the web chat has no login and is reachable beyond this machine: anyone who can reach it can say they are the security contact. Put it behind your own access control.',
    );
  }
  if (teams) logger.info(`teams messages at ${new URL(teams.path, url).href}`);
  if (slack) {
    await slack.start();
    logger.info(
      { mode: slack.mode },
      slack.mode === 'socket'
        ? 'slack connected in Socket Mode'
        : `slack events at ${new URL('/slack/events', url).href}`,
    );
  }
  const ms = Math.round(performance.now() - started);
  logger.info({ url: url.href, startupMs: ms }, 'web chat listening');
  process.stdout.write(`\nSister City Advisor is ready. Open ${url.href} in your browser.\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await slack?.stop();
    await teams?.close();
    await web.close();
    await advisor.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (isAdvisorError(err)) {
    process.stderr.write(`\nSister City Advisor could not start [${err.code}]\n${err.message}\n\n`);
  } else {
    process.stderr.write(
      `\nSister City Advisor could not start:\n${(err as Error)?.stack ?? String(err)}\n\n`,
    );
  }
  process.exit(1);
});
